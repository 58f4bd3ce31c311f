package authserver

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Rule 8: every reflected value is HTML-escaped — client name, login_hint,
// the login notice, scope descriptions, the username.
func TestPagesEscapeReflectedValues(t *testing.T) {
	const evil = `"><script>alert(1)</script><b x='`
	e := newAzEnv(t, func(s *Settings) {
		s.LoginNotice = "notice " + evil
		s.ScopeDescriptions = map[string]string{"read": "desc " + evil}
	})
	e.addClient(store.Client{ID: "evil", Name: "Name " + evil, AuthMethod: "none", Scopes: []string{"read"},
		GrantTypes: []string{GrantAuthorizationCode}, RedirectURIs: []string{azApp}})
	e.addUser(`eve"<i>`, "sub-eve", "eve-password", nil)

	r := e.authorize(codeReq("client_id", "evil", "login_hint", evil)...)
	page := e.get(r.location())
	escaped := "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;b x=&#39;"
	wantPage(t, page, http.StatusOK, "Name "+escaped, "notice "+escaped, `value="`+escaped+`"`)
	if strings.Contains(page.body, "<script>alert") || strings.Contains(page.body, "<b x=") {
		t.Fatalf("unescaped markup on the login page:\n%s", page.body)
	}
	r = e.login(r, `eve"<i>`, "eve-password")
	page = e.get(r.location())
	wantPage(t, page, http.StatusOK, "desc "+escaped, "<strong>eve&#34;&lt;i&gt;</strong>")
	if strings.Contains(page.body, "<script>alert") || strings.Contains(page.body, "<i>") {
		t.Fatalf("unescaped markup on the consent page:\n%s", page.body)
	}
}

var nonceRe = regexp.MustCompile(`<(style|script) nonce="([^"]+)">`)

// The inline CSS (and the form_post script) run only under the
// per-response nonce of the CSP; no page loads anything from elsewhere.
func TestPagesCSPNonceAndNoExternalResources(t *testing.T) {
	e := newAzEnv(t, func(s *Settings) { s.AutoApproveUser = "alice" })
	fp := e.authorize(codeReq("response_mode", "form_post")...)
	wantPage(t, fp, http.StatusOK, `<form method="post" action="https://app.example.test/cb" id="response">`,
		`name="state" value="st-123"`, `name="iss" value="`+e.srv.settings.Issuer+`"`, `name="code" value="`)
	e2 := newAzEnv(t)
	login := e2.get(e2.authorize(codeReq()...).location())
	errPage := e2.authorize(codeReq("client_id", "nobody")...)
	var nonces []string
	for name, r := range map[string]azResp{"form_post": fp, "login": login, "error": errPage} {
		csp := r.header.Get("Content-Security-Policy")
		tags := nonceRe.FindAllStringSubmatch(r.body, -1)
		if len(tags) == 0 {
			t.Fatalf("%s: no nonce'd style or script", name)
		}
		for _, tag := range tags {
			src := "style-src 'nonce-" + tag[2] + "'"
			if tag[1] == "script" {
				src = "script-src 'nonce-" + tag[2] + "'"
			}
			if !strings.Contains(csp, src) {
				t.Errorf("%s: CSP %q lacks %q", name, csp, src)
			}
			nonces = append(nonces, tag[2])
		}
		if (name == "form_post") != strings.Contains(csp, "script-src") {
			t.Errorf("%s: script-src in CSP %q", name, csp)
		}
		if strings.Count(r.body, "<script") != strings.Count(r.body, "<script nonce=") {
			t.Errorf("%s: a script without the nonce", name)
		}
		for _, ext := range []string{"src=\"http", "href=\"http", "@import", "url(", "<link"} {
			if strings.Contains(r.body, ext) {
				t.Errorf("%s: page refers to an external resource (%q)", name, ext)
			}
		}
	}
	if !strings.Contains(fp.header.Get("Content-Security-Policy"), "form-action 'self' https://app.example.test") {
		t.Errorf("form_post CSP %q must allow posting to the client", fp.header.Get("Content-Security-Policy"))
	}
	if nonces[0] == nonces[len(nonces)-1] && len(nonces) > 1 {
		t.Errorf("nonces repeat across responses: %v", nonces)
	}
}

// The zero-config login page says which demo user to use.
func TestLoginNotice(t *testing.T) {
	e := newAzEnv(t, func(s *Settings) { s.LoginNotice = `Zero-config demo: sign in as "demo"` })
	page := e.get(e.authorize(codeReq()...).location())
	wantPage(t, page, http.StatusOK, `<p class="notice">Zero-config demo: sign in as &#34;demo&#34;</p>`,
		`<label for="username">Username</label>`, `<label for="password">Password</label>`,
		`autocomplete="current-password"`, "to continue to <strong>Web App</strong>")
}

// Direct visits without a request in progress get a page, not a crash.
func TestPagesWithoutRequest(t *testing.T) {
	e := newAzEnv(t)
	wantPage(t, e.get("/authorize/login"), http.StatusBadRequest, "No sign-in in progress")
	wantPage(t, e.get("/authorize/consent?request=abc"), http.StatusBadRequest, "No sign-in in progress")
	wantPage(t, e.get("/authorize/logout"), http.StatusOK, "Signed out")
	req, _ := http.NewRequest(http.MethodDelete, e.ts.URL+"/authorize/login", nil)
	wantPage(t, e.send(e.client, req), http.StatusMethodNotAllowed, "Method not allowed")
}

// Discovery now lists the authorization endpoint and its response types.
func TestDiscoveryAuthorizationEndpoint(t *testing.T) {
	e := newAzEnv(t)
	r := e.get("/.well-known/oauth-authorization-server")
	for _, want := range []string{
		`"authorization_endpoint":"` + e.srv.settings.Issuer + `/authorize"`,
		`"response_types_supported":["code","token","id_token","id_token token"]`,
		`"response_modes_supported":["query","fragment","form_post"]`,
		`"authorization_code"`, `"implicit"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("metadata lacks %s:\n%s", want, r.body)
		}
	}
	if err := e.st.Clients().Delete(t.Context(), "legacy"); err != nil {
		t.Fatal(err)
	}
	r = e.get("/.well-known/oauth-authorization-server")
	if !strings.Contains(r.body, `"response_types_supported":["code"]`) || strings.Contains(r.body, `"implicit"`) {
		t.Errorf("without an implicit client: %s", r.body)
	}
}
