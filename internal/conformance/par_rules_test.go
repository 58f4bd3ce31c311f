package conformance

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Rules 100–101: pushed authorization requests (RFC 9126).

const (
	pushyID     = "pushy"
	pushySecret = "pushy-s3cret-0123456789abcdef"
	postyID     = "posty"
	postySecret = "posty-s3cret-0123456789abcdef"
)

var (
	asPushy = basicAuth(pushyID, pushySecret)
	asPosty = postAuth(postyID, postySecret)
)

// parClients are appended to the clients of resourceConfig.
const parClients = `
  - id: pushy
    secret: pushy-s3cret-0123456789abcdef
    redirect_uris: [https://app.example.test/cb]
    scopes: [read, write]
    auto_approve: true
    require_pushed_authorization_requests: true
  - id: posty
    secret: posty-s3cret-0123456789abcdef
    auth_method: client_secret_post
    redirect_uris: [https://post.example.test/cb]
    scopes: [read]
    auto_approve: true
`

// withPARClients is resourceConfig with the PAR clients added.
func withPARClients() string {
	return strings.Replace(resourceConfig, "users:\n", strings.TrimPrefix(parClients, "\n")+"users:\n", 1)
}

// push sends an authorization request to /par as a.
func (s *server) push(t *testing.T, a auth, kv ...string) answer {
	t.Helper()
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return s.post(t, "/par", a, f)
}

// mustPush wants a 201 with a request_uri.
func mustPush(t *testing.T, a answer) string {
	t.Helper()
	ru := a.str("request_uri")
	if a.Status != http.StatusCreated || !strings.HasPrefix(ru, "urn:ietf:params:oauth:request_uri:") {
		t.Fatalf("push: %s, want 201 with a request_uri urn:ietf:params:oauth:request_uri:…", a)
	}
	return ru
}

