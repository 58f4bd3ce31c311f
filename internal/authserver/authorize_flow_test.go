package authserver

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The browser flow: /authorize → login page → consent page → code →
// /token → /userinfo; the second authorization needs neither page.
func TestAuthorizeLoginConsentAndToken(t *testing.T) {
	e := newAzEnv(t)
	r := e.authorize(codeReq("scope", "read")...)
	if r.status != http.StatusFound || !strings.HasPrefix(r.location(), "/authorize/login?request=") {
		t.Fatalf("status %d Location %q, want 302 to /login", r.status, r.location())
	}
	r = e.login(r, "alice", alicePass)
	if r.status != http.StatusSeeOther {
		t.Fatalf("login POST: status %d, want 303", r.status)
	}
	r = e.consent(r, "allow")
	if r.status != http.StatusSeeOther {
		t.Fatalf("consent POST: status %d, want 303", r.status)
	}
	code := e.code(t, r, azApp, "st-123")

	res := e.redeem("web", azSecret, code, azApp, azVerifier)
	if res.status != http.StatusOK {
		t.Fatalf("token: %d %s", res.status, res.body)
	}
	var tok map[string]any
	if err := json.Unmarshal([]byte(res.body), &tok); err != nil {
		t.Fatal(err)
	}
	if tok["scope"] != "read" || tok["refresh_token"] == nil {
		t.Errorf("token response %v", tok)
	}
	at, _ := tok["access_token"].(string)
	ui := e.bearerGet("/userinfo", at)
	if ui.status != http.StatusForbidden || !strings.Contains(ui.body, `"insufficient_scope"`) { // rule 51: scope read is not OpenID Connect
		t.Fatalf("userinfo: %d %s", ui.status, ui.body)
	}

	// Same browser, same scope: no login, no consent; a new code at once.
	r = e.authorize(codeReq("scope", "read", "state", "again")...)
	code2 := e.code(t, r, azApp, "again")
	if code2 == code {
		t.Fatalf("the same code twice")
	}
	// More scope than consented: the consent page again, but no login.
	r = e.authorize(codeReq("scope", "read write")...)
	if !strings.HasPrefix(r.location(), "/authorize/consent?request=") {
		t.Fatalf("Location %q, want the consent page", r.location())
	}
	// Another browser has no session: login again.
	other := e.newBrowser()
	r = e.getWith(other, "/authorize?"+azForm(codeReq("scope", "read")...).Encode())
	if !strings.HasPrefix(r.location(), "/authorize/login?request=") {
		t.Fatalf("Location %q, want the login page for a new browser", r.location())
	}
}

// The consent page names the client and lists the scopes with their
// descriptions; Deny answers access_denied (rule 4).
func TestConsentPageAndDeny(t *testing.T) {
	e := newAzEnv(t)
	r := e.login(e.authorize(codeReq("scope", "write read")...), "alice", alicePass)
	page := e.get(r.location())
	wantPage(t, page, http.StatusOK, "Web App", "<code>write</code><span>Change your files</span>",
		"<code>read</code><span>Read your files</span>", "your account <strong>alice</strong>", `value="allow"`, `value="deny"`,
		"https://app.example.test/cb")
	if !strings.Contains(page.header.Get("Content-Security-Policy"), "form-action 'self' https://app.example.test;") &&
		!strings.HasSuffix(page.header.Get("Content-Security-Policy"), "form-action 'self' https://app.example.test") {
		t.Errorf("CSP %q must let the form redirect to the client's origin", page.header.Get("Content-Security-Policy"))
	}
	r = e.consent(r, "deny")
	if r.status != http.StatusSeeOther {
		t.Fatalf("status %d", r.status)
	}
	v := e.wantRedirectError(t, r, azApp, ErrAccessDenied, "st-123")
	if v.Get("error_description") != "the user denied the request (RFC 6749 section 4.1.2.1)" {
		t.Errorf("error_description %q", v.Get("error_description"))
	}
	// A denial is not remembered: the next request asks again.
	r = e.authorize(codeReq("scope", "read")...)
	if !strings.HasPrefix(r.location(), "/authorize/consent?request=") {
		t.Fatalf("Location %q, want the consent page again", r.location())
	}
}

// skip_consent: login, then the code, no consent page.
func TestSkipConsentClient(t *testing.T) {
	e := newAzEnv(t)
	r := e.login(e.authorize(codeReq("client_id", "trusted")...), "bob", bobPass)
	e.code(t, r, azApp, "st-123")
}

