package authserver

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/oauth"
)

// Rule 2: no trustworthy client or redirect URI → an HTML page, never a
// Location header.
func TestAuthorizeUntrustedRequestIsAPage(t *testing.T) {
	e := newAzEnv(t)
	tests := []struct {
		name   string
		params []string
		status int
		text   string
	}{
		{"missing client_id", codeReq("client_id", azDrop), 400, "client_id is missing"},
		{"unknown client_id", codeReq("client_id", "nobody"), 400, "No client &#39;nobody&#39; is registered"},
		{"repeated client_id", append(codeReq(), "client_id", "web"), 400, "client_id is repeated"},
		{"repeated redirect_uri", append(codeReq(), "redirect_uri", azApp), 400, "redirect_uri is repeated"},
		{"missing redirect_uri, several registered", codeReq("redirect_uri", azDrop), 400, "redirect_uri is missing"},
		{"redirect_uri of another client", codeReq("redirect_uri", "https://spa.example.test/cb"), 400, "does not exactly match"},
		{"unknown client with an evil redirect", codeReq("client_id", "x", "redirect_uri", "https://evil.test/"), 400, "is registered"},
		{"escaped client_id", codeReq("client_id", `<img src=x onerror=alert(1)>`), 400, "&lt;img src=x onerror=alert(1)&gt;"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.authorize(tc.params...)
			wantPage(t, r, tc.status, tc.text, "No redirect was made")
			if strings.Contains(r.body, "<img src=x") {
				t.Errorf("reflected markup unescaped")
			}
		})
	}
	// Other methods and malformed requests are pages too.
	req, _ := http.NewRequest(http.MethodPut, e.ts.URL+"/authorize?"+azForm(codeReq()...).Encode(), nil)
	r := e.send(e.client, req)
	wantPage(t, r, http.StatusMethodNotAllowed, "Method not allowed")
	if r.header.Get("Allow") != "GET, POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	wantPage(t, e.get("/authorize?client_id=%zz"), http.StatusBadRequest, "not valid URL encoding")
}

// Rules 4–7: once the client and redirect URI are known good, every error
// goes back to the redirect URI with error, error_description, state and iss.
func TestAuthorizeErrorsGoBackToTheClient(t *testing.T) {
	e := newAzEnv(t)
	tests := []struct {
		name   string
		params []string
		code   string
		state  string
		desc   string // part of error_description
	}{
		{"missing response_type", codeReq("response_type", azDrop), ErrInvalidRequest, "st-123", "response_type is missing"},
		{"unsupported response_type", codeReq("response_type", "device"), ErrUnsupportedResponseType, "st-123", "is not supported"},
		{"unknown scope", codeReq("scope", "read admin"), ErrInvalidScope, "st-123", "'admin'"},
		{"repeated scope", append(codeReq(), "scope", "read", "scope", "write"), ErrInvalidRequest, "st-123", "'scope' is repeated"},
		{"repeated response_type", append(codeReq(), "response_type", "code"), ErrInvalidRequest, "st-123", "'response_type' is repeated"},
		{"repeated code_challenge", append(codeReq(), "code_challenge", azChallenge(azVerifier)), ErrInvalidRequest, "st-123", "repeated"},
		{"repeated state is not echoed", append(codeReq(), "state", "other"), ErrInvalidRequest, "", "'state' is repeated"},
		{"bad response_mode", codeReq("response_mode", "web_message"), ErrInvalidRequest, "st-123", "response_mode"},
		{"bad prompt", codeReq("prompt", "sideways"), ErrInvalidRequest, "st-123", "prompt"},
		{"prompt none with login", codeReq("prompt", "none login"), ErrInvalidRequest, "st-123", "cannot be combined"},
		{"no state", codeReq("state", azDrop, "scope", "nope"), ErrInvalidScope, "", "'nope'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.authorize(tc.params...)
			if r.status != http.StatusFound {
				t.Fatalf("status %d, want 302", r.status)
			}
			v := e.wantRedirectError(t, r, azApp, tc.code, tc.state)
			if d := v.Get("error_description"); !strings.Contains(d, tc.desc) || strings.ContainsAny(d, "\"\\\r\n") {
				t.Errorf("error_description %q, want it to contain %q and no CR, LF, quote or backslash", d, tc.desc)
			}
		})
	}
}

// An unauthorized_client for implicit goes into the fragment, as every
// implicit answer does (RFC 6749 §4.2.2.1); response_mode=query is refused
// for tokens.
func TestAuthorizeTokenErrorsUseTheFragment(t *testing.T) {
	e := newAzEnv(t)
	r := e.authorize(codeReq("response_type", "token", "code_challenge", azDrop, "code_challenge_method", azDrop)...)
	v := redirectParams(t, r, azApp+"#", true)
	if v.Get("error") != ErrUnauthorizedClient || v.Get("error_description") !=
		"client web is not registered for the implicit grant, which is off unless configured (RFC 9700 section 2.1.2)" {
		t.Fatalf("got %v", v)
	}
	r = e.authorize("response_type", "token", "client_id", "legacy", "redirect_uri", "https://legacy.example.test/cb",
		"state", "s1", "code_challenge", azChallenge(azVerifier), "code_challenge_method", "S256")
	v = redirectParams(t, r, "https://legacy.example.test/cb#", true)
	if v.Get("error") != ErrInvalidRequest || !strings.Contains(v.Get("error_description"), "code_challenge belongs to response_type code") {
		t.Fatalf("got %v", v)
	}
	r = e.authorize("response_type", "token", "client_id", "legacy", "redirect_uri", "https://legacy.example.test/cb",
		"state", "s1", "response_mode", "query")
	v = redirectParams(t, r, "https://legacy.example.test/cb#", true)
	if v.Get("error") != ErrInvalidRequest || !strings.Contains(v.Get("error_description"), "must not use response_mode query") {
		t.Fatalf("got %v", v)
	}
	if v.Get("state") != "s1" || v.Get("iss") != e.srv.settings.Issuer {
		t.Errorf("state/iss %v", v)
	}
}

