package flow

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/keys"
)

// flipSig changes one character in the middle of a JWT's signature.
func flipSig(jwt string) string {
	i := strings.LastIndexByte(jwt, '.') + 10
	c := byte('A')
	if jwt[i] == 'A' {
		c = 'B'
	}
	return jwt[:i] + string(c) + jwt[i+1:]
}

// An authorization code flow whose token response carries an ID token:
// each bad ID token fails the flow with one line naming the check, after
// exactly one token request; a good one yields its claims.
func TestRunVerifiesIDToken(t *testing.T) {
	k1 := testKey(t, keys.TypeEC, "k1")
	as := newOIDCAS(t, k1)
	iss := as.srv.URL
	good := func(mut func(c map[string]any)) func(string) string {
		return func(nonce string) string {
			c := idClaims(iss, nonce)
			c["at_hash"] = "TGzI76nalPU1HXCt-rev1g" // SHA-256 left half of oidcAccessToken (python hashlib)
			if mut != nil {
				mut(c)
			}
			return signID(t, k1, c)
		}
	}
	hsAlgs := "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA"
	tests := []struct {
		name    string
		idToken func(nonce string) string
		want    string // "" = accepted
	}{
		{"good", good(nil), ""},
		{"good, expired within the leeway", good(func(c map[string]any) { c["exp"] = testNow.Add(-10 * time.Second).Unix() }), ""},
		{"good, several audiences with azp", good(func(c map[string]any) { c["aud"] = []string{"cli", "api"}; c["azp"] = "cli" }), ""},
		{"wrong nonce", good(func(c map[string]any) { c["nonce"] = "another-nonce" }),
			"ID token nonce does not match the one sent"},
		{"missing nonce when one was sent", good(func(c map[string]any) { delete(c, "nonce") }),
			"ID token has no nonce, but one was sent"},
		{"wrong aud", good(func(c map[string]any) { c["aud"] = "api" }),
			`ID token audience ["api"] does not include the expected "cli"`},
		{"wrong iss", good(func(c map[string]any) { c["iss"] = "https://evil.example" }),
			`ID token issuer "https://evil.example" is not the expected "` + iss + `"`},
		{"expired", good(func(c map[string]any) { c["exp"] = testNow.Add(-10 * time.Minute).Unix() }),
			"ID token expired at 2026-11-23T11:50:00Z (10m ago), beyond the 30s leeway"},
		{"tampered signature", func(n string) string { return flipSig(good(nil)(n)) },
			`ID token signature does not verify with the issuer's JWKS: token signature is invalid (alg ES256, kid "k1")`},
		{"alg none", func(n string) string { return unsignedJWT(`{"alg":"none","kid":"k1"}`, idClaims(iss, n), "") },
			`ID token refused: alg "none" is refused: unsigned tokens are never accepted`},
		{"HMAC", func(n string) string {
			return unsignedJWT(`{"alg":"HS256","kid":"k1"}`, idClaims(iss, n), "c2lnbmF0dXJlLWJ5dGVz")
		}, `ID token refused: alg "HS256" is refused: HMAC (shared-secret) algorithms are not accepted, only public-key ones (` + hsAlgs + `)`},
		{"wrong at_hash", good(func(c map[string]any) { c["at_hash"] = "AAAAAAAAAAAAAAAAAAAAAA" }),
			"ID token at_hash does not match the access token"},
		{"signed by a key not in the JWKS", func(n string) string {
			return signID(t, testKey(t, keys.TypeEC, "k2"), idClaims(iss, n))
		}, `ID token signature does not verify with the issuer's JWKS: no key has kid "k2" (known: "k1")`},
		{"signed by another key under the JWKS's kid", func(n string) string {
			return signID(t, testKey(t, keys.TypeEC, "k1"), idClaims(iss, n))
		}, `ID token signature does not verify with the issuer's JWKS: token signature is invalid (alg ES256, kid "k1")`},
		{"several audiences without azp", good(func(c map[string]any) { c["aud"] = []string{"cli", "api"} }),
			"ID token has several audiences but no azp claim (OpenID Connect Core §2)"},
		{"azp of another client", good(func(c map[string]any) { c["azp"] = "other" }),
			`ID token azp "other" is not the client_id "cli"`},
		{"no iat", good(func(c map[string]any) { delete(c, "iat") }), "ID token has no iat claim"},
		{"no sub", good(func(c map[string]any) { delete(c, "sub") }), "ID token has no sub claim"},
		{"no exp", good(func(c map[string]any) { delete(c, "exp") }), "ID token has no exp (expiration) claim, and one is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as.setIDToken(tt.idToken)
			as.tokenCalls.Store(0)
			c := as.client()
			c.IDTokens.Leeway = DefaultIDTokenLeeway
			req := AuthRequest{ResponseType: "code", State: NewState(), Nonce: NewState(), CodeVerifier: NewCodeVerifier(),
				Grant: Grant{Scopes: []string{"openid"}}}
			tr, err := c.Run(context.Background(), BrowserFlow{Request: req, Headless: true, Timeout: 5 * time.Second, Status: &strings.Builder{}})
			if n := as.tokenCalls.Load(); n != 1 {
				t.Errorf("%d token requests, want 1", n)
			}
			if tt.want != "" {
				var ie *IDTokenError
				if !errors.As(err, &ie) || err.Error() != tt.want {
					t.Fatalf("error = %v (%T)\nwant  %s (*IDTokenError)", err, err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var claims map[string]any
			if err := json.Unmarshal(tr.IDTokenClaims, &claims); err != nil {
				t.Fatalf("IDTokenClaims %q: %v", tr.IDTokenClaims, err)
			}
			if claims["sub"] != "alice" || claims["nonce"] != req.Nonce {
				t.Errorf("claims %v: want sub alice and nonce %q", claims, req.Nonce)
			}
		})
	}
}

// Refresh and password answers: the ID token is verified, its nonce is not.
func TestRefreshVerifiesIDTokenButNotNonce(t *testing.T) {
	k1 := testKey(t, keys.TypeEC, "k1")
	as := newOIDCAS(t, k1)
	c := as.client()
	as.setIDToken(func(string) string { return signID(t, k1, idClaims(as.srv.URL, "from-the-first-login")) })
	tr, err := c.Refresh(context.Background(), "RT", Grant{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(tr.IDTokenClaims), `"nonce":"from-the-first-login"`) {
		t.Errorf("claims = %s", tr.IDTokenClaims)
	}
	as.setIDToken(func(string) string { return flipSig(signID(t, k1, idClaims(as.srv.URL, ""))) })
	for name, run := range map[string]func() (*TokenResponse, error){
		"refresh":  func() (*TokenResponse, error) { return c.Refresh(context.Background(), "RT", Grant{}) },
		"password": func() (*TokenResponse, error) { return c.Password(context.Background(), "alice", "pw", Grant{}) },
	} {
		_, err := run()
		want := `ID token signature does not verify with the issuer's JWKS: token signature is invalid (alg ES256, kid "k1")`
		if err == nil || err.Error() != want {
			t.Errorf("%s with a tampered ID token: error %v, want %s", name, err, want)
		}
	}
	// --no-verify-id-token: nothing is fetched or checked, no claims.
	c.IDTokens.Skip = true
	as.jwksCalls.Store(0)
	tr, err = c.Refresh(context.Background(), "RT", Grant{})
	if err != nil || tr.IDTokenClaims != nil || tr.IDToken == "" || as.jwksCalls.Load() != 0 {
		t.Errorf("skip: err %v, claims %s, JWKS fetched %d times", err, tr.IDTokenClaims, as.jwksCalls.Load())
	}
}

// The implicit grant with response_type id_token (no access token) and
// "id_token token" (at_hash checked, EdDSA hashes with SHA-512).
func TestImplicitIDToken(t *testing.T) {
	ed := testKey(t, keys.TypeEd25519, "ed")
	as := newOIDCAS(t, ed)
	as.fragment = true
	atHash := ""
	as.setIDToken(func(nonce string) string {
		c := idClaims(as.srv.URL, nonce)
		if atHash != "" {
			c["at_hash"] = atHash
		}
		return signID(t, ed, c)
	})
	run := func(rt string) (*TokenResponse, error) {
		req := AuthRequest{ResponseType: rt, State: NewState(), Nonce: NewState(), Grant: Grant{Scopes: []string{"openid"}}}
		return as.client().Run(context.Background(), BrowserFlow{Request: req, Headless: true, Timeout: 5 * time.Second, Status: &strings.Builder{}})
	}
	tr, err := run("id_token")
	if err != nil {
		t.Fatal(err)
	}
	if tr.AccessToken != "" || !strings.Contains(string(tr.IDTokenClaims), `"sub":"alice"`) {
		t.Errorf("id_token: access token %q, claims %s", tr.AccessToken, tr.IDTokenClaims)
	}
	atHash = "FQtWP2yC9gM2zNgmcFV0r3au8oPVsf5vM6S-E7O19xQ" // SHA-512 left half (python hashlib)
	if tr, err = run("id_token token"); err != nil || tr.AccessToken != oidcAccessToken {
		t.Fatalf("id_token token: %v, %+v", err, tr)
	}
	atHash = "TGzI76nalPU1HXCt-rev1g" // the SHA-256 one: wrong for EdDSA
	if _, err = run("id_token token"); err == nil || err.Error() != "ID token at_hash does not match the access token" {
		t.Errorf("SHA-256 at_hash with EdDSA: %v", err)
	}
	atHash = ""
	if _, err = run("id_token token"); err == nil || err.Error() != "ID token has no at_hash, which the implicit flow requires with an access token (OpenID Connect Core §3.2.2.10)" {
		t.Errorf("id_token token without at_hash: %v", err)
	}
	as.setIDToken(func(string) string { return signID(t, ed, idClaims(as.srv.URL, "injected")) })
	if _, err := as.client().Run(context.Background(), BrowserFlow{Request: AuthRequest{ResponseType: "id_token", State: "s"},
		Headless: true, Timeout: 5 * time.Second, Status: &strings.Builder{}}); err == nil || err.Error() != "ID token has a nonce, but none was sent" {
		t.Errorf("a nonce that was not sent: %v", err)
	}
}

func TestTokenHash(t *testing.T) {
	// Expected values from Python's hashlib over oidcAccessToken.
	tests := []struct{ alg, want string }{
		{"RS256", "TGzI76nalPU1HXCt-rev1g"}, {"ES256", "TGzI76nalPU1HXCt-rev1g"}, {"PS256", "TGzI76nalPU1HXCt-rev1g"},
		{"ES384", "23RNftXUOHxR86trHqKS8oVigGFJls--"}, {"RS512", "FQtWP2yC9gM2zNgmcFV0r3au8oPVsf5vM6S-E7O19xQ"},
		{"EdDSA", "FQtWP2yC9gM2zNgmcFV0r3au8oPVsf5vM6S-E7O19xQ"},
	}
	for _, tt := range tests {
		if got, err := TokenHash(tt.alg, oidcAccessToken); err != nil || got != tt.want {
			t.Errorf("TokenHash(%s) = %q, %v; want %q", tt.alg, got, err, tt.want)
		}
	}
	if _, err := TokenHash("none", "x"); err == nil {
		t.Error("TokenHash(none) did not fail")
	}
}

// Verification needs the issuer and its JWKS; a JWKS that cannot be read
// fails the flow with its reason (not as a bad ID token).
func TestVerifyIDTokenPrerequisites(t *testing.T) {
	k1 := testKey(t, keys.TypeEC, "k1")
	as := newOIDCAS(t, k1)
	tr := &TokenResponse{AccessToken: "AT", IDToken: signID(t, k1, idClaims(as.srv.URL, ""))}
	tests := []struct {
		name string
		edit func(c *Client)
		want string
	}{
		{"no issuer", func(c *Client) { c.Endpoints.Issuer = "" },
			"the response has an ID token, but verifying the ID token needs the issuer: give --issuer (or --no-verify-id-token)"},
		{"no jwks_uri", func(c *Client) { c.Endpoints.JWKS = "" },
			"the response has an ID token, but verifying the ID token needs the issuer's JWKS: its metadata has no jwks_uri; give --jwks-url (or --no-verify-id-token)"},
		{"JWKS not found", func(c *Client) { c.Endpoints.JWKS = as.srv.URL + "/nothing" },
			"fetching the issuer's JWKS from " + as.srv.URL + `/nothing: HTTP 404: "404 page not found"`},
		{"JWKS is not a key set", func(c *Client) { c.Endpoints.JWKS = as.srv.URL + "/token" },
			"the issuer's JWKS from " + as.srv.URL + `/token: invalid JWKS: no "keys" member`},
	}
	for _, tt := range tests {
		c := as.client()
		tt.edit(c)
		as.setIDToken(func(string) string { return "x.y.z" })
		err := c.VerifyIDToken(context.Background(), tr, IDTokenExpect{})
		var ie *IDTokenError
		if err == nil || err.Error() != tt.want || errors.As(err, &ie) {
			t.Errorf("%s: error %v (%T)\nwant %s (not an *IDTokenError)", tt.name, err, err, tt.want)
		}
	}
	// The second step of the two-step mode without the nonce.
	tr.IDToken = signID(t, k1, idClaims(as.srv.URL, "n"))
	err := as.client().VerifyIDToken(context.Background(), tr, IDTokenExpect{Rule: NonceUnknown})
	if err == nil || !strings.HasPrefix(err.Error(), "ID token has a nonce, but the one sent is not known here") {
		t.Errorf("unknown nonce: %v", err)
	}
}
