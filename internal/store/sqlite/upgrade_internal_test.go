package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

// A store written by an oauthkit of schema version 6 opens at the latest
// version: the indexes of version 7 are added, and the records it held are
// read through them; the clients' generation of version 8 starts at 0 and
// counts the writes after the upgrade.
func TestUpgradeFromVersion6(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	if err := ensureFile(path); err != nil {
		t.Fatal(err)
	}
	all, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", dsn(path, nil))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := raw.ExecContext(ctx, createMigrationsTable); err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.Version > 6 {
			break
		}
		if _, err := raw.ExecContext(ctx, m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if _, err := raw.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, err := raw.ExecContext(ctx, `INSERT INTO clients (`+canon.ClientColumns+`)
		VALUES ('web', '', 'Old', '["http://127.0.0.1/cb"]', '["authorization_code"]', '[]', 'none', 0, 0, '', '{}', ?, '[]', '{}')`,
		canon.Micros(now)); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO auth_codes (hash, client_id, redirect_uri, scope, subject, code_challenge,
		challenge_method, nonce, auth_time, expires_at) VALUES ('sha256:old', 'web', 'http://127.0.0.1/cb', '', 'alice', '', '', '', ?, ?)`,
		canon.Micros(now), canon.Micros(now.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	d, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open of a version 6 store: %v", err)
	}
	defer d.Close()
	var version int
	if err := d.r.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil || version != 8 {
		t.Fatalf("schema version after Open = %d, %v; want 8", version, err)
	}
	var indexes int
	if err := d.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN
		('auth_codes_client_live', 'auth_codes_expires_at', 'grant_families_created_at', 'refresh_tokens_expires_at', 'access_tokens_expires_at')`).Scan(&indexes); err != nil || indexes != 5 {
		t.Fatalf("indexes of version 7 = %d, %v; want 5", indexes, err)
	}
	if n, err := d.Codes().CountLive(ctx, "web", now); err != nil || n != 1 {
		t.Fatalf("CountLive of the code written at version 6 = %d, %v; want 1", n, err)
	}
	if _, err := d.Codes().Redeem(ctx, "sha256:old", now.Add(time.Second)); err != nil {
		t.Fatalf("Redeem of the code written at version 6: %v", err)
	}
	if n, err := d.Codes().CountLive(ctx, "web", now.Add(time.Second)); err != nil || n != 0 {
		t.Fatalf("CountLive after the redemption = %d, %v; want 0", n, err)
	}

	c, err := d.Clients().Get(ctx, "web")
	if err != nil || c.Name != "Old" {
		t.Fatalf("Get of the client written at version 6 = %+v, %v; want the client named Old", c, err)
	}
	if gen := clientGeneration(t, d); gen != 0 {
		t.Fatalf("clients' generation after the upgrade = %d, want 0", gen)
	}
	c.Name = "New"
	if err := d.Clients().Put(ctx, c); err != nil {
		t.Fatal(err)
	}
	if gen := clientGeneration(t, d); gen != 1 {
		t.Fatalf("clients' generation after a Put = %d, want 1", gen)
	}
	if c, err := d.Clients().Get(ctx, "web"); err != nil || c.Name != "New" {
		t.Fatalf("Get after the Put = %+v, %v; want the client named New", c, err)
	}
}
