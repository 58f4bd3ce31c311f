package authserver

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// /protected answers a valid Bearer token, in the plain and in Tencent's
// id_token="…" form, and nothing else.
func TestProtected(t *testing.T) {
	e := newEnv(t)
	tok := e.codeGrant(webID, webAuth).access
	wantHello := func(t *testing.T, r resp, sub, client, scope string) {
		t.Helper()
		if r.status != http.StatusOK {
			t.Fatalf("status %d body %s", r.status, r.body)
		}
		wantMembers(t, r.obj(t), map[string]any{"message": "hello world", "sub": sub, "client_id": client, "scope": scope})
	}
	for name, h := range map[string]string{
		"Bearer":                  "Bearer " + tok,
		"lower-case scheme":       "bearer " + tok,
		"Tencent id_token form":   `Bearer id_token="` + tok + `"`,
		"Tencent form unquoted":   "Bearer id_token=" + tok,
		"surrounding white space": "  Bearer " + tok + " ",
	} {
		t.Run(name, func(t *testing.T) {
			e := e.with(t)
			wantHello(t, e.get("/protected", map[string]string{"Authorization": h}), aliceSub, webID, "read write")
		})
	}
	t.Run("client_credentials token", func(t *testing.T) {
		e := e.with(t)
		cc := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials, "scope", "read"), svcAuth)).access
		wantHello(t, e.protected(cc), svcID, svcID, "read")
	})

	t.Run("missing", func(t *testing.T) {
		e := e.with(t)
		r := e.get("/protected", nil)
		if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != `Bearer realm="oauthkit", resource_metadata="`+testIssuer+`/.well-known/oauth-protected-resource/protected"` {
			t.Fatalf("status %d WWW-Authenticate %q", r.status, r.header.Get("WWW-Authenticate"))
		}
	})
	for name, h := range map[string]string{
		"garbage":        "Bearer garbage",
		"JWT-shaped":     "Bearer a.b.c",
		"unknown opaque": "Bearer " + randomToken(32),
	} {
		t.Run("invalid: "+name, func(t *testing.T) {
			e := e.with(t)
			r := e.get("/protected", map[string]string{"Authorization": h})
			wantError(t, r, http.StatusUnauthorized, ErrInvalidToken)
			want := `Bearer realm="oauthkit", error="invalid_token", error_description="the access token is invalid, expired or revoked (RFC 6750 section 3.1)", resource_metadata="` +
				testIssuer + `/.well-known/oauth-protected-resource/protected"`
			if got := r.header.Get("WWW-Authenticate"); got != want {
				t.Fatalf("WWW-Authenticate %q,\nwant %q", got, want)
			}
		})
	}
	for name, h := range map[string]string{
		"Basic scheme":        "Basic d2ViOnNlY3JldA==",
		"no token":            "Bearer",
		"two tokens":          "Bearer " + tok + " " + tok,
		"token with a comma":  "Bearer " + tok + ",x",
		"Bearer prefix alone": "Bearer   ",
		"empty id_token":      `Bearer id_token=""`,
	} {
		t.Run("malformed: "+name, func(t *testing.T) {
			e := e.with(t)
			r := e.get("/protected", map[string]string{"Authorization": h})
			wantError(t, r, http.StatusBadRequest, ErrInvalidRequest)
			if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, `Bearer realm="oauthkit", error="invalid_request"`) {
				t.Fatalf("WWW-Authenticate %q", got)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		e := newEnv(t)
		tok := e.codeGrant(webID, webAuth).access
		e.clock.Advance(30*time.Minute - time.Second)
		e.wantProtectedOK(tok)
		e.clock.Advance(time.Second)
		e.wantProtectedRefused(tok)
	})
}

// Settings.ProtectedScope makes /protected demand a scope: 403
// insufficient_scope without it.
func TestProtectedScope(t *testing.T) {
	e := newEnv(t, withSettings(func(s *Settings) { s.ProtectedScope = "write" }))
	readOnly := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials, "scope", "read"), webAuth)).access
	r := e.protected(readOnly)
	wantError(t, r, http.StatusForbidden, ErrInsufficientScope)
	if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="oauthkit", error="insufficient_scope", scope="write"` {
		t.Fatalf("WWW-Authenticate %q", got)
	}
	writer := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials, "scope", "read write"), webAuth)).access
	e.wantProtectedOK(writer)
	e.wantProtectedRefused("garbage") // a bad token is still 401, not 403
}

// /userinfo answers the claims of the token's user; a token without a user
// is refused.
func TestUserinfo(t *testing.T) {
	e := newEnv(t)
	code, verifier := e.newCode(codeSpec{scope: "openid read"}) // /userinfo needs openid (rule 51)
	tok := e.mustTokens(e.redeem(code, verifier, webAuth)).access
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			e := e.with(t)
			req, err := http.NewRequest(method, e.ts.URL+"/userinfo", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			r := e.do(req)
			if r.status != http.StatusOK {
				t.Fatalf("status %d body %s", r.status, r.body)
			}
			wantNoStore(t, r)
			// Scope read releases no claim but sub (claims by scope: oidc_claims_test.go).
			wantMembers(t, r.obj(t), map[string]any{"sub": aliceSub})
		})
	}
	t.Run("client_credentials token", func(t *testing.T) {
		e := e.with(t)
		cc := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials), webAuth)).access
		r := e.get("/userinfo", map[string]string{"Authorization": "Bearer " + cc})
		wantError(t, r, http.StatusUnauthorized, ErrInvalidToken)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer realm="oauthkit", error="invalid_token"`) {
			t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
		}
	})
	t.Run("no token", func(t *testing.T) {
		e := e.with(t)
		r := e.get("/userinfo", nil)
		if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != `Bearer realm="oauthkit"` {
			t.Fatalf("status %d WWW-Authenticate %q", r.status, r.header.Get("WWW-Authenticate"))
		}
	})
	t.Run("DELETE", func(t *testing.T) {
		e := e.with(t)
		req, _ := http.NewRequest(http.MethodDelete, e.ts.URL+"/userinfo", nil)
		r := e.do(req)
		wantError(t, r, http.StatusMethodNotAllowed, ErrInvalidRequest)
		if r.header.Get("Allow") != "GET, POST" {
			t.Fatalf("Allow %q", r.header.Get("Allow"))
		}
	})
	t.Run("removed user", func(t *testing.T) {
		e := e.with(t)
		if err := e.store.Users().Delete(e.ctx(), "alice"); err != nil {
			t.Fatal(err)
		}
		wantError(t, e.get("/userinfo", map[string]string{"Authorization": "Bearer " + tok}), http.StatusUnauthorized, ErrInvalidToken)
	})
}
