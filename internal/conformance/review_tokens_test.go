package conformance

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Rules of the second review (issue 13) about codes and tokens.

// TestRule49_CodeReplayByAnotherClient: a used code replayed by another
// client is invalid_grant and revokes nothing; replayed by its own client
// it revokes the grant (RFC 6749 §4.1.3, rule 9).
func TestRule49_CodeReplayByAnotherClient(t *testing.T) {
	s := shared(t)
	g := s.getCode(t, basicID, appCB, "read", false)
	tok := mustTokens(t, s.redeem(t, asBasic, g), "redeem")
	wantTokenError(t, s.redeem(t, asOther, g), http.StatusBadRequest, "invalid_grant")
	for _, k := range []string{"access_token", "refresh_token"} {
		if !s.active(t, tok.str(k)) {
			t.Errorf("%s inactive after another client replayed the code", k)
		}
	}
	wantTokenError(t, s.redeem(t, asBasic, g), http.StatusBadRequest, "invalid_grant")
	for _, k := range []string{"access_token", "refresh_token"} {
		if s.active(t, tok.str(k)) {
			t.Errorf("%s active after its own client replayed the code", k)
		}
	}
}

// TestRule57_RefreshTokenIntrospectionByAnotherClient: a refresh token
// introspected by a client other than its own is exactly
// {"active":false}: no sub, no scope (RFC 7662 §2.2).
func TestRule57_RefreshTokenIntrospectionByAnotherClient(t *testing.T) {
	s := shared(t)
	tok := s.passwordTokens(t, "read")
	for _, hint := range []string{"", "refresh_token"} {
		a := s.post(t, "/introspect", asOther, url.Values{"token": {tok.str("refresh_token")}, "token_type_hint": {hint}})
		if a.Status != http.StatusOK || strings.TrimSpace(string(a.Body)) != `{"active":false}` {
			t.Errorf("hint %q: %s, want 200 {\"active\":false}", hint, a)
		}
	}
	if !s.active(t, tok.str("refresh_token")) {
		t.Error("the owner's introspection of its live refresh token is not active")
	}
	if a := s.post(t, "/introspect", asOther, url.Values{"token": {tok.str("access_token")}}); a.JSON["active"] != true {
		t.Errorf("an access token introspected by a resource server: %s, want active", a)
	}
}

// TestRule51_UserinfoNeedsOpenID: /userinfo answers 403 insufficient_scope
// to an access token without openid (OpenID Connect Core §5.3); a refresh
// narrowed to a scope without openid returns no ID token.
func TestRule51_UserinfoNeedsOpenID(t *testing.T) {
	s := shared(t)
	bearer := func(tok string) answer {
		return s.do(t, http.MethodGet, "/userinfo", http.Header{"Authorization": {"Bearer " + tok}}, nil)
	}
	plain := s.passwordTokens(t, "read")
	a := bearer(plain.str("access_token"))
	wantTokenError(t, a, http.StatusForbidden, "insufficient_scope")
	if !strings.Contains(a.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
		t.Errorf("WWW-Authenticate %q", a.Header.Get("WWW-Authenticate"))
	}
	oidc := mustTokens(t, s.redeem(t, asBasic, s.getCode(t, basicID, appCB, "openid read", true, "nonce", "n-1")), "openid code")
	if a := bearer(oidc.str("access_token")); a.Status != http.StatusOK || a.str("sub") == "" {
		t.Fatalf("userinfo with openid: %s", a)
	}
	narrow := mustTokens(t, s.token(t, asBasic, url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {oidc.str("refresh_token")}, "scope": {"read"}}), "narrowing refresh")
	if _, has := narrow.JSON["id_token"]; has {
		t.Errorf("a refresh narrowed to read returned an ID token: %s", narrow)
	}
	wantTokenError(t, bearer(narrow.str("access_token")), http.StatusForbidden, "insufficient_scope")
}

// TestRule46_RefreshDropsRemovedScopes: a scope removed from a client in
// the configuration is gone from the next refresh; with none of the
// grant's scopes left the refresh is invalid_scope (RFC 6749 §6).
func TestRule46_RefreshDropsRemovedScopes(t *testing.T) {
	const before = `
clients:
  - id: app
    secret: app-s3cret-0123456789
    grant_types: [password, refresh_token]
    scopes: [read, write]
users:
  - username: alice
    password: wonderland-pw
`
	dir := t.TempDir()
	s, err := launch(dir, before)
	if err != nil {
		t.Fatal(err)
	}
	app := basicAuth("app", "app-s3cret-0123456789")
	pw := func(scope string) answer {
		return mustTokens(t, s.token(t, app, url.Values{"grant_type": {"password"}, "username": {"alice"},
			"password": {"wonderland-pw"}, "scope": {scope}}), "password grant")
	}
	both, readOnly := pw("read write"), pw("read")
	s.kill()
	after := strings.Replace(before, "scopes: [read, write]", "scopes: [write]", 1)
	if s, err = launch(dir, after); err != nil {
		t.Fatal(err)
	}
	defer s.kill()
	next := mustTokens(t, s.token(t, app, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {both.str("refresh_token")}}), "refresh")
	if next.str("scope") != "write" {
		t.Errorf("scope after read was removed: %q, want write", next.str("scope"))
	}
	wantTokenError(t, s.token(t, app, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {readOnly.str("refresh_token")}}),
		http.StatusBadRequest, "invalid_scope")
}

