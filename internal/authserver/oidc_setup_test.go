package authserver

// Set-up of the OpenID Connect tests: the authorization env with an OIDC
// client, an implicit OIDC client and a user with every kind of claim, and
// an ID-token parser that does not use the code under test (golang-jwt with
// the server's public key, ES256 pinned).

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
)

const (
	rpSecret    = "rp-secret-0123456789abcdef"
	rpBye       = "https://app.example.test/bye"
	impRedirect = "https://imp.example.test/cb"
	carolPass   = "carol-password-3"
)

func newOIDCEnv(t *testing.T, edit ...func(*Settings)) *azEnv {
	t.Helper()
	e := newAzEnv(t, edit...)
	oidcScopes := []string{"openid", "profile", "email", "address", "phone", "read"}
	e.addClient(store.Client{ID: "rp", Name: "Relying Party", AuthMethod: "client_secret_basic", Scopes: oidcScopes,
		SecretHash: (&hashing.Hasher{}).Hash(rpSecret), SkipConsent: true,
		GrantTypes:   []string{GrantAuthorizationCode, GrantRefreshToken, GrantPassword, GrantClientCredentials},
		RedirectURIs: []string{azApp}, PostLogoutRedirectURIs: []string{rpBye},
		Claims: map[string]any{"tenant": "acme"}})
	e.addClient(store.Client{ID: "imp", Name: "Implicit RP", AuthMethod: "none", Scopes: oidcScopes, SkipConsent: true,
		GrantTypes: []string{GrantImplicit}, RedirectURIs: []string{impRedirect}})
	e.addUser("carol", "sub-carol", carolPass, map[string]any{
		"name": "Carol Danvers", "given_name": "Carol", "family_name": "Danvers",
		"email": "carol@example.test", "email_verified": true,
		"address":      map[string]any{"country": "US"},
		"phone_number": "+1 555 0100", "groups": []any{"admins"},
	})
	return e
}

// rpCodeReq is a valid code request of client rp with scope openid.
func rpCodeReq(set ...string) []string {
	return codeReq(append([]string{"client_id", "rp", "scope", "openid", "nonce", "n-0S6_WzA2Mj"}, set...)...)
}

// signIn runs an authorization request through the login page as carol
// and returns the answer to the client.
func (e *azEnv) signIn(params ...string) azResp {
	e.t.Helper()
	return e.login(e.authorize(params...), "carol", carolPass)
}

// rpTokens redeems a code of client rp and returns the token response.
func (e *azEnv) rpTokens(t *testing.T, code string) map[string]any {
	t.Helper()
	res := e.redeem("rp", rpSecret, code, azApp, azVerifier)
	if res.status != http.StatusOK {
		t.Fatalf("token: %d %s", res.status, res.body)
	}
	var tok map[string]any
	if err := json.Unmarshal([]byte(res.body), &tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

// parseIDToken verifies an ID token's signature with the server's public
// key (ES256 only) and returns its header and claims; it checks no claim.
func (e *azEnv) parseIDToken(t *testing.T, raw any) (map[string]any, jwt.MapClaims) {
	t.Helper()
	s, ok := raw.(string)
	if !ok || s == "" {
		t.Fatalf("no ID token: %v", raw)
	}
	pub := e.srv.keys.Signer().Public
	tok, err := jwt.Parse(s, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithoutClaimsValidation())
	if err != nil {
		t.Fatalf("ID token does not verify: %v", err)
	}
	return tok.Header, tok.Claims.(jwt.MapClaims)
}

// atHash is at_hash computed here, not by the server: the left half of the
// SHA-256 of the access token, base64url (OpenID Connect Core §3.1.3.6).
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

func (e *azEnv) deleteUser(name string) {
	e.t.Helper()
	if err := e.st.Users().Delete(context.Background(), name); err != nil {
		e.t.Fatal(err)
	}
}
