package sqlite_test

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
	"github.com/oauthkit/oauthkit/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func openAt(t *testing.T, path string, opts sqlite.Options) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openTemp(t *testing.T) *sqlite.DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "oauthkit.db"), sqlite.Options{})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "oauthkit.db"), sqlite.Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}

func family(id string) store.Family {
	return store.Family{ID: id, ClientID: "web", Subject: "sub", AuthTime: t0, CreatedAt: t0}
}

func refresh(hash string, issued time.Time) store.RefreshToken {
	return store.RefreshToken{Hash: hash, IssuedAt: issued, ExpiresAt: issued.Add(8 * time.Hour)}
}

func TestFileModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	db := openAt(t, path, sqlite.Options{})
	must(t, db.Clients().Put(t.Context(), store.Client{ID: "web"}))
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(name), err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(name), got)
		}
	}
}

func TestOpenTightensLooseSidecars(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	first := openAt(t, path, sqlite.Options{}) // keeps -wal and -shm in place
	must(t, first.Clients().Put(t.Context(), store.Client{ID: "web"}))
	for _, s := range []string{"-wal", "-shm"} {
		must(t, os.Chmod(path+s, 0o644))
	}
	openAt(t, path, sqlite.Options{})
	for _, s := range []string{"-wal", "-shm"} {
		fi, err := os.Stat(path + s)
		must(t, err)
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s after Open: mode %04o, want 0600", s, got)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	loose := filepath.Join(dir, "loose.db")
	must(t, os.WriteFile(loose, nil, 0o600))
	must(t, os.Chmod(loose, 0o644))
	newer := filepath.Join(dir, "newer.db")
	db := openAt(t, newer, sqlite.Options{})
	db.Close()
	raw, err := sql.Open("sqlite", newer)
	must(t, err)
	_, err = raw.Exec(`INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')`)
	must(t, err)
	raw.Close()

	tests := []struct {
		name, path, want string
	}{
		{"empty name", "", "open store: empty file name"},
		{"loose mode", loose, fmt.Sprintf("open store: %s is accessible by other users (mode 0644); run: chmod 600 %s", loose, loose)},
		{"directory", dir, fmt.Sprintf("open store: %s is not a regular file", dir)},
		{"missing directory", filepath.Join(dir, "no", "such.db"), "create store: open " + filepath.Join(dir, "no", "such.db") + ": no such file or directory"},
		{"newer schema", newer, fmt.Sprintf("open store %s: its schema version 999 is newer than this oauthkit knows (8); upgrade oauthkit", newer)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sqlite.Open(t.Context(), tt.path, sqlite.Options{})
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded, want error %q", tt.path, tt.want)
			}
			if err.Error() != tt.want {
				t.Fatalf("Open(%q) error:\n got %q\nwant %q", tt.path, err, tt.want)
			}
		})
	}
}

func TestSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	db := openAt(t, path, sqlite.Options{})
	ctx := t.Context()
	must(t, db.Clients().Put(ctx, store.Client{ID: "web", Scopes: []string{"openid"}}))
	must(t, db.RefreshTokens().CreateFamily(ctx, family("fam"), refresh("sha256:r1", t0)))
	_, err := db.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:r1", Next: refresh("sha256:r2", t0.Add(time.Minute)), Now: t0.Add(time.Minute)})
	must(t, err)
	must(t, db.Close())

	db = openAt(t, path, sqlite.Options{})
	c, err := db.Clients().Get(ctx, "web")
	must(t, err)
	if c.Scopes[0] != "openid" {
		t.Errorf("client after reopen: %+v", c)
	}
	old, _, err := db.RefreshTokens().Lookup(ctx, "sha256:r1")
	must(t, err)
	cur, _, err := db.RefreshTokens().Lookup(ctx, "sha256:r2")
	must(t, err)
	if old.Status != store.StatusRotated || cur.Status != store.StatusActive || cur.RefreshCount != 1 {
		t.Errorf("after reopen: old %s, current %s (count %d); want rotated, active (1)", old.Status, cur.Status, cur.RefreshCount)
	}
	// Reopening did not apply the migration twice.
	raw, err := sql.Open("sqlite", path)
	must(t, err)
	defer raw.Close()
	var versions string
	must(t, raw.QueryRow(`SELECT group_concat(version || ':' || name) FROM schema_migrations`).Scan(&versions))
	if want := "1:0001_init.sql,2:0002_oidc.sql,3:0003_extensions.sql,4:0004_shared_state.sql,5:0005_device_codes.sql,6:0006_par_resources.sql,7:0007_indexes.sql,8:0008_client_generation.sql"; versions != want {
		t.Errorf("schema_migrations = %q, want %q", versions, want)
	}
}

func TestOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "my store?x=1#frag %41.db")
	db := openAt(t, path, sqlite.Options{})
	must(t, db.Clients().Put(t.Context(), store.Client{ID: "web"}))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("store file not at the given path: %v", err)
	}
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
}

// Nothing issued is on disk in the clear (docs/security.md rule 27): the test
// hashes raw values as the server will, stores them, then reads every byte
// of the database and its WAL.
func TestNoRawValuesOnDisk(t *testing.T) {
	h, err := hashing.New("sha256", "")
	must(t, err)
	raw := func() string {
		b := make([]byte, 24)
		rand.Read(b)
		return "secret-" + hex.EncodeToString(b)
	}
	secret, code, rt1, rt2, at := raw(), raw(), raw(), raw(), raw()
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	db := openAt(t, path, sqlite.Options{})
	ctx := t.Context()
	must(t, db.Clients().Put(ctx, store.Client{ID: "web", SecretHash: h.Hash(secret)}))
	must(t, db.Codes().Create(ctx, store.Code{Hash: h.Hash(code), ClientID: "web", ExpiresAt: t0.Add(time.Minute)}))
	_, err = db.Codes().Redeem(ctx, h.Hash(code), t0)
	must(t, err)
	f := family("fam")
	f.CodeHash = h.Hash(code)
	must(t, db.RefreshTokens().CreateFamily(ctx, f, refresh(h.Hash(rt1), t0)))
	_, err = db.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: h.Hash(rt1), Next: refresh(h.Hash(rt2), t0), Now: t0})
	must(t, err)
	must(t, db.AccessTokens().Record(ctx, store.AccessToken{ID: h.Hash(at), FamilyID: "fam", ClientID: "web", ExpiresAt: t0.Add(time.Hour)}))

	check := func(when string) {
		var disk []byte
		for _, s := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(path + s)
			if err == nil {
				disk = append(disk, b...)
			}
		}
		for name, v := range map[string]string{"client secret": secret, "code": code, "refresh token 1": rt1, "refresh token 2": rt2, "access token": at} {
			if bytes.Contains(disk, []byte(v)) {
				t.Errorf("%s: the raw %s is on disk", when, name)
			}
			if !bytes.Contains(disk, []byte(h.Hash(v))) {
				t.Errorf("%s: the hash of the %s is not on disk (is the test reading the store?)", when, name)
			}
		}
	}
	check("while open")
	must(t, db.Close())
	check("after close")
}

// A second writer (another process) holding the lock past the busy timeout
// makes writes ErrUnavailable; reads go on (WAL) and writes resume once
// the lock is released, on the same store.
func TestBusyIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	db := openAt(t, path, sqlite.Options{BusyTimeout: 100 * time.Millisecond})
	ctx := t.Context()
	must(t, db.Clients().Put(ctx, store.Client{ID: "web"}))

	other, err := sql.Open("sqlite", path+"?_txlock=immediate")
	must(t, err)
	defer other.Close()
	tx, err := other.Begin()
	must(t, err)

	err = db.Clients().Put(ctx, store.Client{ID: "blocked"})
	if !errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), "SQLITE_BUSY") && !strings.Contains(err.Error(), "locked") {
		t.Fatalf("write while locked: error = %v, want ErrUnavailable (database is locked)", err)
	}
	if _, err := db.Clients().Get(ctx, "web"); err != nil {
		t.Fatalf("read while locked: %v", err)
	}
	must(t, tx.Rollback())
	must(t, db.Clients().Put(ctx, store.Client{ID: "after"}))
}

