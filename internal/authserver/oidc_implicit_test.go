package authserver

import (
	"net/http"
	"net/url"
	"testing"
)

// impReq is a valid implicit request of client imp.
func impReq(set ...string) []string {
	base := []string{"client_id", "imp", "redirect_uri", impRedirect, "scope", "openid email", "nonce", "n-imp",
		"state", "st-imp", "code_challenge", azDrop, "code_challenge_method", azDrop}
	return codeReq(append(base, set...)...)
}

// wantFragmentError asserts an error answer in the fragment of redirect.
func (e *azEnv) wantFragmentError(t *testing.T, r azResp, redirect, code string) {
	t.Helper()
	v := redirectParams(t, r, redirect+"#", true)
	if v.Get("error") != code || v.Get("state") != "st-imp" || v.Get("iss") != e.srv.settings.Issuer {
		t.Errorf("answer %v, want error %s with state and iss", v, code)
	}
	if v.Has("id_token") || v.Has("access_token") {
		t.Errorf("an error answer carries a token: %v", v)
	}
}

// response_type id_token and "id_token token" answer in the fragment: the
// ID token with the nonce, and at_hash when an access token comes with it
// (OpenID Connect Core §3.2.2.5, §3.2.2.10).
func TestImplicitIDToken(t *testing.T) {
	e := newOIDCEnv(t)
	tests := []struct {
		responseType string
		accessToken  bool
	}{
		{"id_token", false},
		{"id_token token", true},
		{"token id_token", true},
	}
	for i, tc := range tests {
		t.Run(tc.responseType, func(t *testing.T) {
			r := e.authorize(impReq("response_type", tc.responseType, "nonce", "n-imp-"+tc.responseType)...)
			if i == 0 {
				r = e.login(r, "carol", carolPass)
			}
			v := redirectParams(t, r, impRedirect+"#", true)
			if v.Get("state") != "st-imp" || v.Get("iss") != e.srv.settings.Issuer || v.Has("code") || v.Has("refresh_token") {
				t.Fatalf("answer %v", v)
			}
			_, c := e.parseIDToken(t, v.Get("id_token"))
			if c["nonce"] != "n-imp-"+tc.responseType || c["aud"] != "imp" || c["sub"] != "sub-carol" || c["email"] != "carol@example.test" {
				t.Errorf("ID token claims %v", c)
			}
			if _, has := c["name"]; has {
				t.Errorf("scope without profile, but the ID token has name")
			}
			at := v.Get("access_token")
			if tc.accessToken != (at != "") {
				t.Fatalf("access_token %q, want one: %v", at, tc.accessToken)
			}
			if !tc.accessToken {
				if _, has := c["at_hash"]; has || v.Has("token_type") || v.Has("expires_in") {
					t.Errorf("response_type id_token: at_hash %v, answer %v", c["at_hash"], v)
				}
				return
			}
			if c["at_hash"] != atHash(at) {
				t.Errorf("at_hash %v, want %s", c["at_hash"], atHash(at))
			}
			if ui := e.bearerGet("/userinfo", at); ui.status != http.StatusOK {
				t.Errorf("userinfo with the implicit access token: %d %s", ui.status, ui.body)
			}
		})
	}
}

// Errors of the implicit OpenID requests go back in the fragment.
func TestImplicitIDTokenErrors(t *testing.T) {
	e := newOIDCEnv(t)
	tests := []struct {
		name     string
		params   []string
		redirect string
		code     string
	}{
		{"no nonce", impReq("response_type", "id_token", "nonce", azDrop), impRedirect, ErrInvalidRequest},
		{"no nonce, with token", impReq("response_type", "id_token token", "nonce", azDrop), impRedirect, ErrInvalidRequest},
		{"no openid scope", impReq("response_type", "id_token", "scope", "email"), impRedirect, ErrInvalidRequest},
		{"query mode", impReq("response_type", "id_token", "response_mode", "query"), impRedirect, ErrInvalidRequest},
		{"client without implicit", impReq("response_type", "id_token", "client_id", "rp", "redirect_uri", azApp), azApp, ErrUnauthorizedClient},
		{"hybrid", impReq("response_type", "code id_token"), impRedirect, ErrUnsupportedResponseType},
		{"request object", impReq("response_type", "id_token", "request", "eyJ.e30."), impRedirect, "request_not_supported"},
		{"request_uri", impReq("response_type", "id_token", "request_uri", "https://x.test/r"), impRedirect, "request_uri_not_supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.wantFragmentError(t, e.authorize(tc.params...), tc.redirect, tc.code)
		})
	}
	// The nonce rule holds before any page: nothing is stashed for the login.
	r := e.authorize(impReq("response_type", "id_token", "nonce", azDrop)...)
	if u, _ := url.Parse(r.location()); u == nil || u.Host != "imp.example.test" {
		t.Errorf("Location %q", r.location())
	}
}
