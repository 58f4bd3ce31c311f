-- oauthkit store schema, version 1 (PostgreSQL). The same tables and version
-- numbers as the SQLite store's migrations, so a schema version means the
-- same thing in both. Times are Unix microseconds in BIGINT (0 = the zero
-- time, NULL = not yet), exactly as SQLite keeps them: one canonical form
-- (store/internal/canon) and no time zone in the database. Lists and claims
-- are JSON text, byte for byte what the store wrote.
-- Token, code and secret columns hold hashes only (docs/security.md rule 27).

CREATE TABLE clients (
    id             TEXT    NOT NULL PRIMARY KEY,
    secret_hash    TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    redirect_uris  TEXT    NOT NULL,
    grant_types    TEXT    NOT NULL,
    scopes         TEXT    NOT NULL,
    auth_method    TEXT    NOT NULL,
    auto_approve   BOOLEAN NOT NULL,
    skip_consent   BOOLEAN NOT NULL,
    token_response TEXT    NOT NULL,
    claims         TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL
);

CREATE TABLE users (
    username      TEXT NOT NULL PRIMARY KEY,
    subject       TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    claims        TEXT NOT NULL
);

CREATE TABLE auth_codes (
    hash             TEXT   NOT NULL PRIMARY KEY,
    client_id        TEXT   NOT NULL,
    redirect_uri     TEXT   NOT NULL,
    scope            TEXT   NOT NULL,
    subject          TEXT   NOT NULL,
    code_challenge   TEXT   NOT NULL,
    challenge_method TEXT   NOT NULL,
    nonce            TEXT   NOT NULL,
    auth_time        BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    used_at          BIGINT
);
CREATE INDEX auth_codes_expires_at ON auth_codes (expires_at);
CREATE INDEX auth_codes_client_live ON auth_codes (client_id, expires_at) WHERE used_at IS NULL;

-- One grant: everything issued from one authorization. code_hash is NULL
-- unless issued from a code. Rotate and RevokeFamily lock the family row
-- first (SELECT … FOR UPDATE), so every change to a family's tokens is
-- serialized on it.
CREATE TABLE grant_families (
    id         TEXT    NOT NULL PRIMARY KEY,
    client_id  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    auth_time  BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    code_hash  TEXT    UNIQUE REFERENCES auth_codes (hash) ON DELETE SET NULL,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX grant_families_created_at ON grant_families (created_at);

CREATE TABLE refresh_tokens (
    hash          TEXT    NOT NULL PRIMARY KEY,
    family_id     TEXT    NOT NULL REFERENCES grant_families (id) ON DELETE CASCADE,
    issued_at     BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    refresh_count INTEGER NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('active', 'rotated', 'revoked')),
    rotated_at    BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

CREATE TABLE access_tokens (
    id         TEXT    NOT NULL PRIMARY KEY,
    family_id  TEXT    REFERENCES grant_families (id) ON DELETE CASCADE,
    client_id  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    issued_at  BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX access_tokens_family ON access_tokens (family_id);
CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);

CREATE TABLE signing_keys (
    kid         TEXT    NOT NULL PRIMARY KEY,
    alg         TEXT    NOT NULL,
    private_pem BYTEA   NOT NULL,
    created_at  BIGINT  NOT NULL,
    active      BOOLEAN NOT NULL
);
