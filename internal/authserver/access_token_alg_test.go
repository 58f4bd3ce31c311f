package authserver

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

// parseWith verifies tok with pub, only alg allowed (golang-jwt, not the
// code under test), and returns its header.
func parseWith(t *testing.T, tok string, pub any, alg string) map[string]any {
	t.Helper()
	parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{alg}), jwt.WithoutClaimsValidation())
	if err != nil {
		t.Fatalf("token does not verify as %s with the expected key: %v", alg, err)
	}
	return parsed.Header
}

// A client with access_token_signing_alg ES256 gets ES256 access tokens
// signed by the EC key of the set, usable at /introspect and /protected;
// its ID tokens and the other clients' access tokens stay RS256.
func TestAccessTokenAlgPerClient(t *testing.T) {
	ec, err := keys.Generate(keys.Spec{Type: keys.TypeEC, Curve: "P-256"})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withExtraKeys(ec), withSettings(func(s *Settings) {
		s.AccessTokenAlgs = map[string]string{svcID: "ES256"}
	}))

	svc := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials, "scope", "read"), svcAuth))
	h := parseWith(t, svc.access, ec.Public, "ES256")
	if h["kid"] != ec.KeyID() || h["typ"] != "at+jwt" {
		t.Fatalf("header %v, want kid %s typ at+jwt", h, ec.KeyID())
	}
	e.wantActive(svc.access)

	web := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials, "scope", "read"), webAuth))
	if h := parseWith(t, web.access, e.key.Public, "RS256"); h["kid"] != e.key.KeyID() {
		t.Fatalf("web's access token header %v, want the RSA signer", h)
	}

	// The ES256 client's code grant with openid: ES256 access token, RS256
	// ID token whose at_hash is SHA-256 (of RS256) of that access token.
	code, verifier := e.newCode(codeSpec{client: svcID, scope: "openid read"})
	tok := e.mustTokens(e.redeem(code, verifier, svcAuth))
	parseWith(t, tok.access, ec.Public, "ES256")
	idt, _ := tok.raw["id_token"].(string)
	if idt == "" {
		t.Fatalf("no ID token in %v", tok.raw)
	}
	if h := parseWith(t, idt, e.key.Public, "RS256"); h["kid"] != e.key.KeyID() {
		t.Fatalf("ID token header %v, want the RSA signer", h)
	}
	e.wantProtectedOK(tok.access)
	e.wantProtectedOK(svc.access)

	// The JWKS publishes both keys.
	jwks := e.get("/jwks.json", nil)
	for _, kid := range []string{e.key.KeyID(), ec.KeyID()} {
		if !strings.Contains(string(jwks.body), `"kid":"`+kid+`"`) {
			t.Errorf("JWKS lacks %s: %s", kid, jwks.body)
		}
	}
}

// A client whose algorithm no private key of the set has: New refuses.
func TestAccessTokenAlgWithoutKey(t *testing.T) {
	rsa, err := keys.Generate(keys.Spec{Type: keys.TypeRSA})
	if err != nil {
		t.Fatal(err)
	}
	ecPub, err := keys.Generate(keys.Spec{Type: keys.TypeEC, Curve: "P-256"})
	if err != nil {
		t.Fatal(err)
	}
	ecPub = &keys.Key{Public: ecPub.Public} // published, cannot sign
	ks, err := NewKeySet(rsa, ecPub)
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Settings{Issuer: testIssuer, AccessTokenTTL: 1, RefreshTokenTTL: 1, CodeTTL: 1,
		AccessTokenAlgs: map[string]string{"api": "ES256"}},
		Options{Store: memory.New(), Keys: ks, Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "client api: its access tokens are signed with ES256, but no private key") {
		t.Fatalf("New: %v, want a refusal naming the client and the algorithm", err)
	}
	if got := ks.SignerFor("RS256"); got == nil || got.KeyID() != rsa.KeyID() || got.Private != rsa.Private {
		t.Fatal("SignerFor(RS256) is not the signer")
	}
	if ks.SignerFor("ES256") != nil || ks.SignerFor("EdDSA") != nil {
		t.Fatal("SignerFor returned a key for an algorithm with no private key")
	}
}
