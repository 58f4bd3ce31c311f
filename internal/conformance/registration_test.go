package conformance

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestRule104_RegistrationOffByDefault: without registration configured
// there is no registration endpoint, and discovery names none.
func TestRule104_RegistrationOffByDefault(t *testing.T) {
	s := shared(t)
	a := s.register(t, "", `{"redirect_uris":["https://app.example.test/cb"]}`)
	if a.Status != http.StatusNotFound || a.str("error") != "not_found" {
		t.Errorf("POST /register on a server without registration: %s, want 404 not_found", a)
	}
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		if md := s.do(t, http.MethodGet, path, nil, nil); md.JSON == nil || md.JSON["registration_endpoint"] != nil {
			t.Errorf("%s: %s, want metadata without registration_endpoint", path, md)
		}
	}
}

// TestRule104_RegistrationTokenMode: in token mode a registration needs the
// initial access token as a Bearer token: none or a wrong one is 401
// invalid_token with a Bearer challenge, and registers nothing.
func TestRule104_RegistrationTokenMode(t *testing.T) {
	const iat = "initial-access-token-0123456789"
	s := startServer(t, regConfig("token", "initial_access_token_file: "+tokenFile(t, iat)))
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		if md := s.do(t, http.MethodGet, path, nil, nil); md.str("registration_endpoint") != s.url+"/register" {
			t.Errorf("%s: registration_endpoint = %q, want %s/register", path, md.str("registration_endpoint"), s.url)
		}
	}
	meta := `{"redirect_uris":["https://app.example.test/cb"],"token_endpoint_auth_method":"none"}`
	for name, bearer := range map[string]string{"no token": "", "wrong token": iat + "x", "prefix": iat[:10]} {
		a := s.register(t, bearer, meta)
		wantRegError(t, a, http.StatusUnauthorized, "invalid_token", "RFC 7591 section 3")
		if ch := a.Header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Bearer") || !strings.Contains(ch, `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate %q, want a Bearer invalid_token challenge", name, ch)
		}
	}
	r := mustRegister(t, s, iat, meta)
	if r.Secret != "" || r.JSON["token_endpoint_auth_method"] != "none" {
		t.Errorf("a public client got a secret or another method: %v", r.JSON)
	}
	if got := s.manage(t, http.MethodGet, r.URI, r.Token, ""); got.Status != http.StatusOK || got.str("client_id") != r.ClientID {
		t.Errorf("reading the client registered with the initial access token: %s", got)
	}
}

