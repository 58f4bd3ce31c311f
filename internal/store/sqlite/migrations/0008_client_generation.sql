-- oauthkit store schema, version 8: a counter of changes to the clients
-- table. Every transaction that inserts, updates or deletes a client adds
-- one to it, through these triggers, whichever process or tool writes the
-- file. A server reads the counter at each request instead of the client's
-- row, and decodes the row again only when the counter moved
-- (clientcache.go).

CREATE TABLE client_generation (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n  INTEGER NOT NULL
);
INSERT INTO client_generation (id, n) VALUES (1, 0);

CREATE TRIGGER clients_inserted AFTER INSERT ON clients
BEGIN
	UPDATE client_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER clients_updated AFTER UPDATE ON clients
BEGIN
	UPDATE client_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER clients_deleted AFTER DELETE ON clients
BEGIN
	UPDATE client_generation SET n = n + 1 WHERE id = 1;
END;
