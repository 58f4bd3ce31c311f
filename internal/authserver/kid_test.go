package authserver

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// A JWT access token is accepted only when its kid names one of the
// published keys (RFC 9068 §4, RFC 7515 §4.1.4): a token signed with our
// own key but carrying an unknown kid is refused by /introspect,
// /protected and /userinfo. Every token re-signs the claims (and jti) of a
// live token, so only the header can make it fail; the control rows are
// accepted.
func TestUnknownKIDRefused(t *testing.T) {
	second, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withExtraKeys(second))
	code, verifier := e.newCode(codeSpec{scope: "openid read"}) // /userinfo needs openid (rule 51)
	access := e.mustTokens(e.redeem(code, verifier, webAuth)).access
	header, claims := jwtParts(t, access)
	kid, _ := header["kid"].(string)
	if kid != e.key.KeyID() {
		t.Fatalf("issued kid %q, want the signing key's thumbprint %q", kid, e.key.KeyID())
	}
	resign := func(kid string) string {
		t.Helper()
		s, err := token.Sign(claims, e.key, token.SignOptions{Typ: "at+jwt", KID: kid})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name   string
		tok    string
		active bool
	}{
		{"control: the issued token", access, true},
		{"control: re-signed with our kid", resign(kid), true},
		{"no kid: tried against the published keys", resign(""), true},
		{"unknown kid", resign("not-a-key-of-ours"), false},
		{"kid of the other published key", resign(second.KeyID()), false},
		{"kid with a trailing space", resign(kid + " "), false},
		{"kid in upper case", resign(strings.ToUpper(kid)), false},
		{"kid with a prefix", resign("x" + kid), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			if got := e.introspect(tt.tok).obj(t)["active"]; got != tt.active {
				t.Errorf("introspection active = %v, want %v", got, tt.active)
			}
			for _, path := range []string{"/protected", "/userinfo"} {
				r := e.get(path, map[string]string{"Authorization": "Bearer " + tt.tok})
				if tt.active {
					if r.status != http.StatusOK {
						t.Errorf("%s: %d %s", path, r.status, r.body)
					}
					continue
				}
				if r.status != http.StatusUnauthorized || r.str(t, "error") != ErrInvalidToken ||
					!strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
					t.Errorf("%s: %d %v %s", path, r.status, r.header.Get("WWW-Authenticate"), r.body)
				}
			}
		})
	}
}

// The key set's verifier reports an unknown kid as such, and leaves the
// caller's keys untouched (a PEM key keeps KID ""; `oauthkit jwt verify`
// relies on that).
func TestKeySetVerifierUnknownKID(t *testing.T) {
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	if key.KID != "" {
		t.Fatalf("NewKeySet changed the key's KID to %q", key.KID)
	}
	claims := map[string]any{"iss": testIssuer, "exp": float64(4102444800)}
	tok, err := token.Sign(claims, key, token.SignOptions{KID: "elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ks.Verifier(token.Verifier{Issuer: testIssuer}).Verify(tok)
	var te *token.Error
	if !errors.As(err, &te) || te.Kind != token.KindUnknownKey {
		t.Fatalf("Verify: %v, want an unknown-key error", err)
	}
	tok, err = token.Sign(claims, key, token.SignOptions{KID: key.KeyID()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Verifier(token.Verifier{Issuer: testIssuer}).Verify(tok); err != nil {
		t.Fatalf("Verify with our kid: %v", err)
	}
}
