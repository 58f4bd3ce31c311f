-- oauthkit store schema, version 4 (PostgreSQL): what several servers on one
-- store must agree on besides the grants; the tables of SQLite's 0004.
-- browser_sessions: the sessions of the login and consent pages, named by
-- the hash of the cookie's value (store.SessionStore); subject '' is an
-- anonymous session.
-- pending_requests: authorization requests waiting in a session.
-- consents: the scopes a user has allowed a client (store.ConsentStore);
-- they go with their client or user (ON DELETE CASCADE).

CREATE TABLE browser_sessions (
    hash       TEXT   NOT NULL PRIMARY KEY,
    username   TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    auth_time  BIGINT NOT NULL,
    sid        TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX browser_sessions_kind_expires_at ON browser_sessions ((subject = ''), expires_at);
CREATE INDEX browser_sessions_expires_at ON browser_sessions (expires_at);

CREATE TABLE pending_requests (
    session_hash TEXT   NOT NULL,
    id           TEXT   NOT NULL,
    data         BYTEA  NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (session_hash, id)
);
CREATE INDEX pending_requests_expires_at ON pending_requests (expires_at);

CREATE TABLE consents (
    subject    TEXT   NOT NULL REFERENCES users (subject) ON DELETE CASCADE ON UPDATE CASCADE,
    client_id  TEXT   NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scope      TEXT   NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (subject, client_id, scope)
);
CREATE INDEX consents_client_id ON consents (client_id);
