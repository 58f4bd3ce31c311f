package flow

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// RandomValue returns n random bytes from crypto/rand, base64url without
// padding: 16 bytes (128 bits) give 22 characters, 32 bytes give 43.
func RandomValue(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewState returns a fresh state or nonce value with 256 bits of entropy.
func NewState() string { return RandomValue(32) }

// NewCodeVerifier returns a fresh PKCE code_verifier: 32 random bytes, 43
// characters of the unreserved set (RFC 7636 §4.1, docs/security.md rule 32).
func NewCodeVerifier() string { return RandomValue(32) }

// S256Challenge is the PKCE S256 code_challenge of a verifier (RFC 7636 §4.2).
func S256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CheckCodeVerifier checks a verifier given by the user: 43–128 characters
// of [A-Za-z0-9-._~] (RFC 7636 §4.1).
func CheckCodeVerifier(v string) error {
	if len(v) < 43 || len(v) > 128 {
		return fmt.Errorf("code_verifier must be 43 to 128 characters (RFC 7636 §4.1), got %d", len(v))
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return fmt.Errorf("code_verifier has a character outside [A-Za-z0-9-._~] at byte %d (RFC 7636 §4.1)", i)
		}
	}
	return nil
}
