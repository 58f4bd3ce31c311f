package token

import (
	"errors"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/keys"
)

func TestSignHeader(t *testing.T) {
	k := loadTestKeys(t)
	tests := []struct {
		name   string
		key    *keys.Key
		opts   SignOptions
		header string
	}{
		{"defaults RSA", k.rsa, SignOptions{}, `{"alg":"RS256","kid":"` + k.rsa.KeyID() + `","typ":"JWT"}`},
		{"defaults EC P-384", k.ec384, SignOptions{}, `{"alg":"ES384","kid":"` + k.ec384.KeyID() + `","typ":"JWT"}`},
		{"defaults Ed25519", k.ed, SignOptions{}, `{"alg":"EdDSA","kid":"` + k.ed.KeyID() + `","typ":"JWT"}`},
		{"access token", k.rsa, SignOptions{Alg: "PS384", KID: "k1", Typ: "at+jwt"}, `{"alg":"PS384","kid":"k1","typ":"at+jwt"}`},
		{"no kid", k.ec256, SignOptions{OmitKID: true}, `{"alg":"ES256","typ":"JWT"}`},
		{"JWK kid and alg", &keys.Key{Public: k.rsa.Public, Private: k.rsa.Private, KID: "from-jwk", Alg: "PS256"}, SignOptions{}, `{"alg":"PS256","kid":"from-jwk","typ":"JWT"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := mustSign(t, map[string]any{"sub": "alice"}, tt.key, tt.opts)
			d, err := Decode(tok)
			if err != nil {
				t.Fatal(err)
			}
			if string(d.RawHeader) != tt.header {
				t.Fatalf("header %s, want %s", d.RawHeader, tt.header)
			}
			if string(d.RawClaims) != `{"sub":"alice"}` {
				t.Fatalf("claims %s", d.RawClaims)
			}
		})
	}
}

func TestSignClaimsStructAndNoHTMLEscape(t *testing.T) {
	k := loadTestKeys(t)
	type claims struct {
		Sub   string `json:"sub"`
		Scope string `json:"scope"`
		Exp   int64  `json:"exp"`
	}
	tok := mustSign(t, claims{Sub: "a<b>&c", Scope: "read write", Exp: fixedNow.Unix() + 60}, k.ed, SignOptions{})
	d, err := Decode(tok)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"sub":"a<b>&c","scope":"read write","exp":1795428060}`; string(d.RawClaims) != want {
		t.Fatalf("claims %s, want %s", d.RawClaims, want)
	}
	if _, err := (&Verifier{Keys: []*keys.Key{public(k.ed)}, Now: clock}).Verify(tok); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestSignErrors(t *testing.T) {
	k := loadTestKeys(t)
	tests := []struct {
		name   string
		claims any
		key    *keys.Key
		opts   SignOptions
		msg    string
	}{
		{"public key only", map[string]any{}, public(k.rsa), SignOptions{}, "signing needs a private key"},
		{"nil key", map[string]any{}, nil, SignOptions{}, "no signing key"},
		{"HS256", map[string]any{}, k.rsa, SignOptions{Alg: "HS256"}, `alg "HS256" is refused: HMAC (shared-secret) algorithms are not accepted, only public-key ones (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)`},
		{"none", map[string]any{}, k.rsa, SignOptions{Alg: "none"}, `alg "none" is refused: unsigned tokens are never accepted`},
		{"EC alg with an RSA key", map[string]any{}, k.rsa, SignOptions{Alg: "ES256"}, `alg ES256 does not fit the key: alg "ES256" cannot be used with an RSA key (allowed: RS256, RS384, RS512, PS256, PS384, PS512)`},
		{"ES256 with a P-384 key", map[string]any{}, k.ec384, SignOptions{Alg: "ES256"}, `alg ES256 does not fit the key: alg "ES256" cannot be used with an EC P-384 key (allowed: ES384)`},
		{"claims not an object", []string{"a"}, k.rsa, SignOptions{}, "claims must encode to a JSON object"},
		{"claims not encodable", map[string]any{"f": func() {}}, k.rsa, SignOptions{}, "encoding claims: json: unsupported type: func()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Sign(tt.claims, tt.key, tt.opts)
			if err == nil {
				t.Fatalf("Sign returned %s", tok)
			}
			if err.Error() != tt.msg {
				t.Fatalf("err\n got: %v\nwant: %s", err, tt.msg)
			}
		})
	}
	if _, err := Sign(map[string]any{}, public(k.ed), SignOptions{}); !errors.Is(err, ErrNoPrivateKey) {
		t.Fatalf("err = %v, want ErrNoPrivateKey", err)
	}
}

func TestSignIsCompactAndURLSafe(t *testing.T) {
	k := loadTestKeys(t)
	for _, key := range []*keys.Key{k.rsa, k.ec256, k.ec521, k.ed} {
		tok := mustSign(t, claimsAt(map[string]any{"data": strings.Repeat("?>~", 20)}), key, SignOptions{})
		if strings.ContainsAny(tok, "+/= \n") || strings.Count(tok, ".") != 2 {
			t.Fatalf("not a compact URL-safe JWS: %s", tok)
		}
	}
}