// Rule 6: PKCE S256 only, syntax checked, required for public clients by
// default, for all with "required", for none with "optional".
func TestAuthorizePKCE(t *testing.T) {
	good := azChallenge(azVerifier)
	tests := []struct {
		name   string
		policy oauth.PKCEPolicy
		client string
		set    []string
		code   string // "" = success
	}{
		{"public without challenge", "", "spa", []string{"code_challenge", azDrop, "code_challenge_method", azDrop}, ErrInvalidRequest},
		{"public with S256", "", "spa", nil, ""},
		{"confidential without challenge, policy public", PKCEPublic, "web", []string{"code_challenge", azDrop, "code_challenge_method", azDrop}, ""},
		{"confidential without challenge, policy required", PKCERequired, "web", []string{"code_challenge", azDrop, "code_challenge_method", azDrop}, ErrInvalidRequest},
		{"public without challenge, policy optional", PKCEOptional, "spa", []string{"code_challenge", azDrop, "code_challenge_method", azDrop}, ""},
		{"plain", "", "spa", []string{"code_challenge", azVerifier, "code_challenge_method", "plain"}, ErrInvalidRequest},
		{"plain by default (no method)", "", "spa", []string{"code_challenge_method", azDrop}, ErrInvalidRequest},
		{"plain refused even when optional", PKCEOptional, "web", []string{"code_challenge_method", "plain"}, ErrInvalidRequest},
		{"unknown method", "", "spa", []string{"code_challenge_method", "S512"}, ErrInvalidRequest},
		{"lower-case s256", "", "spa", []string{"code_challenge_method", "s256"}, ErrInvalidRequest},
		{"method without challenge", PKCEOptional, "web", []string{"code_challenge", azDrop}, ErrInvalidRequest},
		{"challenge of 42 chars", "", "spa", []string{"code_challenge", good[:42]}, ErrInvalidRequest},
		{"challenge of 43 chars", "", "spa", []string{"code_challenge", good[:43]}, ""},
		{"challenge of 128 chars", "", "spa", []string{"code_challenge", strings.Repeat("a", 128)}, ""},
		{"challenge of 129 chars", "", "spa", []string{"code_challenge", strings.Repeat("a", 129)}, ErrInvalidRequest},
		{"challenge with '+'", "", "spa", []string{"code_challenge", strings.Repeat("a", 42) + "+"}, ErrInvalidRequest},
		{"challenge with '='", "", "spa", []string{"code_challenge", good + "="}, ErrInvalidRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newAzEnv(t, func(s *Settings) { s.PKCE = tc.policy; s.AutoApproveUser = "alice" })
			redirect := azApp
			if tc.client == "spa" {
				redirect = "https://spa.example.test/cb"
			}
			r := e.authorize(codeReq(append([]string{"client_id", tc.client, "redirect_uri", redirect}, tc.set...)...)...)
			if tc.code != "" {
				e.wantRedirectError(t, r, redirect, tc.code, "st-123")
				return
			}
			e.code(t, r, redirect, "st-123")
		})
	}
}

// An unknown PKCE policy is a configuration error.
func TestSettingsPKCEPolicy(t *testing.T) {
	e := newAzEnv(t)
	if e.srv.settings.PKCE != PKCEPublic {
		t.Errorf("default PKCE policy %q, want public", e.srv.settings.PKCE)
	}
	s := e.srv.settings
	s.PKCE = "sometimes"
	if _, err := New(s, Options{Store: e.st, Keys: e.srv.keys}); err == nil || !strings.Contains(err.Error(), "PKCE policy") {
		t.Fatalf("New with PKCE %q: %v", s.PKCE, err)
	}
}

// POST /authorize takes the parameters from the form body (and answers a
// redirect after POST with 303); a body over 64 KiB is refused.
func TestAuthorizePost(t *testing.T) {
	e := newAzEnv(t, func(s *Settings) { s.AutoApproveUser = "alice" })
	r := e.postForm("/authorize", azForm(codeReq()...))
	if r.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", r.status)
	}
	e.code(t, r, azApp, "st-123")

	big := azForm(codeReq("state", strings.Repeat("x", MaxBodyBytes))...)
	wantPage(t, e.postForm("/authorize", big), http.StatusRequestEntityTooLarge, "larger than 64 KiB")

	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/authorize", strings.NewReader(azForm(codeReq()...).Encode()))
	req.Header.Set("Content-Type", "application/json")
	wantPage(t, e.send(e.client, req), http.StatusUnsupportedMediaType, "HTML form")

	// Repeated parameters in a POST body count too.
	r = e.postForm("/authorize", url.Values{"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {azApp},
		"code_challenge": {azChallenge(azVerifier)}, "code_challenge_method": {"S256", "S256"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("status %d", r.status)
	}
	e.wantRedirectError(t, r, azApp, ErrInvalidRequest, "")
}
