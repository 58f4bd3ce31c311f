-- oauthkit store schema, version 1.
-- Plain SQL: a PostgreSQL port needs only BIGINT for the INTEGER time
-- columns and BYTEA for BLOB. Times are Unix microseconds (NULL = not yet);
-- lists and claims are JSON text.
-- Token, code and secret columns hold hashes only (docs/security.md rule 27).

CREATE TABLE clients (
    id             TEXT    NOT NULL PRIMARY KEY,
    secret_hash    TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    redirect_uris  TEXT    NOT NULL,
    grant_types    TEXT    NOT NULL,
    scopes         TEXT    NOT NULL,
    auth_method    TEXT    NOT NULL,
    auto_approve   INTEGER NOT NULL,
    skip_consent   INTEGER NOT NULL,
    token_response TEXT    NOT NULL,
    claims         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE users (
    username      TEXT NOT NULL PRIMARY KEY,
    subject       TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    claims        TEXT NOT NULL
);

CREATE TABLE auth_codes (
    hash             TEXT    NOT NULL PRIMARY KEY,
    client_id        TEXT    NOT NULL,
    redirect_uri     TEXT    NOT NULL,
    scope            TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    code_challenge   TEXT    NOT NULL,
    challenge_method TEXT    NOT NULL,
    nonce            TEXT    NOT NULL,
    auth_time        INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    used_at          INTEGER
);

-- One grant: everything issued from one authorization (a code, a password
-- or client_credentials request). code_hash is NULL unless issued from a code.
CREATE TABLE grant_families (
    id         TEXT    NOT NULL PRIMARY KEY,
    client_id  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    auth_time  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    code_hash  TEXT    UNIQUE REFERENCES auth_codes (hash) ON DELETE SET NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE refresh_tokens (
    hash          TEXT    NOT NULL PRIMARY KEY,
    family_id     TEXT    NOT NULL REFERENCES grant_families (id) ON DELETE CASCADE,
    issued_at     INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    refresh_count INTEGER NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('active', 'rotated', 'revoked')),
    rotated_at    INTEGER
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE access_tokens (
    id         TEXT    NOT NULL PRIMARY KEY,
    family_id  TEXT    REFERENCES grant_families (id) ON DELETE CASCADE,
    client_id  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX access_tokens_family ON access_tokens (family_id);

CREATE TABLE signing_keys (
    kid         TEXT    NOT NULL PRIMARY KEY,
    alg         TEXT    NOT NULL,
    private_pem BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    active      INTEGER NOT NULL
);