func TestRule100_PARRequiredAndCheckedAtPush(t *testing.T) {
	s := startServer(t, withPARClients())
	t.Run("discovery", func(t *testing.T) {
		md := s.do(t, http.MethodGet, "/.well-known/oauth-authorization-server", nil, nil)
		if md.str("pushed_authorization_request_endpoint") != s.url+"/par" || md.JSON["require_pushed_authorization_requests"] != false {
			t.Fatalf("metadata: %s", md)
		}
	})
	t.Run("client that requires PAR: plain /authorize refused", func(t *testing.T) {
		a := s.authorize(t, q("response_type", "code", "client_id", pushyID, "redirect_uri", appCB, "state", "st", "scope", "read"))
		p := wantRedirectError(t, s, a, appCB, "invalid_request", false)
		if d := p.Get("error_description"); !strings.Contains(d, "must push its authorization requests") || !strings.Contains(d, "RFC 9126 section 5") {
			t.Errorf("error_description %q", d)
		}
	})
	t.Run("other clients may still use plain /authorize", func(t *testing.T) {
		s.getCode(t, agentID, appCB, "read", false)
	})
	t.Run("push answer", func(t *testing.T) {
		a := s.push(t, asPushy, "response_type", "code", "redirect_uri", appCB, "scope", "read", "state", "st")
		mustPush(t, a)
		if a.JSON["expires_in"] != float64(60) {
			t.Errorf("expires_in %v, want 60", a.JSON["expires_in"])
		}
		wantNoStore(t, a)
	})
	for name, tt := range map[string]struct {
		as     auth
		kv     []string
		status int
		code   string
		desc   string
	}{
		"wrong secret": {basicAuth(pushyID, "wrong"), []string{"response_type", "code", "redirect_uri", appCB},
			http.StatusUnauthorized, "invalid_client", ""},
		"no client authentication": {publicAuth(pushyID), []string{"response_type", "code", "redirect_uri", appCB},
			http.StatusUnauthorized, "invalid_client", ""},
		"unregistered redirect_uri": {asPushy, []string{"response_type", "code", "redirect_uri", "https://evil.example.test/cb"},
			http.StatusBadRequest, "invalid_request", "does not exactly match"},
		"unknown resource": {asPushy, []string{"response_type", "code", "redirect_uri", appCB, "scope", "read", "resource", "https://unknown.example.test/"},
			http.StatusBadRequest, "invalid_target", "RFC 8707 section 2"},
		"scope not allowed": {asPushy, []string{"response_type", "code", "redirect_uri", appCB, "scope", "admin"},
			http.StatusBadRequest, "invalid_scope", ""},
		"public client without PKCE": {publicAuth(narrowID), []string{"response_type", "code", "redirect_uri", loopbackCB, "scope", "read"},
			http.StatusBadRequest, "invalid_request", "code_challenge is required"},
		"request_uri pushed": {asPushy, []string{"response_type", "code", "redirect_uri", appCB, "request_uri", "urn:ietf:params:oauth:request_uri:x"},
			http.StatusBadRequest, "invalid_request", "RFC 9126 section 2.1"},
		"client_id of another client": {asPushy, []string{"client_id", agentID, "response_type", "code", "redirect_uri", appCB},
			http.StatusBadRequest, "invalid_request", "differs from the one in HTTP Basic"},
		"missing response_type": {asPushy, []string{"redirect_uri", appCB},
			http.StatusBadRequest, "invalid_request", "response_type is missing"},
	} {
		t.Run("push refused: "+name, func(t *testing.T) {
			a := s.push(t, tt.as, tt.kv...)
			wantTokenError(t, a, tt.status, tt.code)
			if !strings.Contains(a.str("error_description"), tt.desc) {
				t.Errorf("error_description %q does not contain %q", a.str("error_description"), tt.desc)
			}
		})
	}
	t.Run("server-wide --require-par", func(t *testing.T) {
		s := startServer(t, withPARClients(), "--require-par")
		md := s.do(t, http.MethodGet, "/.well-known/openid-configuration", nil, nil)
		if md.JSON["require_pushed_authorization_requests"] != true {
			t.Fatalf("require_pushed_authorization_requests %v, want true", md.JSON["require_pushed_authorization_requests"])
		}
		a := s.authorize(t, q("response_type", "code", "client_id", agentID, "redirect_uri", appCB, "state", "st", "scope", "read"))
		wantRedirectError(t, s, a, appCB, "invalid_request", false)
		ru := mustPush(t, s.push(t, asAgent, "response_type", "code", "redirect_uri", appCB, "scope", "read", "state", "st"))
		a = s.authorize(t, q("client_id", agentID, "request_uri", ru))
		if loc := a.location(t); a.Status != http.StatusFound || loc == nil || loc.Query().Get("code") == "" {
			t.Fatalf("authorize with request_uri: %s (Location %q)", a, a.Header.Get("Location"))
		}
	})
}

