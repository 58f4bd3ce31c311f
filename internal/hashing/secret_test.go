package hashing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docs/security.md rule 55: client secrets as HMAC-SHA-256 under a server
// key that is created 0600 once and then reused.
func TestClientSecretHMAC(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db.secret-key")
	key, err := LoadSecretKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || len(key) != SecretKeySize {
		t.Fatalf("key file %v mode %v, key %d bytes", err, fi.Mode().Perm(), len(key))
	}
	again, err := LoadSecretKey(path)
	if err != nil || again != key {
		t.Fatalf("the key changed on reload (%v)", err)
	}
	h := &Hasher{SecretKey: key}
	stored := h.HashSecret("correct horse battery staple")
	if !strings.HasPrefix(stored, "hmac-sha256:") || len(stored) != len("hmac-sha256:")+64 {
		t.Fatalf("stored form %q", stored)
	}
	if stored == (&Hasher{SecretKey: strings.Repeat("k", 32)}).HashSecret("correct horse battery staple") {
		t.Error("two keys give the same HMAC")
	}
	if !h.MatchSecret("correct horse battery staple", stored) || h.MatchSecret("correct horse battery stapl", stored) {
		t.Error("MatchSecret does not tell the right secret from a wrong one")
	}
	if (&Hasher{}).MatchSecret("correct horse battery staple", stored) {
		t.Error("an HMAC matched without the key")
	}
	// Digests from secret_hash keep working.
	if !h.MatchSecret("s", hashWith(SHA512, "s")) || h.MatchSecret("t", hashWith(SHA512, "s")) {
		t.Error("a sha512 secret_hash does not match as before")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSecretKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a 0644 key file: %v, want a refusal naming chmod 600", err)
	}
}
