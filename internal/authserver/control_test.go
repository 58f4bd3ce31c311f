package authserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Tests of Control (docs/control.md) through what a client sees over HTTP:
// queued failures, login-as, validation, Reset and State. Tampering,
// claims, revocation, keys and the clock have their own files.

// ccWeb and ccSvc are client_credentials requests of web (HTTP Basic) and
// svc (client_secret_post: its client_id is in the form body).
func (e *env) ccWeb() resp {
	return e.post("/token", form("grant_type", GrantClientCredentials), webAuth)
}
func (e *env) ccSvc() resp {
	return e.post("/token", form("grant_type", GrantClientCredentials), svcAuth)
}

// wantOAuthError asserts status, error code and description of a JSON
// error answer.
func wantOAuthError(t *testing.T, r resp, status int, code, desc string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	m := r.obj(t)
	if m["error"] != code || (desc != "" && m["error_description"] != desc) {
		t.Fatalf("body %s; want error %q, error_description %q", r.body, code, desc)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
}

func wantOK(t *testing.T, r resp) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", r.status, r.body)
	}
}

func mustFail(t *testing.T, c *Control, f Failure) {
	t.Helper()
	if err := c.Fail(f); err != nil {
		t.Fatal(err)
	}
}

const injected = "failure injected by the control API"

func TestControlFailOnceThenNormal(t *testing.T) {
	e := newEnv(t)
	mustFail(t, e.srv.Control(), Failure{Endpoint: EndpointToken, Error: ErrInvalidGrant})
	wantOAuthError(t, e.ccWeb(), http.StatusBadRequest, ErrInvalidGrant, injected)
	wantOK(t, e.ccWeb())
	if st := e.srv.Control().State(); len(st.Failures) != 0 {
		t.Errorf("a spent failure is still queued: %+v", st.Failures)
	}
}

func TestControlFailTimesAndClient(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()
	// svc's client_id travels in the form body, web's in HTTP Basic: both
	// are read without taking the body from the endpoint.
	mustFail(t, c, Failure{Endpoint: EndpointToken, Error: ErrInvalidClient, Description: "svc is down",
		Scope: Scope{ClientID: svcID, Times: 2}})
	wantOK(t, e.ccWeb())
	r := e.ccSvc()
	wantOAuthError(t, r, http.StatusUnauthorized, ErrInvalidClient, "svc is down")
	if st := c.State(); len(st.Failures) != 1 || st.Failures[0].Times != 1 || st.Failures[0].ClientID != svcID {
		t.Errorf("state after one use: %+v", st.Failures)
	}
	wantOAuthError(t, e.ccSvc(), http.StatusUnauthorized, ErrInvalidClient, "svc is down")
	wantOK(t, e.ccSvc())
	wantOK(t, e.ccWeb())

	mustFail(t, c, Failure{Endpoint: EndpointToken, Error: ErrInvalidGrant, Scope: Scope{ClientID: webID}})
	wantOK(t, e.ccSvc()) // web's failure does not touch svc
	wantOAuthError(t, e.ccWeb(), http.StatusBadRequest, ErrInvalidGrant, injected)
}

func TestControlFailAlwaysUntilReset(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()
	mustFail(t, c, Failure{Endpoint: EndpointToken, Error: ErrTemporarilyUnavailable, Scope: Scope{Times: -1}})
	for range 5 {
		wantOAuthError(t, e.ccSvc(), http.StatusServiceUnavailable, ErrTemporarilyUnavailable, injected)
	}
	if st := c.State(); len(st.Failures) != 1 || st.Failures[0].Times != -1 {
		t.Errorf("state: %+v", st.Failures)
	}
	c.Reset()
	wantOK(t, e.ccSvc())
}