// Two stores on one file (two server processes) racing for one refresh
// token: SQL, not a Go mutex, picks the single winner, and nobody sees
// "database is locked".
func TestRotateRaceAcrossStores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	a := openAt(t, path, sqlite.Options{})
	b := openAt(t, path, sqlite.Options{})
	ctx := t.Context()
	must(t, a.RefreshTokens().CreateFamily(ctx, family("fam"), refresh("sha256:r0", t0)))
	now := t0.Add(time.Minute)
	errs := make([]error, storetest.Racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range storetest.Racers {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			<-start
			_, errs[i] = s.RefreshTokens().Rotate(ctx, store.Rotation{
				OldHash: "sha256:r0", Next: refresh(fmt.Sprintf("sha256:n%02d", i), now), Now: now,
			})
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrConcurrentUse):
			t.Errorf("racer %d: %v", i, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d racers rotated the token, want exactly 1", wins)
	}
}

// Several servers starting at once on a new file: every Open succeeds and
// the schema is applied once.
func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
			if err == nil {
				err = db.Clients().Put(t.Context(), store.Client{ID: fmt.Sprint("c", i)})
				db.Close()
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		}
	}
	db := openAt(t, path, sqlite.Options{})
	list, err := db.Clients().List(t.Context())
	must(t, err)
	if len(list) != n {
		t.Errorf("%d clients stored, want %d", len(list), n)
	}
}

// A store made by version 1 of the schema opens, gains the OpenID Connect
// columns with their defaults, and keeps its data.
func TestMigratesVersion1Store(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	v1, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	must(t, err)
	raw, err := sql.Open("sqlite", path)
	must(t, err)
	for _, stmt := range []string{string(v1),
		`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
		`INSERT INTO schema_migrations (version, name) VALUES (1, '0001_init.sql')`,
		`INSERT INTO clients VALUES ('web', '', 'Web', '["https://app.example/cb"]', '["authorization_code"]', '["openid"]', 'none', 0, 0, '', '{}', 0)`,
		`INSERT INTO auth_codes VALUES ('sha256:c1', 'web', '', 'openid', 'sub', '', '', 'n-1', 0, 9999999999999999, NULL)`,
	} {
		_, err := raw.Exec(stmt)
		must(t, err)
	}
	must(t, raw.Close())
	must(t, os.Chmod(path, 0o600))

	db := openAt(t, path, sqlite.Options{})
	c, err := db.Clients().Get(t.Context(), "web")
	must(t, err)
	if c.Name != "Web" || c.RedirectURIs[0] != "https://app.example/cb" || c.PostLogoutRedirectURIs != nil {
		t.Errorf("client after migration: %+v", c)
	}
	must(t, db.Clients().Put(t.Context(), store.Client{ID: "web", PostLogoutRedirectURIs: []string{"https://app.example/bye"}}))
	if c, err = db.Clients().Get(t.Context(), "web"); err != nil || len(c.PostLogoutRedirectURIs) != 1 {
		t.Errorf("post-logout URIs after Put: %v, %v", c.PostLogoutRedirectURIs, err)
	}
	code, err := db.Codes().Redeem(t.Context(), "sha256:c1", t0)
	must(t, err)
	if code.Nonce != "n-1" || code.SessionID != "" {
		t.Errorf("code after migration: nonce %q sid %q", code.Nonce, code.SessionID)
	}
}
