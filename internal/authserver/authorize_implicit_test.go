package authserver

import (
	"net/http"
	"strings"
	"testing"
)

// Rule 7: the implicit grant answers in the fragment with access_token,
// token_type, expires_in, scope, state and iss — never a refresh token —
// and the server logs one deprecation warning, once.
func TestImplicitGrant(t *testing.T) {
	e := newAzEnv(t, func(s *Settings) { s.AutoApproveUser = "alice" })
	const redirect = "https://legacy.example.test/cb"
	for i := range 3 {
		r := e.authorize("response_type", "token", "client_id", "legacy", "redirect_uri", redirect,
			"state", "imp", "scope", "read")
		if r.status != http.StatusFound {
			t.Fatalf("status %d", r.status)
		}
		if strings.Contains(r.location(), "?") {
			t.Fatalf("Location %q: a token must never be in a query", r.location())
		}
		v := redirectParams(t, r, redirect+"#", true)
		for k, want := range map[string]string{"token_type": "Bearer", "expires_in": "1800", "scope": "read",
			"state": "imp", "iss": e.srv.settings.Issuer} {
			if v.Get(k) != want {
				t.Errorf("%s %q, want %q", k, v.Get(k), want)
			}
		}
		if v.Has("refresh_token") || v.Has("code") {
			t.Errorf("implicit answer %v has a refresh token or a code", v)
		}
		if len(v) != 6 {
			t.Errorf("fragment has %d parameters: %v", len(v), v)
		}
		ui := e.bearerGet("/userinfo", v.Get("access_token"))
		if ui.status != http.StatusForbidden || !strings.Contains(ui.body, `"insufficient_scope"`) { // rule 51: scope read is not OpenID Connect
			t.Fatalf("iteration %d: userinfo %d %s", i, ui.status, ui.body)
		}
	}
	if n := strings.Count(e.log.String(), "implicit grant (response_type=token, id_token) is deprecated"); n != 1 {
		t.Errorf("deprecation warning logged %d times, want once; log:\n%s", n, e.log.String())
	}
	if !strings.Contains(e.log.String(), "level=WARN") {
		t.Errorf("the deprecation is not a warning:\n%s", e.log.String())
	}
}

// Implicit behind the pages: login, consent, then the fragment; form_post
// works for tokens too (and keeps them out of the URL).
func TestImplicitWithPagesAndFormPost(t *testing.T) {
	e := newAzEnv(t)
	const redirect = "https://legacy.example.test/cb"
	r := e.authorize("response_type", "token", "client_id", "legacy", "redirect_uri", redirect, "state", "p")
	r = e.consent(e.login(r, "bob", bobPass), "allow")
	v := redirectParams(t, r, redirect+"#", true)
	if v.Get("access_token") == "" || v.Get("state") != "p" || v.Has("refresh_token") {
		t.Fatalf("fragment %v", v)
	}
	r = e.authorize("response_type", "token", "client_id", "legacy", "redirect_uri", redirect, "state", "p",
		"response_mode", "form_post")
	wantPage(t, r, http.StatusOK, `action="https://legacy.example.test/cb"`, `name="access_token" value="`,
		`name="token_type" value="Bearer"`)
	if strings.Contains(r.body, "refresh_token") {
		t.Errorf("form_post carries a refresh token")
	}
}