// TestRule105_RegistrationUsesClientRules: registration metadata is judged
// by the rules of a configured client: exact https or loopback-http
// redirect URIs, no fragment, supported grants and methods only.
func TestRule105_RegistrationUsesClientRules(t *testing.T) {
	s := startServer(t, regConfig("open", ""))
	for _, tc := range []struct {
		name, meta, code, desc string
	}{
		{"wildcard redirect", `{"redirect_uris":["https://app.example.test/*"]}`, "invalid_redirect_uri", "wildcard; redirect URIs are matched exactly (RFC 9700 section 2.1)"},
		{"http to a non-loopback host", `{"redirect_uris":["http://app.example.test/cb"]}`, "invalid_redirect_uri", "plain http to a host that is not loopback"},
		{"fragment", `{"redirect_uris":["https://app.example.test/cb#x"]}`, "invalid_redirect_uri", "has a fragment"},
		{"relative", `{"redirect_uris":["/cb"]}`, "invalid_redirect_uri", "not an absolute URI"},
		{"javascript scheme", `{"redirect_uris":["javascript:alert(1)"]}`, "invalid_redirect_uri", "can run code"},
		{"no redirect for authorization_code", `{"token_endpoint_auth_method":"none"}`, "invalid_redirect_uri", "at least one is required for the authorization_code grant"},
		{"wildcard post-logout redirect", `{"redirect_uris":["https://app.example.test/cb"],"post_logout_redirect_uris":["https://*.example.test/"]}`, "invalid_redirect_uri", "post_logout_redirect_uris[0]"},
		{"redirect_uris not a list", `{"redirect_uris":"https://app.example.test/cb"}`, "invalid_redirect_uri", "must be an array of strings"},
		{"unsupported grant", `{"grant_types":["urn:ietf:params:oauth:grant-type:saml2-bearer"]}`, "invalid_client_metadata", "grant_types[0]"},
		{"client_credentials for a public client", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"none"}`, "invalid_client_metadata", "client_credentials needs a confidential client"},
		{"unsupported auth method", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"tls_client_auth"}`, "invalid_client_metadata", "token_endpoint_auth_method"},
		{"response type without its grant", `{"grant_types":["client_credentials"],"response_types":["code"]}`, "invalid_client_metadata", "does not match grant_types"},
		{"bad scope", `{"grant_types":["client_credentials"],"scope":"read \"x"}`, "invalid_client_metadata", "scope"},
		{"not JSON", `redirect_uris=https://app.example.test/cb`, "invalid_client_metadata", "not a JSON object"},
		{"software statement", `{"software_statement":"eyJhbGciOiJub25lIn0.e30."}`, "invalid_software_statement", "RFC 7591 section 2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRegError(t, s.register(t, "", tc.meta), http.StatusBadRequest, tc.code, tc.desc)
		})
	}
	t.Run("form body", func(t *testing.T) {
		a := s.postRaw(t, "/register", nil, "redirect_uris=https://app.example.test/cb")
		wantRegError(t, a, http.StatusBadRequest, "invalid_client_metadata", "Content-Type application/json")
	})
	t.Run("nothing was registered by the refusals", func(t *testing.T) {
		md := s.do(t, http.MethodGet, "/.well-known/oauth-authorization-server", nil, nil)
		if methods, _ := md.JSON["token_endpoint_auth_methods_supported"].([]any); len(methods) == 0 {
			t.Fatalf("metadata: %s", md)
		}
	})
	t.Run("a valid registration works at once", func(t *testing.T) {
		r := mustRegister(t, s, "", `{"client_name":"batch","grant_types":["client_credentials"],"scope":"read"}`)
		if r.Secret == "" || r.JSON["token_endpoint_auth_method"] != "client_secret_basic" {
			t.Fatalf("a confidential registration: %v, want a secret and client_secret_basic (RFC 7591 §2 default)", r.JSON)
		}
		if rt, _ := r.JSON["response_types"].([]any); len(rt) != 0 {
			t.Errorf("response_types %v for a client_credentials client, want []", rt)
		}
		tok := ccToken(t, s, r)
		if !s.active(t, tok) {
			t.Error("the registered client's token is not active")
		}
		wantTokenError(t, s.token(t, basicAuth(r.ClientID, r.Secret+"x"), url.Values{"grant_type": {"client_credentials"}}), http.StatusUnauthorized, "invalid_client")
		a := s.token(t, basicAuth(r.ClientID, r.Secret), url.Values{"grant_type": {"client_credentials"}, "scope": {"write"}})
		wantTokenError(t, a, http.StatusBadRequest, "invalid_scope")
	})
	t.Run("loopback http and the RFC default grant", func(t *testing.T) {
		r := mustRegister(t, s, "", `{"redirect_uris":["http://127.0.0.1/callback","https://app.example.test/cb"],"token_endpoint_auth_method":"none","scope":"openid read"}`)
		if g, _ := r.JSON["grant_types"].([]any); len(g) != 1 || g[0] != "authorization_code" {
			t.Errorf("grant_types %v, want [authorization_code] (RFC 7591 §2 default)", r.JSON["grant_types"])
		}
		_, challenge := pkcePair(t)
		a := s.authorize(t, q("response_type", "code", "client_id", r.ClientID, "redirect_uri", "http://127.0.0.1:9999/callback",
			"scope", "read", "state", "s1", "code_challenge", challenge, "code_challenge_method", "S256"))
		if a.Status/100 == 4 && a.Header.Get("Location") == "" {
			t.Errorf("/authorize with the registered loopback redirect URI on another port: %s", a)
		}
		a = s.authorize(t, q("response_type", "code", "client_id", r.ClientID, "redirect_uri", "https://app.example.test/cb/other",
			"scope", "read", "state", "s1", "code_challenge", challenge, "code_challenge_method", "S256"))
		wantNoRedirect(t, a)
	})
}