// prompt=login forces the login page although the session is signed in;
// prompt=consent forces the consent page although consent is remembered
// and even for a skip_consent client; prompt=none answers login_required or
// consent_required instead of showing a page.
func TestAuthorizePrompt(t *testing.T) {
	e := newAzEnv(t)
	r := e.authorize(codeReq("prompt", "none")...)
	e.wantRedirectError(t, r, azApp, "login_required", "st-123")

	r = e.login(e.authorize(codeReq()...), "alice", alicePass) // signed in; consent left unanswered
	r = e.authorize(codeReq("prompt", "none")...)
	e.wantRedirectError(t, r, azApp, "consent_required", "st-123")

	r = e.authorize(codeReq()...)
	if !strings.HasPrefix(r.location(), "/authorize/consent?request=") {
		t.Fatalf("Location %q", r.location())
	}
	e.code(t, e.consent(r, "allow"), azApp, "st-123")

	// Signed in and consented: prompt=none gets a code.
	e.code(t, e.authorize(codeReq("prompt", "none", "state", "n")...), azApp, "n")
	// prompt=login: the login page, then straight to the code.
	r = e.authorize(codeReq("prompt", "login")...)
	r = e.login(r, "alice", alicePass)
	e.code(t, r, azApp, "st-123")
	// prompt=consent: the consent page although remembered.
	r = e.authorize(codeReq("prompt", "consent")...)
	e.code(t, e.consent(r, "allow"), azApp, "st-123")
	// prompt=consent for a skip_consent client.
	r = e.authorize(codeReq("client_id", "trusted", "prompt", "consent")...)
	e.code(t, e.consent(r, "allow"), azApp, "st-123")
}

