package conformance

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRule55_ClientSecretsHMACWithServerKey (issue 13 item 17): configured
// plain client secrets are stored as HMAC-SHA-256 under a random server key
// kept 0600 beside the store (not in it), never as a bare SHA-256; a short
// secret is warned about on stderr; the key survives a restart.
func TestRule55_ClientSecretsHMACWithServerKey(t *testing.T) {
	dir := t.TempDir()
	s, err := launch(dir, baseConfig)
	if err != nil {
		t.Fatal(err)
	}
	mustTokens(t, s.token(t, asPost, url.Values{"grant_type": {"client_credentials"}}), "client_credentials")
	s.kill()

	data, err := os.ReadFile(s.store)
	if err != nil {
		t.Fatal(err)
	}
	if wal, err := os.ReadFile(s.store + "-wal"); err == nil { // kill -9 leaves the last commits in the WAL
		data = append(data, wal...)
	}
	for name, secret := range map[string]string{"basic-client": basicSecret, "post-client": postSecret} {
		sum := sha256.Sum256([]byte(secret))
		if bytes.Contains(data, []byte(hex.EncodeToString(sum[:]))) {
			t.Errorf("the store holds the bare SHA-256 of %s's secret", name)
		}
	}
	if !bytes.Contains(data, []byte("hmac-sha256:")) {
		t.Error("the store holds no hmac-sha256 client secret")
	}
	keyFile := s.store + ".secret-key"
	fi, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("no server key beside the store: %v", err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
		t.Errorf("%s: mode %04o size %d, want 0600 and 32 bytes", filepath.Base(keyFile), fi.Mode().Perm(), fi.Size())
	}
	key, _ := os.ReadFile(keyFile)
	if bytes.Contains(data, key) {
		t.Error("the server key is inside the store file")
	}
	// post-s3cret is 11 characters: warned about, with its file and line.
	if want := "oauthkit: warning: " + filepath.Join(dir, "config.yaml"); !strings.Contains(s.stderr.String(), want) ||
		!strings.Contains(s.stderr.String(), "clients[1].secret: the secret is shorter than 16 characters") {
		t.Errorf("no short-secret warning on stderr:\n%s", tail(s.stderr.String(), 2000))
	}
	// Restarted on the same store and key, the secrets still work; a wrong
	// one is refused.
	s2, err := launch(dir, baseConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.kill()
	mustTokens(t, s2.token(t, asBasic, url.Values{"grant_type": {"client_credentials"}}), "client_credentials after a restart")
	wantTokenError(t, s2.token(t, postAuth(postID, postSecret+"x"), url.Values{"grant_type": {"client_credentials"}}), http.StatusUnauthorized, "invalid_client")
}
