package authserver

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"testing"
)

// pkceSyntax is RFC 7636 §4.1 written as a regular expression, an oracle
// independent of ValidPKCEValue's byte loop.
var pkceSyntax = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// FuzzPKCEVerify checks PKCE verification as the token endpoint applies it
// (grant_authorization_code.go: the verifier's syntax, then S256): a
// verifier is accepted for a challenge if and only if it is 43–128
// unreserved characters and BASE64URL(SHA-256(verifier)) equals the
// challenge exactly. derive makes the fuzzer reach the matching pairs: 1
// uses the verifier's own S256 as the challenge, 2 that challenge with one
// character changed, anything else the challenge as given.
func FuzzPKCEVerify(f *testing.F) {
	const rfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 Appendix B
	const rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	f.Add(rfcVerifier, rfcChallenge, uint8(0))
	f.Add(rfcVerifier, rfcChallenge+"=", uint8(0))
	f.Add(rfcVerifier, "", uint8(1))
	f.Add(rfcVerifier, "", uint8(2))
	f.Add(rfcVerifier[:42], "", uint8(1))                    // 42 characters: too short
	f.Add(rfcVerifier+rfcVerifier+rfcVerifier, "", uint8(1)) // 129 characters: too long
	f.Add("dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk", "", uint8(1))
	f.Add("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX\u00e9", "", uint8(1))
	f.Add(rfcVerifier, rfcVerifier, uint8(0)) // plain: the challenge is the verifier
	f.Add(rfcVerifier, "e9melhoa2owvfremtjguchaoek1t8urwbugjsstw-cm", uint8(0))
	f.Fuzz(func(t *testing.T, verifier, challenge string, derive uint8) {
		sum := sha256.Sum256([]byte(verifier))
		s256 := base64.RawURLEncoding.EncodeToString(sum[:])
		switch derive {
		case 1:
			challenge = s256
		case 2:
			b := []byte(s256)
			i := len(challenge) % len(b)
			b[i] ^= 0x01 // stays in the base64url alphabet or leaves it; either way differs
			challenge = string(b)
		}
		valid := ValidPKCEValue(verifier)
		if want := pkceSyntax.MatchString(verifier); valid != want {
			t.Fatalf("ValidPKCEValue(%q) = %v, RFC 7636 §4.1 says %v", verifier, valid, want)
		}
		if want := pkceSyntax.MatchString(challenge); ValidPKCEValue(challenge) != want {
			t.Fatalf("ValidPKCEValue(challenge %q) = %v, RFC 7636 §4.2 says %v", challenge, !want, want)
		}
		matches := VerifyPKCE(verifier, challenge)
		if want := s256 == challenge; matches != want {
			t.Fatalf("VerifyPKCE(%q, %q) = %v, want %v", verifier, challenge, matches, want)
		}
		if matches && !ValidPKCEValue(challenge) {
			t.Fatalf("a challenge that matched is not a valid PKCE value: %q", challenge)
		}
		accepted := valid && matches
		if want := pkceSyntax.MatchString(verifier) && s256 == challenge; accepted != want {
			t.Fatalf("verifier %q, challenge %q: accepted %v, want %v", verifier, challenge, accepted, want)
		}
	})
}
