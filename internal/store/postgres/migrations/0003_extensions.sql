-- oauthkit store schema, version 3: protocol extensions (as the SQLite
-- store's).
-- Clients: the settings of the protocol extensions, one JSON document
-- (store.ClientExtensions, canon.EncodeExtensions), so a new setting needs
-- no new column. Text, not jsonb: jsonb refuses a "\u0000" escape that JSON
-- allows, and the store returns the document as it was written.
-- replay_keys: single-use values (client assertion and DPoP proof JWT IDs)
-- kept until they expire (store.ReplayStore).

ALTER TABLE clients ADD COLUMN extensions TEXT NOT NULL DEFAULT '{}';

CREATE TABLE replay_keys (
    key        TEXT   NOT NULL PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX replay_keys_expires_at ON replay_keys (expires_at);
