-- oauthkit store schema, version 6: pushed authorization requests (RFC 9126)
-- and resource indicators (RFC 8707).
-- auth_codes.resource, grant_families.resource: the space-separated resource
-- indicators a code and its grant were given for ('' for none).
-- access_tokens.audience: the space-separated aud those chose ('' for the
-- server's default audience).
-- pushed_requests: a pushed request waits here for its single use at
-- /authorize (store.PushedRequestStore); hash is the hashed request_uri.

ALTER TABLE auth_codes ADD COLUMN resource TEXT NOT NULL DEFAULT '';
ALTER TABLE grant_families ADD COLUMN resource TEXT NOT NULL DEFAULT '';
ALTER TABLE access_tokens ADD COLUMN audience TEXT NOT NULL DEFAULT '';

CREATE TABLE pushed_requests (
    hash       TEXT    NOT NULL PRIMARY KEY,
    client_id  TEXT    NOT NULL,
    params     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX pushed_requests_expires_at ON pushed_requests (expires_at);
CREATE INDEX pushed_requests_client ON pushed_requests (client_id, expires_at);
