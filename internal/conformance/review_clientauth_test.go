package conformance

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// Rule 50 (second review, issue 13 item 12) and issue 14 item 20: client
// authentication answers.

// TestRule50_UniformInvalidClient: an unknown client, a wrong secret and a
// method the client is not registered for get the same invalid_client
// answer, so the answer does not tell which clients exist (RFC 6749 §5.2).
func TestRule50_UniformInvalidClient(t *testing.T) {
	s := shared(t)
	cc := url.Values{"grant_type": {"client_credentials"}}
	var bodies = map[string]string{}
	for name, a := range map[string]auth{
		"unknown client (Basic)":      basicAuth("no-such-client", basicSecret),
		"wrong secret (Basic)":        basicAuth(basicID, "not-the-secret"),
		"registered for post (Basic)": basicAuth(postID, postSecret),
		"unknown client (post)":       postAuth("no-such-client", postSecret),
		"wrong secret (post)":         postAuth(postID, "not-the-secret"),
		"registered for Basic (post)": postAuth(basicID, basicSecret),
	} {
		ans := s.token(t, a, cc)
		wantTokenError(t, ans, http.StatusUnauthorized, "invalid_client")
		bodies[name] = string(ans.Body)
	}
	want := bodies["unknown client (Basic)"]
	for name, b := range bodies {
		if b != want {
			t.Errorf("%s: body %s differs from the unknown client's %s", name, b, want)
		}
	}
}

// TestIntrospectRevokeAcceptEveryAdvertisedMethod: discovery advertises
// client_secret_basic and client_secret_post for /introspect and /revoke;
// both work for every confidential client, whatever its registered
// method (that binds the token endpoint only, RFC 7591 §2).
func TestIntrospectRevokeAcceptEveryAdvertisedMethod(t *testing.T) {
	s := shared(t)
	disc := s.do(t, http.MethodGet, "/.well-known/oauth-authorization-server", nil, nil)
	for _, field := range []string{"introspection_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported"} {
		methods, _ := disc.JSON[field].([]any)
		if !slices.Contains(methods, any("client_secret_basic")) || !slices.Contains(methods, any("client_secret_post")) {
			t.Fatalf("%s = %v, want client_secret_basic and client_secret_post", field, disc.JSON[field])
		}
	}
	live := s.passwordTokens(t, "read")
	for name, a := range map[string]auth{
		"post-client with Basic": basicAuth(postID, postSecret),
		"basic-client with post": postAuth(basicID, basicSecret),
	} {
		ans := s.post(t, "/introspect", a, url.Values{"token": {live.str("access_token")}})
		if ans.Status != http.StatusOK || ans.JSON["active"] != true {
			t.Errorf("introspect as %s: %s, want 200 active", name, ans)
		}
	}
	if ans := s.post(t, "/revoke", postAuth(basicID, basicSecret), url.Values{"token": {live.str("refresh_token")}}); ans.Status != http.StatusOK {
		t.Fatalf("revoke by basic-client with post: %s", ans)
	}
	if s.active(t, live.str("access_token")) {
		t.Error("the access token is active after its grant was revoked")
	}
	wantTokenError(t, s.token(t, basicAuth(postID, postSecret), url.Values{"grant_type": {"client_credentials"}}), http.StatusUnauthorized, "invalid_client")
	wantTokenError(t, s.post(t, "/introspect", postAuth(publicID, "made-up"), url.Values{"token": {"x"}}), http.StatusUnauthorized, "invalid_client")
}