func TestRule101_RequestURISingleUseShortLivedAndBound(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "control-token")
	if err := os.WriteFile(tokenFile, []byte("ctl-0123456789abcdef0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, withPARClients(), "--control", "--control-token-file", tokenFile)
	_, challenge := pkcePair(t)
	ru := mustPush(t, s.push(t, asPushy, "response_type", "code", "redirect_uri", appCB, "scope", "read", "state", "st-p",
		"login_hint", userName, "resource", apiResource))

	t.Run("another client's request_uri", func(t *testing.T) {
		a := s.authorize(t, q("client_id", agentID, "request_uri", ru))
		wantNoRedirect(t, a)
		if !bytes.Contains(a.Body, []byte("invalid_request_uri")) || !bytes.Contains(a.Body, []byte("pushed by another client")) {
			t.Errorf("page does not say invalid_request_uri, pushed by another client: %s", a.Body)
		}
	})
	t.Run("used once; parameters beside it are ignored", func(t *testing.T) {
		// The request_uri was taken by the refused attempt above: a stolen
		// one is spent, whoever presents it. Push again.
		ru = mustPush(t, s.push(t, asPushy, "response_type", "code", "redirect_uri", appCB, "scope", "read", "state", "st-p",
			"login_hint", userName, "resource", apiResource))
		a := s.authorize(t, q("client_id", pushyID, "request_uri", ru, "scope", "write", "redirect_uri", "https://evil.example.test/cb"))
		loc := a.location(t)
		if a.Status != http.StatusFound || loc == nil || loc.Query().Get("code") == "" {
			t.Fatalf("authorize: %s (Location %q)", a, a.Header.Get("Location"))
		}
		if !strings.HasPrefix(loc.String(), appCB+"?") || loc.Query().Get("state") != "st-p" {
			t.Errorf("redirected to %s, want the pushed redirect_uri and state", loc)
		}
		tok := mustTokens(t, s.redeem(t, asPushy, grant{code: loc.Query().Get("code"), redirect: appCB}), "code")
		if tok.str("scope") != "read" {
			t.Errorf("scope %q, want the pushed read", tok.str("scope"))
		}
		if aud := audience(t, tok.str("access_token")); len(aud) != 1 || aud[0] != apiResource {
			t.Errorf("aud %v, want the pushed resource", aud)
		}
		again := s.authorize(t, q("client_id", pushyID, "request_uri", ru))
		wantNoRedirect(t, again)
		if !bytes.Contains(again.Body, []byte("invalid_request_uri")) || !bytes.Contains(again.Body, []byte("already used")) {
			t.Errorf("reuse page: %s", again.Body)
		}
	})
	t.Run("not ours", func(t *testing.T) {
		a := s.authorize(t, q("client_id", pushyID, "request_uri", "urn:ietf:params:oauth:request_uri:forged"))
		wantNoRedirect(t, a)
	})
	t.Run("client credentials are not stored with the request", func(t *testing.T) {
		ru := mustPush(t, s.push(t, asPosty, "response_type", "code", "redirect_uri", "https://post.example.test/cb", "scope", "read",
			"code_challenge", challenge, "code_challenge_method", "S256"))
		var all []byte
		for _, f := range []string{"store.db", "store.db-wal"} {
			b, _ := os.ReadFile(filepath.Join(s.dir, f))
			all = append(all, b...)
		}
		if !bytes.Contains(all, []byte(challenge)) {
			t.Fatal("the pushed request is not in the store file (test broken?)")
		}
		for what, secret := range map[string]string{"client_secret": postySecret,
			"request_uri": strings.TrimPrefix(ru, "urn:ietf:params:oauth:request_uri:")} {
			if bytes.Contains(all, []byte(secret)) {
				t.Errorf("the store file holds the %s in plain text", what)
			}
		}
	})
	t.Run("expired", func(t *testing.T) {
		ru := mustPush(t, s.push(t, asPushy, "response_type", "code", "redirect_uri", appCB, "scope", "read", "state", "st-x"))
		h := http.Header{"Authorization": {"Bearer ctl-0123456789abcdef0123456789"}, "Content-Type": {"application/json"}}
		if a := s.do(t, http.MethodPost, "/_oauthkit/control/clock", h, strings.NewReader(`{"skew":"61s"}`)); a.Status != http.StatusOK {
			t.Fatalf("clock skew: %s", a)
		}
		a := s.authorize(t, q("client_id", pushyID, "request_uri", ru))
		p := wantRedirectError(t, s, a, appCB, "invalid_request_uri", false)
		if d := p.Get("error_description"); !strings.Contains(d, "expired") || !strings.Contains(d, "RFC 9126 section 4") {
			t.Errorf("error_description %q", d)
		}
		if p.Get("state") != "st-x" {
			t.Errorf("state %q, want the pushed st-x", p.Get("state"))
		}
	})
}
