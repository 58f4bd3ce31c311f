package conformance

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/keys"
)

const grantJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// Rule 75: the JWT bearer grant trusts only an assertion the client
// signed with its own keys (iss = client_id) for a sub that is a user of
// this server; it obeys the assertion rules and answers invalid_grant.
func TestRule75_JWTBearerGrant(t *testing.T) {
	e := startJWTServer(t, "")
	bearer := func(claims map[string]any, key *keys.Key) answer {
		// bearer-client authenticates with its own client assertion too.
		f := url.Values{"grant_type": {grantJWTBearer}, "assertion": {es256(t, key, claims)}, "scope": {"read"}}
		return e.withAssertion(t, "/token", es256(t, e.key, e.claimsFor(bearerID)), f)
	}
	userClaims := func() map[string]any {
		c := e.claimsFor(bearerID)
		c["sub"] = "alice"
		return c
	}
	t.Run("ok", func(t *testing.T) {
		a := mustTokens(t, bearer(userClaims(), e.key), "jwt-bearer")
		_, claims := jwtParts(t, a.str("access_token"))
		if claims["sub"] != "alice" || claims["client_id"] != bearerID || a.str("scope") != "read" {
			t.Errorf("token sub %v client_id %v scope %q", claims["sub"], claims["client_id"], a.str("scope"))
		}
		if a.str("refresh_token") != "" {
			t.Errorf("jwt-bearer issued a refresh token")
		}
	})
	bad := []struct {
		name   string
		claims func() map[string]any
		key    *keys.Key
		want   string
	}{
		{"replay", nil, e.key, "was already used"},
		{"unknown user", func() map[string]any { c := userClaims(); c["sub"] = "mallory"; return c }, e.key, "is not a user"},
		{"iss is another client", func() map[string]any { c := userClaims(); c["iss"] = pkjwtID; return c }, e.key, "iss 'pkjwt-client' is not 'bearer-client'"},
		{"wrong aud", func() map[string]any { c := userClaims(); c["aud"] = "https://rs.example.test"; return c }, e.key, "is not this server"},
		{"too long lifetime", func() map[string]any { c := userClaims(); c["exp"] = time.Now().Add(2 * time.Hour).Unix(); return c }, e.key, "more than 5m"},
		{"signed by another key", userClaims, e.other, "signature is invalid"},
	}
	replayed := userClaims()
	mustTokens(t, bearer(replayed, e.key), "first use")
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			claims := replayed
			if c.claims != nil {
				claims = c.claims()
			}
			a := bearer(claims, c.key)
			wantTokenError(t, a, http.StatusBadRequest, "invalid_grant")
			wantDescription(t, a, c.want, "RFC 7523")
		})
	}
	t.Run("alg none", func(t *testing.T) {
		f := url.Values{"grant_type": {grantJWTBearer}, "assertion": {signJWT(t, map[string]any{"alg": "none"}, userClaims(), nil)}}
		a := e.withAssertion(t, "/token", es256(t, e.key, e.claimsFor(bearerID)), f)
		wantTokenError(t, a, http.StatusBadRequest, "invalid_grant")
		wantDescription(t, a, "not signed")
	})
	t.Run("client not registered for the grant", func(t *testing.T) {
		f := url.Values{"grant_type": {grantJWTBearer}, "assertion": {es256(t, e.key, userClaims())}}
		a := e.withAssertion(t, "/token", es256(t, e.key, e.claimsFor(pkjwtID)), f)
		wantTokenError(t, a, http.StatusBadRequest, "unauthorized_client")
	})
	t.Run("no assertion", func(t *testing.T) {
		a := e.withAssertion(t, "/token", es256(t, e.key, e.claimsFor(bearerID)), url.Values{"grant_type": {grantJWTBearer}})
		wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
	})
}

// Rule 76: a client's jwks_uri is fetched with a size cap and cached; an
// unknown kid fetches it again (key rotation), at most once per floor.
func TestRule76_JWKSURIFetching(t *testing.T) {
	k1, k2, k3 := genKey(t, "one"), genKey(t, "two"), genKey(t, "three")
	var mu sync.Mutex
	hits := 0
	published := publicJWKS(t, k1)
	js := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		hits++
		if r.URL.Path == "/huge" {
			w.Write([]byte(`{"keys":[` + strings.Repeat(" ", 300<<10) + `]}`))
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(published)
	}))
	defer js.Close()
	e := startJWTServer(t, `  - id: uri-client
    auth_method: private_key_jwt
    jwks_uri: `+js.URL+`/jwks
    grant_types: [client_credentials]
  - id: huge-client
    auth_method: private_key_jwt
    jwks_uri: `+js.URL+`/huge
    grant_types: [client_credentials]
`)
	count := func() int { mu.Lock(); defer mu.Unlock(); return hits }
	mustTokens(t, e.withAssertion(t, "/token", es256(t, k1, e.claimsFor("uri-client")), ccForm), "kid one")
	mustTokens(t, e.withAssertion(t, "/token", es256(t, k1, e.claimsFor("uri-client")), ccForm), "kid one again")
	if n := count(); n != 1 {
		t.Fatalf("jwks_uri fetched %d times for two assertions, want 1 (cached)", n)
	}
	// The client rotates to kid two: the unknown kid fetches the set again.
	mu.Lock()
	published = publicJWKS(t, k2)
	mu.Unlock()
	mustTokens(t, e.withAssertion(t, "/token", es256(t, k2, e.claimsFor("uri-client")), ccForm), "kid two after rotation")
	if n := count(); n != 2 {
		t.Fatalf("jwks_uri fetched %d times after the rotation, want 2", n)
	}
	// Another unknown kid right away: refused without a fetch (the floor).
	wantInvalidClient(t, e.withAssertion(t, "/token", es256(t, k3, e.claimsFor("uri-client")), ccForm), clientAssertionFailedText)
	if n := count(); n != 2 {
		t.Fatalf("jwks_uri fetched %d times, want 2: unknown kids must not make the server fetch every time", n)
	}
	wantInvalidClient(t, e.withAssertion(t, "/token", es256(t, k1, e.claimsFor("huge-client")), ccForm), clientAssertionFailedText)
	if !e.s.logSays("larger than") {
		t.Errorf("the log does not say the JWK Set was too large:\n%s", tail(e.s.stderr.String(), 2000))
	}
}