// TestRule56_ForeignHostMisdirected: a request whose Host is another name
// (a DNS-rebinding page) is 421 on the endpoints that hand out codes and
// tokens; the listening address and localhost keep working.
func TestRule56_ForeignHostMisdirected(t *testing.T) {
	s := shared(t)
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	send := func(host, method, path, body string) answer {
		req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", formEncodedBasic(basicID, basicSecret))
		resp, err := httpc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return answer{Status: resp.StatusCode, Header: resp.Header}
	}
	authz := "/authorize?" + q("response_type", "code", "client_id", basicID, "redirect_uri", appCB, "login_hint", userName)
	cc := "grant_type=client_credentials"
	for _, host := range []string{"rebind.example.test:" + u.Port(), "rebind.example.test"} {
		if a := send(host, http.MethodGet, authz, ""); a.Status != http.StatusMisdirectedRequest || a.Header.Get("Location") != "" {
			t.Errorf("GET /authorize with Host %s: %d, Location %q; want 421 and no redirect", host, a.Status, a.Header.Get("Location"))
		}
		if a := send(host, http.MethodPost, "/token", cc); a.Status != http.StatusMisdirectedRequest {
			t.Errorf("POST /token with Host %s: %d, want 421", host, a.Status)
		}
	}
	for _, host := range []string{u.Host, "localhost:" + u.Port()} {
		if a := send(host, http.MethodPost, "/token", cc); a.Status != http.StatusOK {
			t.Errorf("POST /token with Host %s: %d, want 200", host, a.Status)
		}
	}
}

// TestRule53_ClientIDEqualsUsernameRefused: serve refuses a configuration
// where a client ID equals a username (both would be the same sub).
func TestRule53_ClientIDEqualsUsernameRefused(t *testing.T) {
	dir := t.TempDir()
	cfg := dir + "/clash.yaml"
	writeFile(t, cfg, "clients:\n  - id: alice\n    secret: s3cret-0123456789abcdef\n    grant_types: [client_credentials]\nusers:\n  - username: alice\n    password: pw\n")
	cmd := exec.Command(suite.bin, "serve", "--config", cfg, "--store", "memory", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+dir+"/state")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("serve: %v, want exit 2; stderr %s", err, stderr.String())
	}
	want := `clash.yaml:6: users[0].username: "alice" is also the id of clients[0]`
	if !strings.Contains(stderr.String(), want) || stdout.Len() != 0 {
		t.Errorf("stdout %q stderr %q, want nothing and %q", stdout.String(), stderr.String(), want)
	}
}

// TestRule52_StoreStaysBounded: an auto-approved client flooded with
// anonymous /authorize requests gets at most MaxLiveCodes (1000) live
// codes, then temporarily_unavailable at its redirect URI; /healthz polled
// in a loop keeps answering 200.
func TestRule52_StoreStaysBounded(t *testing.T) {
	s := startServer(t, `
clients:
  - id: flood
    redirect_uris: [http://127.0.0.1/cb]
    scopes: [read]
    auto_approve: true
users:
  - username: alice
    password: wonderland-pw
`)
	query := func(state string) string {
		_, ch := pkcePair(t)
		return q("response_type", "code", "client_id", "flood", "redirect_uri", "http://127.0.0.1/cb", "state", state,
			"code_challenge", ch, "code_challenge_method", "S256")
	}
	for i := range 1000 {
		a := s.authorize(t, query("s"))
		if loc := a.location(t); a.Status != http.StatusFound || loc == nil || loc.Query().Get("code") == "" {
			t.Fatalf("request %d: %s, want a code", i, a)
		}
	}
	a := s.authorize(t, query("over"))
	loc := a.location(t)
	if a.Status != http.StatusFound || loc == nil || loc.Query().Get("error") != "temporarily_unavailable" || loc.Query().Get("code") != "" {
		t.Fatalf("request 1001: %s Location %v, want temporarily_unavailable and no code", a, loc)
	}
	for range 100 {
		if h := s.do(t, http.MethodGet, "/healthz", nil, nil); h.Status != http.StatusOK {
			t.Fatalf("/healthz: %s", h)
		}
	}
}
