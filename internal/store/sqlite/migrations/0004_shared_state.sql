-- oauthkit store schema, version 4: what several servers on one store must
-- agree on besides the grants.
-- browser_sessions: the sessions of the login and consent pages, named by
-- the hash of the cookie's value (store.SessionStore); subject '' is an
-- anonymous session.
-- pending_requests: authorization requests waiting in a session for a
-- login or a consent.
-- consents: the scopes a user has allowed a client (store.ConsentStore).

CREATE TABLE browser_sessions (
    hash       TEXT    NOT NULL PRIMARY KEY,
    username   TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    auth_time  INTEGER NOT NULL,
    sid        TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX browser_sessions_kind_expires_at ON browser_sessions (subject = '', expires_at);
CREATE INDEX browser_sessions_expires_at ON browser_sessions (expires_at);

CREATE TABLE pending_requests (
    session_hash TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (session_hash, id)
);
CREATE INDEX pending_requests_expires_at ON pending_requests (expires_at);

CREATE TABLE consents (
    subject    TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (subject, client_id, scope)
);
CREATE INDEX consents_client_id ON consents (client_id);
