-- oauthkit store schema, version 5: device authorizations (RFC 8628), as
-- the SQLite store's (its version 4 belongs to no migration here either:
-- versions are shared with SQLite, and the loader allows the gap).
-- device_codes: one row per device authorization, both codes hashed
-- (store.DeviceCodeStore; docs/security.md rule 27). interval_us and
-- last_polled_at carry slow_down across requests and server processes;
-- family_id is the grant created when a poll redeemed the approved code.
-- Decide and Poll lock the row (SELECT … FOR UPDATE), so of concurrent
-- decisions or polls one at a time reads and changes it. Times and the
-- interval are microseconds in BIGINT, as everywhere in this schema.

CREATE TABLE device_codes (
    hash           TEXT   NOT NULL PRIMARY KEY,
    user_code_hash TEXT   NOT NULL UNIQUE,
    client_id      TEXT   NOT NULL,
    scope          TEXT   NOT NULL DEFAULT '',
    interval_us    BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    status         TEXT   NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'approved', 'denied', 'redeemed')),
    subject        TEXT   NOT NULL DEFAULT '',
    auth_time      BIGINT NOT NULL DEFAULT 0,
    session_id     TEXT   NOT NULL DEFAULT '',
    last_polled_at BIGINT NOT NULL DEFAULT 0,
    family_id      TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX device_codes_expires_at ON device_codes (expires_at);
CREATE INDEX device_codes_client_live ON device_codes (client_id, status, expires_at);
