package token

import (
	"crypto"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/keys"
)

func TestVerifySelectsKeyAndAccepts(t *testing.T) {
	k := loadTestKeys(t)
	set := []*keys.Key{public(k.rsa), public(k.ec256), public(k.rsa2), public(k.ed)}
	tests := []struct {
		name    string
		token   string
		setup   func(*Verifier)
		wantKey *keys.Key
	}{
		{"kid selects the second RSA key", mustSign(t, claimsAt(nil), k.rsa2, SignOptions{}), nil, k.rsa2},
		{"kid selects the EC key", mustSign(t, claimsAt(nil), k.ec256, SignOptions{}), nil, k.ec256},
		{"no kid: the RSA keys are tried", mustSign(t, claimsAt(nil), k.rsa2, SignOptions{OmitKID: true}), nil, k.rsa2},
		{"no kid: EdDSA", mustSign(t, claimsAt(nil), k.ed, SignOptions{OmitKID: true}), nil, k.ed},
		{"kid given in the JWK", mustSign(t, claimsAt(nil), k.rsa, SignOptions{KID: "2026-11"}),
			func(v *Verifier) { v.Keys = []*keys.Key{public(k.rsa2), {Public: k.rsa.Public, KID: "2026-11"}} }, k.rsa},
		{"foreign kid: keys without a kid are tried", mustSign(t, claimsAt(nil), k.rsa2, SignOptions{KID: "issuer-2026"}), nil, k.rsa2},
		{"foreign kid: not the keys with another kid", mustSign(t, claimsAt(nil), k.rsa, SignOptions{KID: "issuer-2026"}),
			func(v *Verifier) { v.Keys = []*keys.Key{{Public: k.rsa2.Public, KID: "other"}, public(k.rsa)} }, k.rsa},
		{"expired within the leeway", mustSign(t, claimsAt(map[string]any{"exp": fixedNow.Add(-20 * time.Second).Unix()}), k.rsa, SignOptions{}),
			func(v *Verifier) { v.Leeway = 30 * time.Second }, k.rsa},
		{"nbf within the leeway", mustSign(t, claimsAt(map[string]any{"nbf": fixedNow.Add(20 * time.Second).Unix(), "iat": fixedNow.Add(20 * time.Second).Unix()}), k.rsa, SignOptions{}),
			func(v *Verifier) { v.Leeway = 30 * time.Second }, k.rsa},
		{"missing exp allowed", mustSign(t, claimsAt(map[string]any{"exp": nil}), k.rsa, SignOptions{}),
			func(v *Verifier) { v.AllowMissingExp = true }, k.rsa},
		{"fractional exp", mustSign(t, claimsAt(map[string]any{"exp": float64(fixedNow.Unix()) + 0.5}), k.rsa, SignOptions{}), nil, k.rsa},
		{"audience in an array", mustSign(t, claimsAt(map[string]any{"aud": []string{"web", "api"}}), k.rsa, SignOptions{}), nil, k.rsa},
		{"no iss or aud expected", mustSign(t, claimsAt(map[string]any{"iss": nil, "aud": nil}), k.rsa, SignOptions{}),
			func(v *Verifier) { v.Issuer, v.Audience = "", "" }, k.rsa},
		{"typ at+jwt", mustSign(t, claimsAt(nil), k.rsa, SignOptions{Typ: "at+jwt"}),
			func(v *Verifier) { v.Type = "at+jwt" }, k.rsa},
		{"typ application/at+jwt", mustSign(t, claimsAt(nil), k.rsa, SignOptions{Typ: "application/AT+JWT"}),
			func(v *Verifier) { v.Type = "at+jwt" }, k.rsa},
		{"pinned PS256 with the key's default RS256 not listed", mustSign(t, claimsAt(nil), k.rsa, SignOptions{Alg: "PS256"}),
			func(v *Verifier) { v.Algs = []string{"PS256", "ES256"} }, k.rsa},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &Verifier{Keys: set, Issuer: "https://issuer.test", Audience: "api", Now: clock}
			if tt.setup != nil {
				tt.setup(v)
			}
			got, err := v.Verify(tt.token)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !got.Key.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(tt.wantKey.Public) {
				t.Fatalf("verified with key %s, want %s", got.Key.KeyID(), tt.wantKey.KeyID())
			}
		})
	}
}

func TestVerifierConfigErrors(t *testing.T) {
	k := loadTestKeys(t)
	tok := mustSign(t, claimsAt(nil), k.rsa, SignOptions{})
	tests := []struct {
		name string
		v    Verifier
		msg  string
	}{
		{"no keys", Verifier{Now: clock}, "token verifier has no keys"},
		{"nil key", Verifier{Keys: []*keys.Key{nil}, Now: clock}, "token verifier has an empty key"},
		{"HMAC pinned", Verifier{Keys: []*keys.Key{k.rsa}, Algs: []string{"HS256"}, Now: clock},
			`token verifier: alg "HS256" is refused: HMAC (shared-secret) algorithms are not accepted, only public-key ones (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)`},
		{"none pinned", Verifier{Keys: []*keys.Key{k.rsa}, Algs: []string{"none"}, Now: clock}, `token verifier: alg "none" is refused: unsigned tokens are never accepted`},
		{"negative leeway", Verifier{Keys: []*keys.Key{k.rsa}, Leeway: -time.Second, Now: clock}, "token verifier: negative leeway -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.v.Verify(tok)
			if err == nil || err.Error() != tt.msg {
				t.Fatalf("err = %v, want %s", err, tt.msg)
			}
		})
	}
}

func TestVerifyDefaultClockIsNow(t *testing.T) {
	k := loadTestKeys(t)
	// Signed for fixedNow; with the real clock (nil Now) the outcome
	// depends only on whether fixedNow+5m has passed.
	tok := mustSign(t, claimsAt(nil), k.rsa, SignOptions{})
	_, err := (&Verifier{Keys: []*keys.Key{k.rsa}}).Verify(tok)
	now := time.Now()
	switch {
	case now.Before(fixedNow.Add(-time.Minute)):
		if KindOf(err) != KindNotYetValid {
			t.Fatalf("err = %v, want not yet valid", err)
		}
	case !now.Before(fixedNow.Add(5 * time.Minute)):
		if KindOf(err) != KindExpired {
			t.Fatalf("err = %v, want expired", err)
		}
	}
}

func TestVerifyHugeTokenIsFast(t *testing.T) {
	k := loadTestKeys(t)
	v := &Verifier{Keys: []*keys.Key{k.rsa}, Now: clock}
	huge := "eyJhbGciOiJSUzI1NiJ9." + strings.Repeat("A", 1<<20) + ".sig"
	start := time.Now()
	for range 1000 {
		if _, err := v.Verify(huge); KindOf(err) != KindMalformed {
			t.Fatalf("err = %v", err)
		}
	}
	// 1000 rejections of a 1 MiB token: bounded by the length check, not by
	// decoding a megabyte each time (that would take seconds).
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("1000 rejections took %s", d)
	}
}