// Rule 8: the forms carry a CSRF token bound to the browser session; a
// missing or foreign token is refused, and the login rotates the session.
func TestLoginAndConsentCSRF(t *testing.T) {
	e := newAzEnv(t)
	r := e.authorize(codeReq()...)
	page := e.get(r.location())
	csrf, rid := formValues(t, page.body)
	wrong := csrf[:len(csrf)-1] + "A"
	if wrong == csrf {
		wrong = csrf[:len(csrf)-1] + "B"
	}
	for name, token := range map[string]string{"missing": "", "wrong": wrong, "repeated": csrf} {
		f := url.Values{"csrf_token": {token}, "request": {rid}, "username": {"alice"}, "password": {alicePass}}
		if name == "repeated" {
			f["csrf_token"] = []string{csrf, csrf}
		}
		res := e.postForm("/authorize/login", f)
		if name == "repeated" {
			wantPage(t, res, http.StatusBadRequest, "is repeated")
			continue
		}
		wantPage(t, res, http.StatusForbidden, "Form expired")
	}
	// Another browser cannot use this browser's request, even with its token.
	other := e.newBrowser()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/authorize/login", strings.NewReader(url.Values{"csrf_token": {csrf},
		"request": {rid}, "username": {"alice"}, "password": {alicePass}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	wantPage(t, e.send(other, req), http.StatusBadRequest, "No sign-in in progress")
	wantPage(t, e.getWith(other, "/authorize/login?request="+rid), http.StatusBadRequest, "No sign-in in progress")

	oldCookie := e.cookie()
	r = e.postForm("/authorize/login", url.Values{"csrf_token": {csrf}, "request": {rid}, "username": {"alice"}, "password": {alicePass}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	if e.cookie() == oldCookie {
		t.Errorf("the session identifier was not renewed at login (session fixation)")
	}
	consentPage := e.get(r.location())
	csrf2, rid2 := formValues(t, consentPage.body)
	if csrf2 == csrf {
		t.Errorf("the CSRF token was not renewed at login")
	}
	res := e.postForm("/authorize/consent", url.Values{"csrf_token": {csrf}, "request": {rid2}, "decision": {"allow"}})
	wantPage(t, res, http.StatusForbidden, "Form expired")
	res = e.postForm("/authorize/consent", url.Values{"csrf_token": {csrf2}, "request": {rid2}, "decision": {"maybe"}})
	wantPage(t, res, http.StatusBadRequest, "decision must be allow or deny")
	e.code(t, e.postForm("/authorize/consent", url.Values{"csrf_token": {csrf2}, "request": {rid2}, "decision": {"allow"}}), azApp, "st-123")
	// The request is answered: its pages are gone.
	wantPage(t, e.get("/authorize/consent?request="+rid2), http.StatusBadRequest, "No sign-in in progress")
}

func (e *azEnv) cookie() string {
	u, _ := url.Parse(e.ts.URL + PathAuthorize) // the cookie's Path (docs/security.md rule 39)
	for _, c := range e.client.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	return ""
}

// Wrong passwords re-show the form (401) with one message for unknown
// users and wrong passwords; after five failures for alice from this
// address her login from it is throttled (the unknown user's failure is not
// hers: docs/security.md rule 43).
func TestLoginFailuresAndThrottle(t *testing.T) {
	e := newAzEnv(t)
	r := e.authorize(codeReq("login_hint", "alice")...)
	page := e.get(r.location())
	wantPage(t, page, http.StatusOK, `value="alice"`)
	csrf, rid := formValues(t, page.body)
	try := func(user, pass string) azResp {
		return e.postForm("/authorize/login", url.Values{"csrf_token": {csrf}, "request": {rid}, "username": {user}, "password": {pass}})
	}
	wantPage(t, try("alice", ""), http.StatusBadRequest, "Enter your username and password.")
	unknown := try("mallory", "x")
	wrong := try("alice", "wrong")
	for _, res := range []azResp{unknown, wrong} {
		wantPage(t, res, http.StatusUnauthorized, "Wrong username or password.")
	}
	for range 4 {
		wantPage(t, try("alice", "wrong"), http.StatusUnauthorized, "Wrong username or password.")
	}
	wantPage(t, try("alice", alicePass), http.StatusTooManyRequests, "Too many failed attempts")
	e.clock.advance(2 * time.Second)
	r = try("alice", alicePass)
	if r.status != http.StatusSeeOther {
		t.Fatalf("after the delay: status %d", r.status)
	}
}

// The session cookie is HttpOnly, SameSite=Lax, Path=/authorize (rule 39),
// and Secure when the issuer is https.
func TestSessionCookieFlags(t *testing.T) {
	for _, https := range []bool{false, true} {
		e := newAzEnv(t, func(s *Settings) {
			if https {
				s.Issuer = "https://as.example.test"
			}
		})
		r := e.authorize(codeReq()...)
		set := r.header.Get("Set-Cookie")
		for _, want := range []string{sessionCookie + "=", "Path=/authorize;", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(set, want) {
				t.Errorf("https=%v: Set-Cookie %q lacks %q", https, set, want)
			}
		}
		if strings.Contains(set, "Secure") != https {
			t.Errorf("https=%v: Set-Cookie %q", https, set)
		}
	}
}

// /logout: GET shows the signed-in user and a CSRF-protected form; POST
// ends the session, so the next authorization asks for the login again.
func TestLogout(t *testing.T) {
	e := newAzEnv(t)
	e.code(t, e.login(e.authorize(codeReq("client_id", "trusted")...), "bob", bobPass), azApp, "st-123")
	page := e.get("/authorize/logout")
	wantPage(t, page, http.StatusOK, "signed in as <strong>bob</strong>")
	csrf, _ := formValues(t, page.body)
	wantPage(t, e.postForm("/authorize/logout", url.Values{"csrf_token": {"nope"}}), http.StatusForbidden, "Form expired")
	r := e.postForm("/authorize/logout", url.Values{"csrf_token": {csrf}})
	if r.status != http.StatusSeeOther || r.location() != "/authorize/logout" {
		t.Fatalf("status %d Location %q", r.status, r.location())
	}
	if !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("cookie not cleared: %q", r.header.Get("Set-Cookie"))
	}
	wantPage(t, e.get("/authorize/logout"), http.StatusOK, "Signed out")
	r = e.authorize(codeReq("client_id", "trusted")...)
	if !strings.HasPrefix(r.location(), "/authorize/login?request=") {
		t.Fatalf("after logout: Location %q, want the login page", r.location())
	}
}

// Sessions end after SessionTTL.
func TestSessionExpires(t *testing.T) {
	e := newAzEnv(t, func(s *Settings) { s.SessionTTL = time.Hour })
	e.code(t, e.login(e.authorize(codeReq("client_id", "trusted")...), "bob", bobPass), azApp, "st-123")
	e.clock.advance(59 * time.Minute)
	e.code(t, e.authorize(codeReq("client_id", "trusted")...), azApp, "st-123")
	e.clock.advance(2 * time.Minute)
	if r := e.authorize(codeReq("client_id", "trusted")...); !strings.HasPrefix(r.location(), "/authorize/login?request=") {
		t.Fatalf("after the session TTL: Location %q, want the login page", r.location())
	}
}
