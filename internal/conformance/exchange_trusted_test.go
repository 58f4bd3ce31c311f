package conformance

import (
	"crypto/rsa"
	"encoding/json"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const foreignIssuer = "https://idp.partner.example.test"

// trustedConfig is exchangeConfig with a trusted issuer whose JWKS holds
// the public half of key.
func trustedConfig(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "kid": "partner-1", "use": "sig", "alg": "RS256",
		"n": b64url(key.N.Bytes()), "e": b64url(big.NewInt(int64(key.E)).Bytes()),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "partner-jwks.json")
	if err := os.WriteFile(path, jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	return exchangeConfig + "token_exchange:\n  trusted_issuers:\n    - issuer: " + foreignIssuer + "\n      jwks_file: " + path + "\n"
}

// Rule 83: a JWT of a configured trusted issuer is a subject token when it
// verifies with that issuer's JWKS, names this server in aud, has not
// expired, and its sub is not a local user or client.
func TestRule83_ExchangeTrustedIssuerJWT(t *testing.T) {
	key := mustKey(t)
	s := startServer(t, trustedConfig(t, key))
	now := time.Now().Unix()
	foreign := func(mut func(h, c map[string]any)) string {
		h := map[string]any{"alg": "RS256", "typ": "JWT", "kid": "partner-1"}
		c := map[string]any{"iss": foreignIssuer, "sub": "partner-user-7", "aud": s.url, "scope": "read write",
			"iat": now, "exp": now + 300}
		if mut != nil {
			mut(h, c)
		}
		return signRS256(t, key, h, c)
	}

	for _, typ := range []string{ttJWT, ttAccessToken} {
		a := mustTokens(t, s.exchange(t, asGateway, "subject_token", foreign(nil), "subject_token_type", typ, "scope", "read", "audience", apiB),
			"trusted issuer's JWT as "+typ)
		_, c := jwtParts(t, a.str("access_token"))
		if c["sub"] != "partner-user-7" || c["iss"] != s.url || c["aud"] != apiB || c["scope"] != "read" || c["client_id"] != "gateway" {
			t.Errorf("exchanged foreign token claims %v: want sub partner-user-7, iss %s, aud %s, scope read", c, s.url, apiB)
		}
	}

	other := mustKey(t)
	refused := []struct {
		name, tok, code, desc string
	}{
		{"aud names another party", foreign(func(_, c map[string]any) { c["aud"] = "https://someone-else.example" }), "invalid_grant", "its aud must name this server's issuer"},
		{"expired", foreign(func(_, c map[string]any) { c["exp"] = now - 120; c["iat"] = now - 600 }), "invalid_grant", "from trusted issuer " + foreignIssuer + " does not verify"},
		{"no exp", foreign(func(_, c map[string]any) { delete(c, "exp") }), "invalid_grant", "does not verify"},
		{"signed by a key not in the JWKS", signRS256(t, other, map[string]any{"alg": "RS256", "kid": "partner-1"},
			map[string]any{"iss": foreignIssuer, "sub": "partner-user-7", "aud": s.url, "exp": now + 300}), "invalid_grant", "does not verify"},
		{"alg none", jsonB64(t, map[string]any{"alg": "none"}) + "." + jsonB64(t, map[string]any{"iss": foreignIssuer, "sub": "x", "aud": s.url, "exp": now + 300}) + ".",
			"invalid_grant", "does not verify"},
		{"HS256 with the public key as secret", signHS256(t, key.N.Bytes(), map[string]any{"alg": "HS256", "kid": "partner-1"},
			map[string]any{"iss": foreignIssuer, "sub": "x", "aud": s.url, "exp": now + 300}), "invalid_grant", "does not verify"},
		{"sub of a local user", foreign(func(_, c map[string]any) { c["sub"] = "alice" }), "invalid_grant", "names sub 'alice', a user or client of this server"},
		{"sub of a local client", foreign(func(_, c map[string]any) { c["sub"] = "worker" }), "invalid_grant", "a user or client of this server"},
		{"no sub", foreign(func(_, c map[string]any) { delete(c, "sub") }), "invalid_grant", "has no sub"},
	}
	for _, r := range refused {
		t.Run(r.name, func(t *testing.T) {
			a := s.exchange(t, asGateway, "subject_token", r.tok, "subject_token_type", ttJWT)
			wantTokenError(t, a, http.StatusBadRequest, r.code)
			wantDescription(t, a, r.desc, "docs/security.md rule 83")
		})
	}
	t.Run("scope wider than the foreign token's", func(t *testing.T) {
		a := s.exchange(t, asGateway, "subject_token", foreign(func(_, c map[string]any) { c["scope"] = "read" }), "subject_token_type", ttJWT, "scope", "write")
		wantTokenError(t, a, http.StatusBadRequest, "invalid_scope")
		wantDescription(t, a, "rule 85")
	})
	t.Run("an untrusted issuer", func(t *testing.T) {
		a := s.exchange(t, asGateway, "subject_token", foreign(func(_, c map[string]any) { c["iss"] = "https://idp.unknown.example.test" }), "subject_token_type", ttJWT)
		wantTokenError(t, a, http.StatusBadRequest, "invalid_grant")
		wantDescription(t, a, "not a live access token or ID token of this server")
	})
}