// TestRule105_RegistrationSecretsHashedAtRest: the client secret and the
// registration access token reach the store only as hashes.
func TestRule105_RegistrationSecretsHashedAtRest(t *testing.T) {
	dir := t.TempDir()
	s, err := launch(dir, regConfig("open", ""))
	if err != nil {
		t.Fatal(err)
	}
	r := mustRegister(t, s, "", `{"grant_types":["client_credentials"]}`)
	ccToken(t, s, r)
	s.kill()
	data, err := os.ReadFile(s.store)
	if err != nil {
		t.Fatal(err)
	}
	if wal, err := os.ReadFile(s.store + "-wal"); err == nil {
		data = append(data, wal...)
	}
	if !bytes.Contains(data, []byte(r.ClientID)) {
		t.Fatal("the registered client is not in the store file")
	}
	for what, v := range map[string]string{"client secret": r.Secret, "registration access token": r.Token} {
		if bytes.Contains(data, []byte(v)) {
			t.Errorf("the store holds the %s in the clear", what)
		}
	}
}

// TestRule106_RegistrationLimits: registration requests are counted per
// address (refused ones too) and answered 429 with Retry-After past the
// limit; a body over 16 KiB is refused; the store holds at most
// max_clients registered clients.
func TestRule106_RegistrationLimits(t *testing.T) {
	t.Run("rate", func(t *testing.T) {
		s := startServer(t, regConfig("open", "rate_per_minute: 3"))
		mustRegister(t, s, "", `{"grant_types":["client_credentials"]}`)
		wantRegError(t, s.register(t, "", `{"redirect_uris":["http://evil.example/cb"]}`), http.StatusBadRequest, "invalid_redirect_uri", "loopback")
		mustRegister(t, s, "", `{"grant_types":["client_credentials"]}`)
		a := s.register(t, "", `{"grant_types":["client_credentials"]}`)
		wantRegError(t, a, http.StatusTooManyRequests, "temporarily_unavailable", "rule 106")
		if n, err := strconv.Atoi(a.Header.Get("Retry-After")); err != nil || n < 1 || n > 60 {
			t.Errorf("Retry-After %q, want 1..60 seconds", a.Header.Get("Retry-After"))
		}
	})
	t.Run("body size and client cap", func(t *testing.T) {
		s := startServer(t, regConfig("open", "max_clients: 2"))
		big := `{"client_name":"` + strings.Repeat("a", 17<<10) + `"}`
		wantRegError(t, s.register(t, "", big), http.StatusRequestEntityTooLarge, "invalid_client_metadata", "16384 bytes")
		many := jsonBody(t, map[string]any{"redirect_uris": strings.Split(strings.Repeat("https://app.example.test/cb,", 21), ",")[:21]})
		wantRegError(t, s.register(t, "", many), http.StatusBadRequest, "invalid_redirect_uri", "more than 20")
		first := mustRegister(t, s, "", `{"grant_types":["client_credentials"]}`)
		mustRegister(t, s, "", `{"grant_types":["client_credentials"]}`)
		wantRegError(t, s.register(t, "", `{"grant_types":["client_credentials"]}`), http.StatusForbidden, "access_denied", "maximum of 2 registered clients")
		// Configured clients do not count; deleting a registered one frees a place.
		if a := s.manage(t, http.MethodDelete, first.URI, first.Token, ""); a.Status != http.StatusNoContent {
			t.Fatalf("DELETE: %s", a)
		}
		mustRegister(t, s, "", `{"grant_types":["client_credentials"]}`)
	})
}
