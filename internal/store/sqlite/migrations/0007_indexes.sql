-- oauthkit store schema, version 7: the indexes the store's queries search
-- by, which the PostgreSQL schema has had from its version 1. Without them
-- each /authorize counted the client's live codes by reading every code
-- (auth_codes_client_live), and purge read whole tables to find the
-- expired rows. Query plans are checked by TestQueryPlansUseIndexes.

CREATE INDEX auth_codes_client_live ON auth_codes (client_id, expires_at) WHERE used_at IS NULL;
CREATE INDEX auth_codes_expires_at ON auth_codes (expires_at);
CREATE INDEX grant_families_created_at ON grant_families (created_at);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);
