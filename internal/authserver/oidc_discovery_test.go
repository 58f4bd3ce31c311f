package authserver

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
)

// Both well-known paths serve the same document with the OpenID Connect
// Discovery 1.0 members, listing only what is enabled.
func TestDiscoveryOpenIDMembers(t *testing.T) {
	e := newOIDCEnv(t)
	get := func(path string) map[string]any {
		t.Helper()
		r := e.get(path)
		var md map[string]any
		if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &md) != nil {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		return md
	}
	md := get("/.well-known/openid-configuration")
	if rfc := get("/.well-known/oauth-authorization-server"); !reflect.DeepEqual(md, rfc) {
		t.Errorf("the two discovery paths differ:\n%v\n%v", md, rfc)
	}
	iss := e.srv.settings.Issuer
	want := map[string]any{
		"issuer":                                iss,
		"end_session_endpoint":                  iss + "/authorize/logout",
		"userinfo_endpoint":                     iss + "/userinfo",
		"subject_types_supported":               []any{"public"},
		"id_token_signing_alg_values_supported": []any{"ES256"},
		"response_types_supported":              []any{"code", "token", "id_token", "id_token token"},
		"scopes_supported":                      []any{"address", "email", "openid", "phone", "profile", "read", "write"},
		"prompt_values_supported":               []any{"none", "login", "consent", "select_account"},
		"claims_supported": []any{"address", "at_hash", "aud", "auth_time", "email", "email_verified", "exp",
			"family_name", "given_name", "groups", "iat", "iss", "name", "nonce", "phone_number", "preferred_username",
			"sid", "sub", "tenant"},
		"claims_parameter_supported":      false,
		"request_parameter_supported":     true,
		"request_uri_parameter_supported": false,
	}
	for k, v := range want {
		if !reflect.DeepEqual(md[k], v) {
			t.Errorf("%s = %v, want %v", k, md[k], v)
		}
	}

	// Without implicit clients: code only. Without OIDC clients and users'
	// claims: no profile claims.
	for _, id := range []string{"legacy", "imp"} {
		if err := e.st.Clients().Delete(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	md = get("/.well-known/openid-configuration")
	if got := md["response_types_supported"]; !reflect.DeepEqual(got, []any{"code"}) {
		t.Errorf("without implicit clients: response_types_supported %v", got)
	}
}

// A request without scope gets the client's scopes except the OpenID
// Connect ones: no ID token unless openid is asked for.
func TestDefaultScopeLeavesOutOpenID(t *testing.T) {
	e := newOIDCEnv(t)
	code := e.code(t, e.signIn(rpCodeReq("scope", azDrop)...), azApp, "st-123")
	tok := e.rpTokens(t, code)
	if tok["scope"] != "read" || tok["id_token"] != nil {
		t.Errorf("no scope requested: scope %v, id_token %v; want read and none", tok["scope"], tok["id_token"])
	}
	r := e.postToken(map[string][]string{"grant_type": {"client_credentials"}}, "rp", rpSecret)
	var cc map[string]any
	if json.Unmarshal([]byte(r.body), &cc) != nil || cc["scope"] != "read" {
		t.Errorf("client_credentials without scope: %s", r.body)
	}
}
