package token

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/keys"
)

// testKeys are the key pairs of testdata, loaded once per test.
type testKeys struct{ rsa, rsa2, ec256, ec384, ec521, ed *keys.Key }

func loadTestKeys(t testing.TB) testKeys {
	return testKeys{
		rsa: loadKey(t, "rsa"), rsa2: loadKey(t, "rsa2"),
		ec256: loadKey(t, "ec256"), ec384: loadKey(t, "ec384"), ec521: loadKey(t, "ec521"),
		ed: loadKey(t, "ed25519"),
	}
}

func TestVerifyAcceptsEachAlgorithm(t *testing.T) {
	k := loadTestKeys(t)
	tests := []struct {
		key  *keys.Key
		alg  string
		algs []string
	}{
		{k.rsa, "RS256", nil},
		{k.rsa, "RS384", []string{"RS384"}},
		{k.rsa, "RS512", []string{"RS512"}},
		{k.rsa, "PS256", []string{"PS256"}},
		{k.rsa, "PS384", []string{"RS256", "PS384"}},
		{k.rsa, "PS512", []string{"PS512"}},
		{k.ec256, "ES256", nil},
		{k.ec384, "ES384", nil},
		{k.ec521, "ES512", nil},
		{k.ed, "EdDSA", nil},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			tok := mustSign(t, claimsAt(nil), tt.key, SignOptions{Alg: tt.alg})
			v := &Verifier{Keys: []*keys.Key{public(tt.key)}, Algs: tt.algs, Issuer: "https://issuer.test", Audience: "api", Now: clock}
			got, err := v.Verify(tok)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Alg != tt.alg || got.Claims["sub"] != "alice" || got.Key.Public == nil {
				t.Fatalf("got alg %s claims %v", got.Alg, got.Claims)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	k := loadTestKeys(t)
	rsaKID, ecKID := k.rsa.KeyID(), k.ec256.KeyID()
	pubPEM, err := keys.EncodePublicPEM(k.rsa.Public)
	if err != nil {
		t.Fatal(err)
	}
	good := mustSign(t, claimsAt(nil), k.rsa, SignOptions{})
	parts := strings.Split(good, ".")
	sig, _ := decodeSegment(parts[2])
	flipped := append([]byte(nil), sig...)
	flipped[10] ^= 0x01
	expired := mustSign(t, claimsAt(map[string]any{"exp": fixedNow.Add(-5 * time.Minute).Unix()}), k.rsa, SignOptions{})
	expiredBadSig := replacePayload(t, expired, claimsAt(map[string]any{"exp": fixedNow.Add(-5 * time.Minute).Unix(), "sub": "mallory"}))
	// The last character of a 256-byte signature carries 4 unused bits;
	// changing them must not decode to the same signature.
	last := parts[2][len(parts[2])-1]
	lowBits := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", last)
	padFlip := parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[lowBits^1])

	rsaOnly := func(v *Verifier) { v.Keys = []*keys.Key{public(k.rsa)} }
	tests := []struct {
		name   string
		token  string
		setup  func(*Verifier)
		kind   Kind
		msg    string
		target error
	}{
		{"alg none", unsigned(t, map[string]any{"alg": "none", "typ": "JWT"}, claimsAt(nil)), rsaOnly,
			KindAlgorithm, `alg "none" is refused: unsigned tokens are never accepted`, ErrAlgorithm},
		{"alg None with signature", unsigned(t, map[string]any{"alg": "None"}, claimsAt(nil)) + "AAAA", rsaOnly,
			KindAlgorithm, `alg "None" is refused: unsigned tokens are never accepted`, ErrAlgorithm},
		{"HS256 keyed with the public key", hmacToken(t, map[string]any{"alg": "HS256", "kid": rsaKID}, claimsAt(nil), pubPEM), rsaOnly,
			KindAlgorithm, `alg "HS256" is refused: HMAC (shared-secret) algorithms are not accepted, only public-key ones (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)`, ErrAlgorithm},
		{"HS256 even when listed", hmacToken(t, map[string]any{"alg": "HS256"}, claimsAt(nil), pubPEM), rsaOnly,
			KindAlgorithm, `alg "HS256" is refused: HMAC (shared-secret) algorithms are not accepted, only public-key ones (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)`, ErrAlgorithm},
		{"unknown alg", unsigned(t, map[string]any{"alg": "XS1"}, claimsAt(nil)) + "AAAA", rsaOnly,
			KindAlgorithm, `alg "XS1" is not supported (supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)`, ErrAlgorithm},
		{"alg not pinned for the key", mustSign(t, claimsAt(nil), k.rsa, SignOptions{Alg: "PS256"}), rsaOnly,
			KindAlgorithm, fmt.Sprintf(`alg PS256 is not allowed for the RSA 2048-bit key %q (allowed: RS256)`, rsaKID), ErrAlgorithm},
		{"jwk alg wins over --alg", mustSign(t, claimsAt(nil), k.rsa, SignOptions{Alg: "PS256"}),
			func(v *Verifier) {
				v.Keys = []*keys.Key{{Public: k.rsa.Public, Alg: "RS256"}}
				v.Algs = []string{"PS256"}
			},
			KindAlgorithm, fmt.Sprintf(`alg PS256 is not allowed for the RSA 2048-bit key %q (no algorithm is: check the key's use and alg)`, rsaKID), ErrAlgorithm},
		{"key for encryption only", good,
			func(v *Verifier) { v.Keys = []*keys.Key{{Public: k.rsa.Public, Use: "enc"}} },
			KindAlgorithm, fmt.Sprintf(`alg RS256 is not allowed for the RSA 2048-bit key %q (no algorithm is: check the key's use and alg)`, rsaKID), ErrAlgorithm},
		{"EC alg of another curve", mustSign(t, claimsAt(nil), k.ec384, SignOptions{KID: ecKID}),
			func(v *Verifier) { v.Keys = []*keys.Key{public(k.ec256)}; v.Algs = []string{"ES256", "ES384"} },
			KindAlgorithm, fmt.Sprintf(`alg ES384 is not allowed for the EC P-256 key %q (allowed: ES256)`, ecKID), ErrAlgorithm},
		{"no kid, no key for the alg", mustSign(t, claimsAt(nil), k.ec256, SignOptions{OmitKID: true}), nil,
			KindAlgorithm, fmt.Sprintf(`alg ES256 is not allowed for the 2 keys RSA 2048-bit %q, RSA 2048-bit %q (allowed: RS256)`, rsaKID, k.rsa2.KeyID()), ErrAlgorithm},
		// Issue 14 item 9: the key is named by its own kid and type, not by
		// the kid the token carries.
		{"RS256 token with its kid, an EC key", mustSign(t, claimsAt(nil), k.rsa, SignOptions{KID: "token-kid"}),
			func(v *Verifier) { v.Keys = []*keys.Key{public(k.ec256)} },
			KindAlgorithm, fmt.Sprintf(`alg RS256 is not allowed for the EC P-256 key %q (allowed: ES256)`, ecKID), ErrAlgorithm},
		{"unknown kid", mustSign(t, claimsAt(nil), k.rsa, SignOptions{KID: "nope"}),
			func(v *Verifier) {
				v.Keys = []*keys.Key{{Public: k.rsa.Public, KID: "k1"}, {Public: k.rsa2.Public, KID: "k2"}}
			},
			KindUnknownKey, `no key has kid "nope" (known: "k1", "k2")`, ErrUnknownKey},
		{"foreign kid, anonymous key of another pair", mustSign(t, claimsAt(nil), k.rsa, SignOptions{KID: "nope"}),
			func(v *Verifier) { v.Keys = []*keys.Key{{Public: k.rsa.Public, KID: "k1"}, public(k.rsa2)} },
			KindSignature, `token signature is invalid (alg RS256, kid "nope")`, ErrSignature},
		{"kid of another key", mustSign(t, claimsAt(nil), k.rsa2, SignOptions{KID: rsaKID}), nil,
			KindSignature, fmt.Sprintf(`token signature is invalid (alg RS256, kid %q)`, rsaKID), ErrSignature},
		{"bit-flipped signature", parts[0] + "." + parts[1] + "." + encodeSegment(flipped), nil,
			KindSignature, fmt.Sprintf(`token signature is invalid (alg RS256, kid %q)`, rsaKID), ErrSignature},
		{"bit-flipped payload", replacePayload(t, good, claimsAt(map[string]any{"sub": "alicf"})), nil,
			KindSignature, fmt.Sprintf(`token signature is invalid (alg RS256, kid %q)`, rsaKID), ErrSignature},
		{"unused bits of the signature changed", padFlip, nil,
			KindMalformed, "signature is not valid base64url: illegal base64 data at input byte 340", ErrMalformed},
		{"truncated signature", good[:len(good)-6], nil,
			KindSignature, fmt.Sprintf(`token signature is invalid (alg RS256, kid %q)`, rsaKID), ErrSignature},
		{"truncated to two parts", parts[0] + "." + parts[1], nil,
			KindMalformed, "token has 2 part(s) separated by '.', a signed JWT has 3 (header.payload.signature)", ErrMalformed},
		{"truncated in the payload", good[:len(parts[0])+10], nil,
			KindMalformed, "token has 2 part(s) separated by '.', a signed JWT has 3 (header.payload.signature)", ErrMalformed},
		{"empty signature", parts[0] + "." + parts[1] + ".", nil,
			KindSignature, "token signature is empty", ErrSignature},
		{"expired and badly signed", expiredBadSig, nil,
			KindSignature, fmt.Sprintf(`token signature is invalid (alg RS256, kid %q)`, rsaKID), ErrSignature},
		{"expired", expired, nil,
			KindExpired, "token expired at 2026-11-23T09:55:00Z (5m ago)", ErrExpired},
		{"expired beyond the leeway", mustSign(t, claimsAt(map[string]any{"exp": fixedNow.Add(-90 * time.Second).Unix()}), k.rsa, SignOptions{}),
			func(v *Verifier) { v.Leeway = time.Minute },
			KindExpired, "token expired at 2026-11-23T09:58:30Z (1m30s ago), beyond the 1m0s leeway", ErrExpired},
		{"expires exactly now", mustSign(t, claimsAt(map[string]any{"exp": fixedNow.Unix()}), k.rsa, SignOptions{}), nil,
			KindExpired, "token expired at 2026-11-23T10:00:00Z (now)", ErrExpired},
		{"missing exp", mustSign(t, claimsAt(map[string]any{"exp": nil}), k.rsa, SignOptions{}), nil,
			KindMissingExp, "token has no exp (expiration) claim, and one is required", ErrMissingExp},
		{"exp not a number", mustSign(t, claimsAt(map[string]any{"exp": "tomorrow"}), k.rsa, SignOptions{}), nil,
			KindMalformed, "exp claim is a string, not a NumericDate (seconds since 1970)", ErrMalformed},
		{"exp out of range", mustSign(t, claimsAt(map[string]any{"exp": 1e300}), k.rsa, SignOptions{}), nil,
			KindMalformed, "exp claim 1e+300 is out of range", ErrMalformed},
		{"not yet valid", mustSign(t, claimsAt(map[string]any{"nbf": fixedNow.Add(3 * time.Minute).Unix()}), k.rsa, SignOptions{}), nil,
			KindNotYetValid, "token is not valid before 2026-11-23T10:03:00Z (in 3m)", ErrNotYetValid},
		{"issued in the future", mustSign(t, claimsAt(map[string]any{"iat": fixedNow.Add(2 * time.Hour).Unix()}), k.rsa, SignOptions{}),
			func(v *Verifier) { v.Leeway = 30 * time.Second },
			KindNotYetValid, "token was issued in the future, at 2026-11-23T12:00:00Z (in 2h), beyond the 30s leeway", ErrNotYetValid},
		{"wrong issuer", mustSign(t, claimsAt(map[string]any{"iss": "https://evil.test"}), k.rsa, SignOptions{}), nil,
			KindIssuer, `token issuer "https://evil.test" is not the expected "https://issuer.test"`, ErrIssuer},
		{"missing issuer", mustSign(t, claimsAt(map[string]any{"iss": nil}), k.rsa, SignOptions{}), nil,
			KindIssuer, `token has no iss claim, expected "https://issuer.test"`, ErrIssuer},
		{"issuer not a string", mustSign(t, claimsAt(map[string]any{"iss": []string{"https://issuer.test"}}), k.rsa, SignOptions{}), nil,
			KindIssuer, `token iss claim is an array, expected the string "https://issuer.test"`, ErrIssuer},
		{"wrong audience", mustSign(t, claimsAt(map[string]any{"aud": "other"}), k.rsa, SignOptions{}), nil,
			KindAudience, `token audience ["other"] does not include the expected "api"`, ErrAudience},
		{"audience array without the expected one", mustSign(t, claimsAt(map[string]any{"aud": []string{"a", "b"}}), k.rsa, SignOptions{}), nil,
			KindAudience, `token audience ["a", "b"] does not include the expected "api"`, ErrAudience},
		{"audience prefix is not enough", mustSign(t, claimsAt(map[string]any{"aud": "api2"}), k.rsa, SignOptions{}), nil,
			KindAudience, `token audience ["api2"] does not include the expected "api"`, ErrAudience},
		{"missing audience", mustSign(t, claimsAt(map[string]any{"aud": nil}), k.rsa, SignOptions{}), nil,
			KindAudience, `token has no aud claim, expected "api"`, ErrAudience},
		{"audience of numbers", mustSign(t, claimsAt(map[string]any{"aud": []int{1}}), k.rsa, SignOptions{}), nil,
			KindAudience, `aud claim holds a number; it must be a string or an array of strings`, ErrAudience},
		{"wrong typ", good, func(v *Verifier) { v.Type = "at+jwt" },
			KindType, `token typ "JWT" is not the expected "at+jwt"`, ErrType},
		{"crit header", signRaw(t, `{"alg":"RS256","crit":["exp"],"exp":1}`, claimsAt(nil), k.rsa), nil,
			KindMalformed, "header lists critical extensions [exp], none of which are understood", ErrMalformed},
		{"kid not a string", unsigned(t, map[string]any{"alg": "RS256", "kid": 7}, claimsAt(nil)) + "AAAA", nil,
			KindMalformed, "header kid is a number, not a string", ErrMalformed},
		{"no alg", unsigned(t, map[string]any{"typ": "JWT"}, claimsAt(nil)) + "AAAA", nil,
			KindMalformed, "header has no alg (or it is not a string)", ErrMalformed},
		{"oversized garbage", strings.Repeat("A", 1<<20), nil,
			KindMalformed, "token is 1048576 bytes long, more than the 65536 accepted", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &Verifier{
				Keys:     []*keys.Key{public(k.rsa), public(k.rsa2)},
				Issuer:   "https://issuer.test",
				Audience: "api",
				Now:      clock,
			}
			if tt.setup != nil {
				tt.setup(v)
			}
			got, err := v.Verify(tt.token)
			if err == nil {
				t.Fatalf("Verify accepted the token: %v", got.Claims)
			}
			if KindOf(err) != tt.kind {
				t.Errorf("kind %v, want %v (%v)", KindOf(err), tt.kind, err)
			}
			if err.Error() != tt.msg {
				t.Errorf("message\n got: %s\nwant: %s", err, tt.msg)
			}
			if !errors.Is(err, tt.target) {
				t.Errorf("errors.Is(%v, %v) is false", err, tt.target)
			}
		})
	}
}
