package serve

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/internal/iostreams"
	"github.com/oauthkit/oauthkit/internal/store/backend"
)

// countingPasswords is the real argon2id, counted.
type countingPasswords struct{ hashes, verifies atomic.Int32 }

func (c *countingPasswords) hasher() *passwordHasher {
	return &passwordHasher{
		hash:   func(pw string) (string, error) { c.hashes.Add(1); return config.HashPassword(pw) },
		verify: func(h, pw string) (bool, error) { c.verifies.Add(1); return config.VerifyPassword(h, pw) },
	}
}

// take returns the counts since the last call and resets them.
func (c *countingPasswords) take() (hashes, verifies int32) {
	return c.hashes.Swap(0), c.verifies.Swap(0)
}

// setupZeroConfig runs serve's setup on the zero-config state in dir and
// closes the store again.
func setupZeroConfig(t *testing.T, dir string, pw *passwordHasher) *demoCredentials {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	opts := &Options{Factory: cmdutil.NewFactory(ios, func(string) string { return "" }), Addr: "127.0.0.1:0",
		LogFormat: "text", StateDir: dir, passwords: pw}
	p, err := setup(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer p.st.Close()
	u, err := p.st.Users().Get(context.Background(), p.demo.Username)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := config.VerifyPassword(u.PasswordHash, p.demo.Password); err != nil || !ok {
		t.Fatalf("the stored hash does not match the demo password %q: %v", p.demo.Password, err)
	}
	return p.demo
}

// A zero-config restart on existing state runs no argon2id (64 MiB, most
// of the start-up time before): the hash saved with the demo credentials
// is compared with the stored one. A file without it (an older oauthkit)
// costs one verification, once; a store whose user has another password
// gets new credentials.
func TestZeroConfigRestartHashesNoPassword(t *testing.T) {
	dir := t.TempDir()
	var n countingPasswords
	first := setupZeroConfig(t, dir, n.hasher())
	if h, v := n.take(); h != 1 || v != 0 {
		t.Fatalf("first start: %d hashes, %d verifications; want 1, 0", h, v)
	}
	again := setupZeroConfig(t, dir, n.hasher())
	if h, v := n.take(); h != 0 || v != 0 {
		t.Fatalf("restart: %d hashes, %d verifications; want none", h, v)
	}
	if *again != *first {
		t.Fatalf("restart changed the demo credentials: %+v, want %+v", again, first)
	}

	// demo-credentials.json as an older oauthkit wrote it: no password_hash.
	path := filepath.Join(dir, "demo-credentials.json")
	old := map[string]string{}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &old); err != nil || old["password_hash"] == "" {
		t.Fatalf("saved credentials %s: no password_hash (%v)", data, err)
	}
	delete(old, "password_hash")
	data, _ = json.Marshal(old)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := setupZeroConfig(t, dir, n.hasher()); *got != *first {
		t.Fatalf("credentials without a hash: got %+v, want %+v", got, first)
	}
	if h, v := n.take(); h != 0 || v != 1 {
		t.Fatalf("credentials without a hash: %d hashes, %d verifications; want 0, 1", h, v)
	}
	setupZeroConfig(t, dir, n.hasher())
	if h, v := n.take(); h != 0 || v != 0 {
		t.Fatalf("restart after the upgrade: %d hashes, %d verifications; want none", h, v)
	}

	// The store's user got another password: the saved hash differs, the
	// password is checked, fails, and new credentials replace the old ones.
	other, err := config.HashPassword("not the demo password")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := backend.Open(ctx, "sqlite:"+filepath.Join(dir, "oauthkit.db"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.Users().Get(ctx, first.Username)
	if err != nil {
		t.Fatal(err)
	}
	u.PasswordHash = other
	if err := st.Users().Put(ctx, u); err != nil {
		t.Fatal(err)
	}
	st.Close()
	renewed := setupZeroConfig(t, dir, n.hasher())
	if h, v := n.take(); h != 1 || v != 1 {
		t.Fatalf("mismatched hash: %d hashes, %d verifications; want 1, 1", h, v)
	}
	if renewed.Password == first.Password || renewed.ClientSecret == first.ClientSecret {
		t.Fatal("a store that does not match the saved credentials kept them")
	}
}
