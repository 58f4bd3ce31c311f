-- oauthkit store schema, version 2: OpenID Connect (as the SQLite store's).
-- Clients: the post_logout_redirect_uris of RP-initiated logout (a JSON list).
-- Codes and grants: the "sid" of the browser session that signed in ('' when
-- none: auto-approve, the password grant), for the ID tokens issued from them.

ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE auth_codes ADD COLUMN session_id TEXT NOT NULL DEFAULT '';
ALTER TABLE grant_families ADD COLUMN session_id TEXT NOT NULL DEFAULT '';
