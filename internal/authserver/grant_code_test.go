package authserver

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Rule 9: a code is single-use; the second redemption is invalid_grant and
// revokes what the first produced.
func TestCodeReplayRevokesTokens(t *testing.T) {
	e := newEnv(t)
	code, verifier := e.newCode(codeSpec{})
	first := e.mustTokens(e.redeem(code, verifier, webAuth))
	if first.refresh == "" {
		t.Fatal("no refresh token for a client registered for refresh_token")
	}
	e.wantActive(first.access)
	e.wantProtectedOK(first.access)

	second := e.redeem(code, verifier, webAuth)
	wantError(t, second, http.StatusBadRequest, ErrInvalidGrant)
	if d := second.str(t, "error_description"); !strings.Contains(d, "already used") {
		t.Fatalf("description %q", d)
	}

	e.wantInactive(first.access)
	e.wantProtectedRefused(first.access)
	e.wantInactive(first.refresh)
	wantError(t, e.refresh(first.refresh, webAuth), http.StatusBadRequest, ErrInvalidGrant)
}

// Rule 10: a code is bound to its client, its redirect_uri and its PKCE
// challenge.
func TestCodeBindings(t *testing.T) {
	e := newEnv(t)
	otherVerifier := randomToken(48)
	tests := []struct {
		name   string
		spec   codeSpec
		form   func(f url.Values, verifier string) // changes the redemption form
		auth   auth
		status int
		code   string
		desc   string
	}{
		{"another client", codeSpec{}, nil, svcAuth, 400, ErrInvalidGrant, "another client"},
		{"public client redeems a confidential client's code", codeSpec{}, nil, cliAuth, 400, ErrInvalidGrant, "another client"},
		{"redirect_uri missing", codeSpec{}, func(f url.Values, _ string) { f.Del("redirect_uri") }, webAuth, 400, ErrInvalidGrant, "redirect_uri"},
		{"redirect_uri with trailing slash", codeSpec{}, func(f url.Values, _ string) { f.Set("redirect_uri", testRedirect+"/") }, webAuth, 400, ErrInvalidGrant, "redirect_uri"},
		{"redirect_uri in other case", codeSpec{}, func(f url.Values, _ string) { f.Set("redirect_uri", strings.ToUpper(testRedirect)) }, webAuth, 400, ErrInvalidGrant, "redirect_uri"},
		{"redirect_uri with another port", codeSpec{}, func(f url.Values, _ string) {
			f.Set("redirect_uri", strings.Replace(testRedirect, "8765", "8766", 1))
		}, webAuth, 400, ErrInvalidGrant, "redirect_uri"},
		{"wrong verifier", codeSpec{}, func(f url.Values, _ string) { f.Set("code_verifier", otherVerifier) }, webAuth, 400, ErrInvalidGrant, "does not match"},
		{"verifier is the challenge", codeSpec{}, func(f url.Values, v string) { f.Set("code_verifier", pkceChallenge(v)) }, webAuth, 400, ErrInvalidGrant, "does not match"},
		{"verifier missing", codeSpec{}, func(f url.Values, _ string) { f.Del("code_verifier") }, webAuth, 400, ErrInvalidGrant, "code_verifier is missing"},
		{"verifier for a code without challenge", codeSpec{noPKCE: true}, func(f url.Values, _ string) { f.Set("code_verifier", otherVerifier) }, webAuth, 400, ErrInvalidGrant, "without a code_challenge"},
		{"verifier too short", codeSpec{}, func(f url.Values, _ string) { f.Set("code_verifier", "abc") }, webAuth, 400, ErrInvalidRequest, "43-128"},
		{"verifier with a bad character", codeSpec{}, func(f url.Values, v string) { f.Set("code_verifier", v[:42]+"+") }, webAuth, 400, ErrInvalidRequest, "43-128"},
		{"code missing", codeSpec{}, func(f url.Values, _ string) { f.Del("code") }, webAuth, 400, ErrInvalidRequest, "code is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			code, verifier := e.newCode(tt.spec)
			f := form("grant_type", GrantAuthorizationCode, "code", code, "redirect_uri", testRedirect)
			if verifier != "" {
				f.Set("code_verifier", verifier)
			}
			if tt.form != nil {
				tt.form(f, verifier)
			}
			r := e.post("/token", f, tt.auth)
			wantError(t, r, tt.status, tt.code)
			if d := r.str(t, "error_description"); !strings.Contains(d, tt.desc) {
				t.Fatalf("description %q does not contain %q", d, tt.desc)
			}
		})
	}
}

// The good path of rule 10, for each kind of client: the code's client,
// redirect_uri and verifier give tokens. A code without PKCE works without a
// verifier.
func TestCodeRedemptionWorks(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name, client string
		auth         auth
		noPKCE       bool
	}{
		{"confidential, Basic", webID, webAuth, false},
		{"confidential, post", svcID, svcAuth, false},
		{"public, none", cliID, cliAuth, false},
		{"confidential without PKCE", webID, webAuth, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			code, verifier := e.newCode(codeSpec{client: tt.client, scope: "read", noPKCE: tt.noPKCE})
			tok := e.mustTokens(e.redeem(code, verifier, tt.auth))
			if tok.raw["token_type"] != "Bearer" || tok.raw["scope"] != "read" || tok.refresh == "" {
				t.Fatalf("response %v", tok.raw)
			}
			m := e.wantActive(tok.access)
			if m["client_id"] != tt.client || m["sub"] != aliceSub {
				t.Fatalf("introspection %v", m)
			}
		})
	}
}

// Rule 11: codes expire after CodeTTL (60 s here), measured with the
// injected clock.
func TestCodeExpiry(t *testing.T) {
	e := newEnv(t)
	ttl := e.srv.Settings().CodeTTL

	young, youngV := e.newCode(codeSpec{})
	old, oldV := e.newCode(codeSpec{})
	e.clock.Advance(ttl - time.Second)
	e.mustTokens(e.redeem(young, youngV, webAuth))

	e.clock.Advance(time.Second) // now == ExpiresAt: expired
	r := e.redeem(old, oldV, webAuth)
	wantError(t, r, http.StatusBadRequest, ErrInvalidGrant)
	if d := r.str(t, "error_description"); !strings.Contains(d, "expired") {
		t.Fatalf("description %q", d)
	}
}
