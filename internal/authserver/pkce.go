package authserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// PKCE (RFC 7636). Only S256 is offered (docs/security.md rule 6).
const PKCEMethodS256 = "S256"

// ValidPKCEValue reports whether v is 43–128 characters of the unreserved
// set [A-Za-z0-9-._~] (RFC 7636 §4.1 for verifiers, §4.2 for challenges).
func ValidPKCEValue(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// VerifyPKCE checks a code_verifier against an S256 challenge in constant time.
func VerifyPKCE(verifier, challenge string) bool {
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
