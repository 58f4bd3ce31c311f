package sqlite

import (
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
)

// clientGeneration is the clients' counter in d's file.
func clientGeneration(t *testing.T, d *DB) int64 {
	t.Helper()
	var n int64
	if err := d.r.QueryRowContext(t.Context(), clientGenerationQuery).Scan(&n); err != nil {
		t.Fatalf("read the clients' generation: %v", err)
	}
	return n
}

// openPair opens the store file twice, as two processes sharing it would,
// and once with plain database/sql, as a tool writing the file by hand.
func openPair(t *testing.T) (a, b *DB, raw *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	var err error
	if a, err = Open(t.Context(), path, Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if b, err = Open(t.Context(), path, Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	if raw, err = sql.Open("sqlite", dsn(path, nil)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	return a, b, raw
}

func wantName(t *testing.T, d *DB, id, want, when string) {
	t.Helper()
	c, err := d.Clients().Get(t.Context(), id)
	if err != nil || c.Name != want {
		t.Fatalf("%s: Get(%q) = name %q, %v; want %q", when, id, c.Name, err, want)
	}
}

// Every writer of the file moves the counter, so a server sees a change to
// a client at its next read, whoever made it.
func TestClientCacheSeesEveryWriter(t *testing.T) {
	a, b, raw := openPair(t)
	ctx := t.Context()
	c := store.Client{ID: "app", Name: "one", GrantTypes: []string{"client_credentials"}, Scopes: []string{"read"}}
	if err := a.Clients().Put(ctx, c); err != nil {
		t.Fatal(err)
	}
	wantName(t, a, "app", "one", "after its own Put")
	wantName(t, a, "app", "one", "read again")

	c.Name = "two"
	if err := b.Clients().Put(ctx, c); err != nil {
		t.Fatal(err)
	}
	wantName(t, a, "app", "two", "after another process's Put")

	if _, err := raw.ExecContext(ctx, `UPDATE clients SET name = 'three' WHERE id = 'app'`); err != nil {
		t.Fatal(err)
	}
	wantName(t, a, "app", "three", "after an UPDATE by hand")

	if _, err := raw.ExecContext(ctx, `INSERT INTO clients SELECT 'other', secret_hash, 'four', redirect_uris, grant_types,
		scopes, auth_method, auto_approve, skip_consent, token_response, claims, created_at,
		post_logout_redirect_uris, extensions FROM clients WHERE id = 'app'`); err != nil {
		t.Fatal(err)
	}
	wantName(t, a, "other", "four", "after an INSERT by hand")

	if err := b.Clients().Delete(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Clients().Get(ctx, "app"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get after another process deleted the client = %+v, %v; want ErrNotFound", got, err)
	}
	if _, err := raw.ExecContext(ctx, `DELETE FROM clients WHERE id = 'other'`); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Clients().Get(ctx, "other"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get after a DELETE by hand = %+v, %v; want ErrNotFound", got, err)
	}
}

// While the counter stays, the row is not read again; when it moves, it is.
// (The trigger is dropped so that a write can leave the counter alone.)
func TestClientCacheAnswersWhileTheGenerationStays(t *testing.T) {
	a, _, raw := openPair(t)
	ctx := t.Context()
	if err := a.Clients().Put(ctx, store.Client{ID: "app", Name: "one"}); err != nil {
		t.Fatal(err)
	}
	wantName(t, a, "app", "one", "first read")
	if _, err := raw.ExecContext(ctx, `DROP TRIGGER clients_updated`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `UPDATE clients SET name = 'changed' WHERE id = 'app'`); err != nil {
		t.Fatal(err)
	}
	wantName(t, a, "app", "one", "the counter unchanged (the cached client)")
	if _, err := raw.ExecContext(ctx, `UPDATE client_generation SET n = n + 1`); err != nil {
		t.Fatal(err)
	}
	wantName(t, a, "app", "changed", "the counter moved")

	// The counter is read at every Get: a store that cannot answer fails
	// the read even for a client the cache holds. A file without the
	// counter's row is the store's fault, not an unknown client.
	if _, err := raw.ExecContext(ctx, `DELETE FROM client_generation`); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Clients().Get(ctx, "app"); !errors.Is(err, store.ErrUnavailable) || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get without the counter's row = %+v, %v; want ErrUnavailable, not ErrNotFound", got, err)
	}
	if _, err := raw.ExecContext(ctx, `DROP TABLE client_generation`); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Clients().Get(ctx, "app"); err == nil {
		t.Fatalf("Get without the counter = %+v, nil; want an error", got)
	}
}

// The caller owns what Get returns: changing it changes nothing cached.
func TestClientCacheHandsOutCopies(t *testing.T) {
	a, _, _ := openPair(t)
	ctx := t.Context()
	in := store.Client{ID: "app", Name: "one", RedirectURIs: []string{"http://127.0.0.1/cb"},
		GrantTypes: []string{"authorization_code"}, Scopes: []string{"read"},
		Claims: map[string]any{"team": map[string]any{"name": "blue"}},
		Ext:    store.ClientExtensions{Resources: []string{"https://api.example"}}}
	if err := a.Clients().Put(ctx, in); err != nil {
		t.Fatal(err)
	}
	for range 3 { // the first Get reads the row, the next ones the cache
		c, err := a.Clients().Get(ctx, "app")
		if err != nil {
			t.Fatal(err)
		}
		if c.RedirectURIs[0] != "http://127.0.0.1/cb" || c.Scopes[0] != "read" ||
			c.Claims["team"].(map[string]any)["name"] != "blue" || !slices.Equal(c.Ext.Resources, []string{"https://api.example"}) {
			t.Fatalf("Get = %+v; want the client as Put", c)
		}
		c.RedirectURIs[0] = "http://evil.example/cb"
		c.Scopes[0] = "admin"
		c.Claims["team"].(map[string]any)["name"] = "red"
		c.Ext.Resources[0] = "https://evil.example"
	}
}
