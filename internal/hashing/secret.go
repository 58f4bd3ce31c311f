package hashing

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// HMACSHA256 is the stored form of client secrets configured in plain
// text: "hmac-sha256:<hex>" keyed with the server's secret key, so a copy
// of the store alone does not allow guessing them offline (docs/security.md
// rule 55). HMAC and not a slow KDF: client authentication runs on every
// client_credentials request, and a long random secret needs no stretching.
const HMACSHA256 = "hmac-sha256"

// SecretKeySize is the size of the server's secret key in bytes.
const SecretKeySize = 32

// LoadSecretKey reads the server's secret key from path, creating it (32
// random bytes, mode 0600) when it does not exist; a key file others may
// read is refused. An empty path gives a fresh key kept in memory only (a
// store that does not outlive the process).
func LoadSecretKey(path string) (string, error) {
	if path == "" {
		key := make([]byte, SecretKeySize)
		_, _ = rand.Read(key) // crypto/rand.Read never fails (Go ≥ 1.24)
		return string(key), nil
	}
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err := createSecretKey(path)
		if errors.Is(err, fs.ErrExist) { // another server sharing the file made it just now
			return LoadSecretKey(path)
		}
		return key, err
	}
	if err != nil {
		return "", fmt.Errorf("reading the secret key: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("reading the secret key: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("the secret key %s is accessible by other users (mode %04o); run: chmod 600 %s", path, perm, path)
	}
	if len(key) != SecretKeySize {
		return "", fmt.Errorf("the secret key %s is %d bytes, want %d; remove it to make a new one", path, len(key), SecretKeySize)
	}
	return string(key), nil
}

// createSecretKey writes a new key to a temporary file beside path and
// links it to path, so that a process reading path never sees it half
// written; fs.ErrExist when path appeared meanwhile.
func createSecretKey(path string) (string, error) {
	key := make([]byte, SecretKeySize)
	_, _ = rand.Read(key)                                        // crypto/rand.Read never fails (Go ≥ 1.24)
	f, err := os.CreateTemp(filepath.Dir(path), ".secret-key-*") // mode 0600
	if err != nil {
		return "", fmt.Errorf("creating the secret key %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, werr := f.Write(key)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return "", fmt.Errorf("writing the secret key %s: %w", path, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", err
		}
		return "", fmt.Errorf("creating the secret key %s: %w", path, err)
	}
	return string(key), nil
}

// HashSecret returns the stored form of a client secret: HMAC-SHA-256
// with the server's SecretKey, or Hash(secret) when the Hasher has no key.
func (h *Hasher) HashSecret(secret string) string {
	if h == nil || len(h.SecretKey) == 0 {
		return h.Hash(secret)
	}
	m := hmac.New(sha256.New, []byte(h.SecretKey))
	m.Write([]byte(secret))
	return HMACSHA256 + ":" + hex.EncodeToString(m.Sum(nil))
}

// MatchSecret reports, in constant time, whether secret matches a stored
// client secret of any supported form: hmac-sha256 (with this Hasher's
// key), a digest ("sha256:…", from secret_hash in the configuration) or
// plain.
func (h *Hasher) MatchSecret(secret, stored string) bool {
	alg, _, ok := strings.Cut(stored, ":")
	if !ok {
		return false
	}
	var want string
	switch {
	case alg == HMACSHA256:
		if h == nil || len(h.SecretKey) == 0 {
			return false
		}
		want = h.HashSecret(secret)
	case alg == Plain || isDigest(alg):
		want = hashWith(alg, secret)
	default:
		return false
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(stored)) == 1
}