func TestControlFailStatusesPerEndpoint(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()

	// an explicit status beats the RFC's
	mustFail(t, c, Failure{Endpoint: EndpointToken, Error: ErrInvalidGrant, Status: 429})
	wantOAuthError(t, e.ccWeb(), 429, ErrInvalidGrant, injected)

	// a plain status: no OAuth body
	mustFail(t, c, Failure{Endpoint: EndpointIntrospect, Status: http.StatusInternalServerError})
	r := e.introspect("whatever")
	if r.status != http.StatusInternalServerError || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") ||
		string(r.body) != "oauthkit: HTTP 500 injected by the control API\n" {
		t.Errorf("plain 500: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	wantOK(t, e.introspect("whatever"))

	mustFail(t, c, Failure{Endpoint: EndpointRevoke, Error: ErrUnsupportedTokenType})
	wantOAuthError(t, e.post("/revoke", form("token", "x"), webAuth), http.StatusBadRequest, ErrUnsupportedTokenType, injected)

	mustFail(t, c, Failure{Endpoint: EndpointJWKS, Status: http.StatusServiceUnavailable})
	if r := e.get("/jwks.json", nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("jwks: %d %s", r.status, r.body)
	}
	wantOK(t, e.get("/jwks.json", nil))

	mustFail(t, c, Failure{Endpoint: EndpointDiscovery, Error: ErrServerError})
	wantOAuthError(t, e.get("/.well-known/openid-configuration", nil), http.StatusInternalServerError, ErrServerError, injected)
	wantOK(t, e.get("/.well-known/oauth-authorization-server", nil))

	// userinfo answers like a protected resource: WWW-Authenticate
	mustFail(t, c, Failure{Endpoint: EndpointUserinfo, Error: ErrInvalidToken})
	r = e.get("/userinfo", map[string]string{"Authorization": "Bearer x"})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("userinfo: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
}

func TestControlFailDelayOnly(t *testing.T) {
	e := newEnv(t)
	const delay = 100 * time.Millisecond
	mustFail(t, e.srv.Control(), Failure{Endpoint: EndpointToken, Delay: delay})
	start := time.Now()
	r := e.ccWeb()
	// a lower bound only: it cannot flake on a slow machine
	if took := time.Since(start); took < delay {
		t.Errorf("answered after %s, before the delay of %s", took, delay)
	}
	wantOK(t, r) // delayed, then answered normally
}

func TestControlFailAuthorize(t *testing.T) {
	e := newAzEnv(t)
	c := e.srv.Control()
	if err := c.Fail(Failure{Endpoint: EndpointAuthorize, Error: ErrAccessDenied, Scope: Scope{ClientID: "web"}}); err != nil {
		t.Fatal(err)
	}
	// an invalid request of web keeps its page and does not spend it
	wantPage(t, e.authorize(codeReq("redirect_uri", "https://evil.example.test/cb")...), http.StatusBadRequest)
	// another client is not affected: spa goes to the login page
	spa := e.authorize(codeReq("client_id", "spa", "redirect_uri", "https://spa.example.test/cb")...)
	if !strings.HasPrefix(spa.location(), "/authorize/login?") {
		t.Fatalf("spa: %d %q", spa.status, spa.location())
	}
	// web's valid request gets the error on its redirect URI, with state and iss
	v := e.wantRedirectError(t, e.authorize(codeReq()...), azApp, ErrAccessDenied, "st-123")
	if v.Get("error_description") != injected {
		t.Errorf("error_description %q", v.Get("error_description"))
	}
	if r := e.authorize(codeReq()...); !strings.HasPrefix(r.location(), "/authorize/login?") {
		t.Errorf("second request: %d %q, want the login page", r.status, r.location())
	}
	// a plain status at /authorize is answered before validation
	if err := c.Fail(Failure{Endpoint: EndpointAuthorize, Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	if r := e.authorize(codeReq()...); r.status != http.StatusServiceUnavailable || r.location() != "" {
		t.Errorf("plain 503: %d %q", r.status, r.location())
	}
}

// userinfo requests name their client only through the access token: a
// failure for one client answers that client's tokens, not another's.
func TestControlFailUserinfoByClient(t *testing.T) {
	e := newOIDCEnv(t)
	c := e.srv.Control()
	if err := c.LoginAs(t.Context(), "carol", Scope{Times: -1}); err != nil {
		t.Fatal(err)
	}
	e.addClient(store.Client{ID: "rp2", AuthMethod: "none", Scopes: []string{"openid"}, SkipConsent: true,
		GrantTypes: []string{GrantAuthorizationCode}, RedirectURIs: []string{azApp}})
	rpAT := e.rpTokens(t, e.code(t, e.authorize(rpCodeReq()...), azApp, "st-123"))["access_token"].(string)
	r2 := e.redeem("rp2", "", e.code(t, e.authorize(codeReq("client_id", "rp2", "scope", "openid")...), azApp, "st-123"), azApp, azVerifier)
	if r2.status != http.StatusOK {
		t.Fatalf("rp2: %d %s", r2.status, r2.body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r2.body), &m); err != nil {
		t.Fatal(err)
	}
	rp2AT := m["access_token"].(string)

	if err := c.Fail(Failure{Endpoint: EndpointUserinfo, Error: ErrInvalidToken, Description: "rp only", Scope: Scope{ClientID: "rp"}}); err != nil {
		t.Fatal(err)
	}
	if r := e.bearerGet("/userinfo", rp2AT); r.status != http.StatusOK {
		t.Errorf("rp2's userinfo: %d %s", r.status, r.body)
	}
	if r := e.bearerGet("/userinfo", "not-a-token"); r.status != http.StatusUnauthorized || strings.Contains(r.header.Get("WWW-Authenticate"), "rp only") {
		t.Errorf("a bad token took rp's failure: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	r := e.bearerGet("/userinfo", rpAT)
	if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), `error_description="rp only"`) {
		t.Errorf("rp's userinfo: %d %q %s", r.status, r.header.Get("WWW-Authenticate"), r.body)
	}
	if r := e.bearerGet("/userinfo", rpAT); r.status != http.StatusOK {
		t.Errorf("rp's second userinfo: %d %s", r.status, r.body)
	}
}

func TestControlFailValidation(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()
	for _, tc := range []struct {
		f    Failure
		want string
	}{
		{Failure{Endpoint: "login", Error: "x"}, `endpoint "login": use one of token, authorize, introspect, revoke, userinfo, jwks, discovery`},
		{Failure{Endpoint: EndpointToken}, "say what to do: an error, a status or a delay"},
		{Failure{Endpoint: EndpointToken, Error: "bad code"}, `error "bad code": an OAuth error code is printable ASCII without quotes or backslashes (RFC 6749 §5.2)`},
		{Failure{Endpoint: EndpointToken, Error: `a"b`}, `error "a\"b": an OAuth error code`},
		{Failure{Endpoint: EndpointToken, Status: 302}, "status 302: use a client or server error status, 400 to 599"},
		{Failure{Endpoint: EndpointToken, Status: 600}, "status 600: use a client or server error status, 400 to 599"},
		{Failure{Endpoint: EndpointToken, Delay: -time.Second}, "delay -1s: use 0 to 25s"},
		{Failure{Endpoint: EndpointToken, Delay: time.Minute}, "delay 1m0s: use 0 to 25s"},
		{Failure{Endpoint: EndpointToken, Status: 500, Description: "why"}, "description: only with an error code"},
		{Failure{Endpoint: EndpointToken, Error: "x", Description: "line\nbreak"}, "description: at most 500 characters of printable ASCII"},
		{Failure{Endpoint: EndpointToken, Error: "x", Description: strings.Repeat("a", 501)}, "description: at most 500 characters"},
		{Failure{Endpoint: EndpointToken, Error: "x", Scope: Scope{Times: 100001}}, "times: at most 100000 (a negative number means every request until reset)"},
		{Failure{Endpoint: EndpointToken, Error: "x", Scope: Scope{ClientID: strings.Repeat("c", 1000)}}, "client: at most"},
		{Failure{Endpoint: EndpointJWKS, Status: 500, Scope: Scope{ClientID: webID}}, "client: requests to the jwks endpoint name no client; leave it out"},
		{Failure{Endpoint: EndpointDiscovery, Status: 500, Scope: Scope{ClientID: webID}}, "client: requests to the discovery endpoint name no client; leave it out"},
	} {
		err := c.Fail(tc.f)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Fail(%+v) = %v, want %q", tc.f, err, tc.want)
		}
	}
	if st := c.State(); len(st.Failures) != 0 {
		t.Errorf("refused failures were queued: %+v", st.Failures)
	}
	wantOK(t, e.ccWeb())
}

func TestControlLoginAs(t *testing.T) {
	e := newAzEnv(t)
	c := e.srv.Control()
	ctx := t.Context()
	if err := c.LoginAs(ctx, "bob", Scope{ClientID: "web"}); err != nil {
		t.Fatal(err)
	}
	// spa is not the client named: pages as usual
	if r := e.authorize(codeReq("client_id", "spa", "redirect_uri", "https://spa.example.test/cb")...); !strings.HasPrefix(r.location(), "/authorize/login?") {
		t.Fatalf("spa: %d %q", r.status, r.location())
	}
	// web: a code at once, no page, for bob
	code := e.code(t, e.authorize(codeReq()...), azApp, "st-123")
	tok := e.redeem("web", azSecret, code, azApp, azVerifier)
	if tok.status != http.StatusOK {
		t.Fatalf("redeem: %d %s", tok.status, tok.body)
	}
	at := strings.Split(strings.SplitAfter(tok.body, `"access_token":"`)[1], `"`)[0]
	if _, claims := jwtParts(t, at); claims["sub"] != "sub-bob" {
		t.Errorf("sub %v, want sub-bob", claims["sub"])
	}
	// once: the next request shows the login page again
	if r := e.authorize(codeReq()...); !strings.HasPrefix(r.location(), "/authorize/login?") {
		t.Errorf("after the login-as: %d %q", r.status, r.location())
	}
	err := c.LoginAs(ctx, "mallory", Scope{})
	if !errors.Is(err, store.ErrNotFound) || err.Error() != `no user "mallory": not found` {
		t.Errorf("unknown user: %v", err)
	}
	// the user is removed after the login-as was queued: access_denied
	if err := c.LoginAs(ctx, "bob", Scope{Times: 2}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Users().Delete(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	v := e.wantRedirectError(t, e.authorize(codeReq()...), azApp, ErrAccessDenied, "st-123")
	if v.Get("error_description") != "the login-as user 'bob' no longer exists" {
		t.Errorf("error_description %q", v.Get("error_description"))
	}
}

func TestControlResetAndState(t *testing.T) {
	e := newEnv(t, withRequestLog())
	c := e.srv.Control()
	ctx := t.Context()
	mustFail(t, c, Failure{Endpoint: EndpointToken, Error: ErrInvalidGrant, Scope: Scope{Times: 3}})
	if err := c.Tamper(Tamper{Kind: TamperNoTokenType}); err != nil {
		t.Fatal(err)
	}
	if err := c.LoginAs(ctx, "alice", Scope{}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetClaims(ctx, ClaimsRule{Claims: map[string]any{"team": "qa"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetSkew(time.Hour); err != nil {
		t.Fatal(err)
	}
	kid := e.srv.keys.Signer().KeyID()
	newKey, err := c.RotateKeys("ES256")
	if err != nil {
		t.Fatal(err)
	}
	rev, err := c.Revoke(ctx, Revocation{ClientID: svcID})
	if err != nil {
		t.Fatal(err)
	}
	wantOAuthError(t, e.ccWeb(), http.StatusBadRequest, ErrInvalidGrant, injected)

	st := c.State()
	if st.Skew != time.Hour || len(st.Failures) != 1 || st.Failures[0].Times != 2 || len(st.Tampers) != 1 ||
		len(st.Logins) != 1 || st.Logins[0].User != "alice" || len(st.Claims) != 1 || len(st.Revoked) != 1 ||
		len(st.Keys) != 2 || st.Requests != 1 {
		t.Fatalf("state before reset: %+v", st)
	}
	if !rev.At.Equal(e.clock.Now().Add(time.Hour)) {
		t.Errorf("revocation at %s, want the skewed clock %s", rev.At, e.clock.Now().Add(time.Hour))
	}

	c.Reset()
	st = c.State()
	if st.Skew != 0 || len(st.Failures)+len(st.Tampers)+len(st.Logins)+len(st.Claims) != 0 || st.Requests != 0 {
		t.Errorf("reset left: %+v", st)
	}
	// keys and revocations stay
	if len(st.Keys) != 2 || st.Keys[0].KID != kid || st.Keys[1].KID != newKey.KID || !st.Keys[1].Signing || len(st.Revoked) != 1 {
		t.Errorf("reset changed keys or revocations: %+v", st)
	}
	tok := e.mustTokens(e.ccWeb())
	if tok.raw["token_type"] != "Bearer" || tok.raw["team"] != nil {
		t.Errorf("after reset: %v", tok.raw)
	}
	if h, claims := jwtParts(t, tok.access); h["kid"] != newKey.KID || claims["team"] != nil ||
		int64(claims["iat"].(float64)) != e.clock.Now().Unix() {
		t.Errorf("after reset: header %v claims %v", h, claims)
	}
}
