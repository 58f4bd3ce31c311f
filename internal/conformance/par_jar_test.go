package conformance

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Rules 102–103: signed request objects (RFC 9101), by value at /authorize
// and pushed to /par.

const jarID = "jar-client"

// startJARServer is startJWTServer with a code-flow client whose keys
// (inline jwks) sign its request objects; its key is returned in env.rsa's
// place as jarKey.
func startJARServer(t *testing.T) (*jwtEnv, func(claims map[string]any) string) {
	t.Helper()
	key := genKey(t, "jar-1")
	extra := `  - id: ` + jarID + `
    auth_method: private_key_jwt
    jwks: ` + string(publicJWKS(t, key)) + `
    grant_types: [authorization_code]
    redirect_uris: [https://app.example.test/cb]
    scopes: [read, write]
    auto_approve: true
`
	env := startJWTServer(t, extra)
	env.rsa = key
	return env, func(claims map[string]any) string { return es256(t, key, claims) }
}

// requestClaims are the claims of a valid request object of jar-client.
func requestClaims(s *server) map[string]any {
	now := time.Now()
	return map[string]any{"iss": jarID, "aud": s.url, "iat": now.Unix(), "exp": now.Add(60 * time.Second).Unix(),
		"jti": randomJTI(), "client_id": jarID, "response_type": "code", "redirect_uri": appCB, "scope": "read",
		"state": "st-jar", "login_hint": userName}
}

func with(claims map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// wantRequestObjectPage checks a refused request object: an error page,
// no redirect (nothing in it can be trusted), naming the rule.
func wantRequestObjectPage(t *testing.T, a answer, parts ...string) {
	t.Helper()
	wantNoRedirect(t, a)
	body := strings.ReplaceAll(string(a.Body), "&#39;", "'")
	for _, p := range append([]string{"invalid_request_object"}, parts...) {
		if !strings.Contains(body, p) {
			t.Errorf("page does not say %q:\n%s", p, a.Body)
		}
	}
}

func TestRule102_RequestObjectSignedWithTheClientsKeys(t *testing.T) {
	env, sign := startJARServer(t)
	s := env.s
	t.Run("valid: the signed parameters win over the outer ones", func(t *testing.T) {
		a := s.authorize(t, q("client_id", jarID, "request", sign(requestClaims(s)), "scope", "write", "state", "outer"))
		loc := a.location(t)
		if a.Status != http.StatusFound || loc == nil || loc.Query().Get("code") == "" {
			t.Fatalf("got %s (Location %q), want a code", a, a.Header.Get("Location"))
		}
		if loc.Query().Get("state") != "st-jar" {
			t.Errorf("state %q, want the signed st-jar", loc.Query().Get("state"))
		}
	})
	for name, tt := range map[string]struct {
		jwt  func() string
		want string
	}{
		"signed by another key with the same kid": {func() string {
			return es256(t, env.other, requestClaims(s)) // env.other has kid k1, jar-client's is jar-1
		}, "signature was not verified"},
		"alg none": {func() string {
			return signJWT(t, map[string]any{"alg": "none"}, requestClaims(s), nil)
		}, "is not signed"},
		"HS256 with the public key's bytes": {func() string {
			return hs256(t, publicJWKS(t, env.rsa), requestClaims(s))
		}, "only the client's public keys sign request objects"},
		"payload changed after signing": {func() string {
			good := sign(requestClaims(s))
			parts := strings.Split(good, ".")
			forged := sign(with(requestClaims(s), map[string]any{"scope": "write"}))
			return parts[0] + "." + strings.Split(forged, ".")[1] + "." + parts[2]
		}, "signature was not verified"},
	} {
		t.Run(name, func(t *testing.T) {
			wantRequestObjectPage(t, s.authorize(t, q("client_id", jarID, "request", tt.jwt())), tt.want)
		})
	}
	t.Run("pushed to /par and used by request_uri", func(t *testing.T) {
		f := url.Values{"request": {sign(requestClaims(s))}, "client_id": {jarID}}
		a := env.withAssertion(t, "/par", es256(t, env.rsa, env.claimsFor(jarID)), f)
		ru := mustPush(t, a)
		res := s.authorize(t, q("client_id", jarID, "request_uri", ru))
		if loc := res.location(t); res.Status != http.StatusFound || loc == nil || loc.Query().Get("code") == "" {
			t.Fatalf("authorize with the pushed request object: %s", res)
		}
	})
	t.Run("a bad request object pushed to /par", func(t *testing.T) {
		f := url.Values{"request": {es256(t, env.other, requestClaims(s))}, "client_id": {jarID}}
		a := env.withAssertion(t, "/par", es256(t, env.rsa, env.claimsFor(jarID)), f)
		wantTokenError(t, a, http.StatusBadRequest, "invalid_request_object")
		wantDescription(t, a, "RFC 9101 §6.2")
	})
	t.Run("a client without keys: request_not_supported, as before", func(t *testing.T) {
		a := s.authorize(t, q("response_type", "code", "client_id", "basic-client", "redirect_uri", appCB, "request", sign(requestClaims(s))))
		if bytes.Contains(a.Body, []byte("invalid_request_object")) {
			t.Fatalf("a client without keys got its request object checked: %s", a.Body)
		}
	})
}

func TestRule103_RequestObjectIssuerAudienceAndLifetime(t *testing.T) {
	env, sign := startJARServer(t)
	s := env.s
	now := time.Now()
	for name, tt := range map[string]struct {
		changes map[string]any
		want    string
	}{
		"iss of another client":   {map[string]any{"iss": pkjwtID}, "is not the client_id"},
		"no iss":                  {map[string]any{"iss": nil}, "is not the client_id"},
		"aud of another server":   {map[string]any{"aud": "https://other.example.test"}, "is not this server's issuer"},
		"no aud":                  {map[string]any{"aud": nil}, "is not this server's issuer"},
		"expired":                 {map[string]any{"exp": now.Add(-time.Minute).Unix()}, "expired at"},
		"no exp":                  {map[string]any{"exp": nil}, "has no exp"},
		"exp an hour away":        {map[string]any{"exp": now.Add(time.Hour).Unix()}, "sign one per request"},
		"client_id claim differs": {map[string]any{"client_id": pkjwtID}, "client_id claim differs"},
	} {
		t.Run(name, func(t *testing.T) {
			wantRequestObjectPage(t, s.authorize(t, q("client_id", jarID, "request", sign(with(requestClaims(s), tt.changes)))), tt.want)
		})
	}
}
