-- oauthkit store schema, version 3: protocol extensions.
-- Clients: the settings of the protocol extensions, one JSON document
-- (store.ClientExtensions), so a new setting needs no new column.
-- replay_keys: single-use values (client assertion and DPoP proof JWT IDs)
-- kept until they expire (store.ReplayStore).

ALTER TABLE clients ADD COLUMN extensions TEXT NOT NULL DEFAULT '{}';

CREATE TABLE replay_keys (
    key        TEXT    NOT NULL PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX replay_keys_expires_at ON replay_keys (expires_at);
