-- oauthkit store schema, version 6: pushed authorization requests (RFC 9126)
-- and resource indicators (RFC 8707), as the SQLite store's (version 4
-- belongs to no migration here yet: the loader allows the gap, and applies
-- a lower version added later on its own).
-- auth_codes.resource, grant_families.resource: the space-separated resource
-- indicators a code and its grant were given for ('' for none).
-- access_tokens.audience: the space-separated aud those chose ('' for the
-- server's default audience).
-- pushed_requests: a pushed request waits here for its single use at
-- /authorize (store.PushedRequestStore); hash is the hashed request_uri
-- (docs/security.md rule 27). Take is one DELETE … RETURNING, so of
-- concurrent takes exactly one removes the row and gets it. expires_at is
-- microseconds in BIGINT, as everywhere in this schema.

ALTER TABLE auth_codes ADD COLUMN resource TEXT NOT NULL DEFAULT '';
ALTER TABLE grant_families ADD COLUMN resource TEXT NOT NULL DEFAULT '';
ALTER TABLE access_tokens ADD COLUMN audience TEXT NOT NULL DEFAULT '';

CREATE TABLE pushed_requests (
    hash       TEXT   NOT NULL PRIMARY KEY,
    client_id  TEXT   NOT NULL,
    params     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX pushed_requests_expires_at ON pushed_requests (expires_at);
CREATE INDEX pushed_requests_client ON pushed_requests (client_id, expires_at);
