package authserver

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// signedInCarol signs carol in with client rp and returns her ID token.
func (e *azEnv) signedInCarol(t *testing.T) string {
	t.Helper()
	return e.rpTokens(t, e.code(t, e.signIn(rpCodeReq()...), azApp, "st-123"))["id_token"].(string)
}

// wantSignedIn asserts whether the browser still has a session.
func (e *azEnv) wantSignedIn(t *testing.T, want bool) {
	t.Helper()
	r := e.authorize(rpCodeReq("prompt", "none")...)
	v := redirectParams(t, r, azApp+"?", false)
	if got := v.Get("error") == ""; got != want {
		t.Errorf("signed in %v, want %v (answer %v)", got, want, v)
	}
}

// RP-initiated logout with the ID token of the signed-in user: the session
// ends at once and the browser goes to the registered URI with state.
func TestLogoutWithIDTokenHint(t *testing.T) {
	e := newOIDCEnv(t)
	idt := e.signedInCarol(t)
	r := e.get("/authorize/logout?" + url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {rpBye}, "state": {"s&1"}}.Encode())
	if r.status != http.StatusFound || r.location() != rpBye+"?state=s%261" {
		t.Fatalf("status %d Location %q, want 302 to %s?state=s%%261", r.status, r.location(), rpBye)
	}
	if c := r.header.Get("Set-Cookie"); !strings.Contains(c, sessionCookie+"=;") || !strings.Contains(c, "Max-Age=0") {
		t.Errorf("Set-Cookie %q, want the session cookie cleared", c)
	}
	e.wantSignedIn(t, false)

	// Not signed in any more: the same request redirects again, and
	// without post_logout_redirect_uri shows the signed-out page.
	if r := e.get("/authorize/logout?" + url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {rpBye}}.Encode()); r.location() != rpBye {
		t.Errorf("signed out: Location %q, want %s", r.location(), rpBye)
	}
	wantPage(t, e.get("/authorize/logout?"+url.Values{"id_token_hint": {idt}}.Encode()), http.StatusOK, "Signed out")
}

// Without a hint of the signed-in user, the person confirms on a page whose
// form (CSRF-checked) carries the request on.
func TestLogoutConfirmation(t *testing.T) {
	e := newOIDCEnv(t)
	e.signedInCarol(t)
	// Bob's ID token, from another browser.
	carol := e.client
	e.client = e.newBrowser()
	bobIDT := e.rpTokens(t, e.code(t, e.login(e.authorize(rpCodeReq()...), "bob", bobPass), azApp, "st-123"))["id_token"].(string)
	e.client = carol

	for name, q := range map[string]url.Values{
		"client_id only":          {"client_id": {"rp"}, "post_logout_redirect_uri": {rpBye}, "state": {"xyz"}},
		"hint of another user":    {"id_token_hint": {bobIDT}, "post_logout_redirect_uri": {rpBye}, "state": {"xyz"}},
		"no parameters, as a GET": {},
	} {
		t.Run(name, func(t *testing.T) {
			page := e.get("/authorize/logout?" + q.Encode())
			wantPage(t, page, http.StatusOK, "Sign out", "signed in as <strong>carol</strong>")
			if q.Has("post_logout_redirect_uri") {
				for _, want := range []string{`<strong>Relying Party</strong> asks to sign you out`, `name="client_id" value="rp"`,
					`name="post_logout_redirect_uri" value="` + rpBye + `"`, `name="state" value="xyz"`} {
					if !strings.Contains(page.body, want) {
						t.Errorf("page lacks %s", want)
					}
				}
				if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://app.example.test") {
					t.Errorf("CSP %q lets the form not reach the redirect", csp)
				}
			}
			e.wantSignedIn(t, true)
		})
	}
	page := e.get("/authorize/logout?" + url.Values{"client_id": {"rp"}, "post_logout_redirect_uri": {rpBye}, "state": {"xyz"}}.Encode())
	csrf, _ := formValues(t, page.body)
	wantPage(t, e.postForm("/authorize/logout", url.Values{"csrf_token": {"forged"}, "client_id": {"rp"}, "post_logout_redirect_uri": {rpBye}}),
		http.StatusForbidden, "Form expired")
	e.wantSignedIn(t, true)
	r := e.postForm("/authorize/logout", url.Values{"csrf_token": {csrf}, "client_id": {"rp"}, "post_logout_redirect_uri": {rpBye}, "state": {"xyz"}})
	if r.status != http.StatusSeeOther || r.location() != rpBye+"?state=xyz" {
		t.Fatalf("confirmed: status %d Location %q", r.status, r.location())
	}
	e.wantSignedIn(t, false)
}

// A post_logout_redirect_uri that is not registered exactly for the client,
// or a logout request that cannot be trusted, gets an error page and never
// a redirect; the session stays.
func TestLogoutRefusals(t *testing.T) {
	e := newOIDCEnv(t)
	idt := e.signedInCarol(t)
	parts := strings.Split(idt, ".")
	tests := []struct {
		name   string
		params url.Values
		detail string
	}{
		{"unregistered URI", url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"https://evil.example/bye"}}, "is not registered for client &#39;rp&#39;"},
		{"trailing slash", url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {rpBye + "/"}}, "is not registered"},
		{"upper case", url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {strings.ToUpper(rpBye)}}, "is not registered"},
		{"extra query", url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {rpBye + "?x=1"}}, "is not registered"},
		{"the client's redirect_uri", url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {azApp}}, "is not registered"},
		{"another client's URI", url.Values{"client_id": {"web"}, "post_logout_redirect_uri": {rpBye}}, "is not registered for client &#39;web&#39;"},
		{"no client", url.Values{"post_logout_redirect_uri": {rpBye}}, "needs client_id or id_token_hint"},
		{"unknown client", url.Values{"client_id": {"nobody"}, "post_logout_redirect_uri": {rpBye}}, "No client &#39;nobody&#39;"},
		{"client_id not the hint's audience", url.Values{"id_token_hint": {idt}, "client_id": {"web"}, "post_logout_redirect_uri": {rpBye}}, "is not the audience"},
		{"tampered hint", url.Values{"id_token_hint": {parts[0] + "." + parts[1] + "." + flipLastChar(parts[2])}, "post_logout_redirect_uri": {rpBye}}, "id_token_hint is not an ID token issued by this server"},
		{"repeated parameter", url.Values{"id_token_hint": {idt}, "state": {"a", "b"}}, "&#39;state&#39; is repeated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantPage(t, e.get("/authorize/logout?"+tc.params.Encode()), http.StatusBadRequest, "Invalid logout request", tc.detail)
		})
	}
	e.wantSignedIn(t, true)
}
