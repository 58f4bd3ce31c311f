-- oauthkit store schema, version 5: device authorizations (RFC 8628).
-- device_codes: one row per device authorization, both codes hashed
-- (store.DeviceCodeStore). interval_us and last_polled_at carry slow_down
-- across requests and server processes; family_id is the grant created
-- when a poll redeemed the approved code.

CREATE TABLE device_codes (
    hash           TEXT    NOT NULL PRIMARY KEY,
    user_code_hash TEXT    NOT NULL UNIQUE,
    client_id      TEXT    NOT NULL,
    scope          TEXT    NOT NULL DEFAULT '',
    interval_us    INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'approved', 'denied', 'redeemed')),
    subject        TEXT    NOT NULL DEFAULT '',
    auth_time      INTEGER NOT NULL DEFAULT 0,
    session_id     TEXT    NOT NULL DEFAULT '',
    last_polled_at INTEGER NOT NULL DEFAULT 0,
    family_id      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX device_codes_expires_at ON device_codes (expires_at);
CREATE INDEX device_codes_client_live ON device_codes (client_id, status, expires_at);
