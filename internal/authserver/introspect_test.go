package authserver

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/oauth"
)

// Rule 22: introspection needs an authenticated confidential client.
func TestIntrospectionNeedsClientAuth(t *testing.T) {
	e := newEnv(t)
	tok := e.codeGrant(webID, webAuth).access
	tests := []struct {
		name   string
		auth   auth
		status int
		code   string
	}{
		{"no authentication", noAuth, 401, ErrInvalidClient},
		{"public client", cliAuth, 401, ErrInvalidClient},
		{"wrong secret", basicAuth(webID, "nope"), 401, ErrInvalidClient},
		{"unknown client", postAuth("ghost", "x"), 401, ErrInvalidClient},
		{"malformed Basic", func(r *http.Request, _ url.Values) { r.Header.Set("Authorization", "Basic %%%") }, 400, ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			r := e.post("/introspect", form("token", tok), tt.auth)
			wantError(t, r, tt.status, tt.code)
			if bytes.Contains(r.body, []byte("active")) {
				t.Fatalf("an unauthenticated caller learnt something: %s", r.body)
			}
		})
	}
	t.Run("missing token", func(t *testing.T) {
		e := e.with(t)
		wantError(t, e.post("/introspect", nil, webAuth), 400, ErrInvalidRequest)
	})
	t.Run("GET", func(t *testing.T) {
		e := e.with(t)
		wantError(t, e.get("/introspect?token="+tok, nil), 405, ErrInvalidRequest)
	})
}

// Rule 22: a live token is described; svc (another confidential client) may
// introspect it too, as a resource server would.
func TestIntrospectionOfLiveTokens(t *testing.T) {
	for _, format := range []oauth.TokenFormat{FormatJWT, FormatOpaque} {
		t.Run(string(format), func(t *testing.T) {
			e := newEnv(t, withSettings(func(s *Settings) { s.Format = format }))
			now := e.clock.Now()
			tok := e.codeGrant(webID, webAuth)
			r := e.post("/introspect", form("token", tok.access), svcAuth)
			wantNoStore(t, r)
			want := map[string]any{"active": true, "token_type": "Bearer", "client_id": webID, "sub": aliceSub,
				"scope": "read write", "iat": float64(now.Unix()), "exp": float64(now.Add(30 * time.Minute).Unix()),
				"iss": testIssuer, "aud": testIssuer}
			wantMembers(t, r.obj(t), want)

			r = e.post("/introspect", form("token", tok.refresh, "token_type_hint", "access_token"), webAuth)
			wantMembers(t, r.obj(t), map[string]any{"active": true, "token_type": "refresh_token", "client_id": webID,
				"sub": aliceSub, "scope": "read write", "iat": float64(now.Unix()),
				"exp": float64(now.Add(8 * time.Hour).Unix()), "iss": testIssuer})
			// The hint is only a hint (RFC 7662 §2.1).
			r = e.post("/introspect", form("token", tok.access, "token_type_hint", "refresh_token"), webAuth)
			if r.obj(t)["active"] != true {
				t.Fatalf("hint made a live token inactive: %s", r.body)
			}
		})
	}
}

func wantMembers(t *testing.T, got, want map[string]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("members %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

// Rule 22: anything not live is exactly {"active":false}.
func TestIntrospectionOfDeadTokens(t *testing.T) {
	for _, format := range []oauth.TokenFormat{FormatJWT, FormatOpaque} {
		t.Run(string(format), func(t *testing.T) {
			e := newEnv(t, withSettings(func(s *Settings) { s.Format = format }))
			cases := map[string]string{}
			cases["garbage"] = "not-a-token"
			cases["garbage with dots"] = "a.b.c"
			cases["unicode"] = "токен"

			code, verifier := e.newCode(codeSpec{})
			cases["an authorization code"] = code
			rotated := e.mustTokens(e.redeem(code, verifier, webAuth))
			e.mustTokens(e.refresh(rotated.refresh, webAuth))
			cases["rotated-out refresh token"] = rotated.refresh

			revoked := e.codeGrant(webID, webAuth)
			if r := e.post("/revoke", form("token", revoked.refresh), webAuth); r.status != 200 {
				t.Fatalf("revoke: %d %s", r.status, r.body)
			}
			cases["revoked refresh token"] = revoked.refresh
			cases["access token of a revoked grant"] = revoked.access

			single := e.codeGrant(webID, webAuth)
			if r := e.post("/revoke", form("token", single.access), webAuth); r.status != 200 {
				t.Fatalf("revoke: %d %s", r.status, r.body)
			}
			cases["revoked access token"] = single.access

			for name, tok := range cases {
				t.Run(name, func(t *testing.T) { e.with(t).wantInactive(tok) })
			}

			// Expiry, on the injected clock.
			live := e.codeGrant(webID, webAuth)
			e.wantActive(live.access)
			e.clock.Advance(30 * time.Minute)
			t.Run("expired access token", func(t *testing.T) { e.with(t).wantInactive(live.access) })
			e.wantActive(live.refresh)
			e.clock.Advance(8*time.Hour - 30*time.Minute)
			t.Run("expired refresh token", func(t *testing.T) { e.with(t).wantInactive(live.refresh) })
		})
	}
}

// Rule 37: a huge token is refused fast: over the body cap it is 413, under
// it (but beyond any token we issue) it is {"active":false}.
func TestIntrospectionOfHugeTokens(t *testing.T) {
	e := newEnv(t)
	start := time.Now()
	r := e.post("/introspect", form("token", strings.Repeat("A", 1<<20)), webAuth)
	wantError(t, r, http.StatusRequestEntityTooLarge, ErrInvalidRequest)
	e.wantInactive(strings.Repeat("A", 60<<10))
	e.wantInactive(strings.Repeat("A.", 30<<10))
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %s", d)
	}
}

// docs/security.md rule 57 (issue 13 item 19): another client introspecting
// a refresh token learns nothing: exactly {"active":false}. Its access
// token stays introspectable by resource servers.
func TestIntrospectRefreshTokenOfAnotherClient(t *testing.T) {
	e := newEnv(t)
	tok := e.codeGrant(webID, webAuth)
	for _, hint := range []string{"", "refresh_token", "access_token"} {
		r := e.post("/introspect", form("token", tok.refresh, "token_type_hint", hint), svcAuth)
		if r.status != http.StatusOK || string(bytes.TrimSpace(r.body)) != `{"active":false}` {
			t.Errorf("hint %q: %d %s, want 200 {\"active\":false}", hint, r.status, r.body)
		}
	}
	if r := e.post("/introspect", form("token", tok.access), svcAuth); r.obj(t)["active"] != true {
		t.Errorf("access token introspected by another client: %s, want active", r.body)
	}
	if m := e.wantActive(tok.refresh); m["sub"] == nil || m["scope"] == nil {
		t.Errorf("the owner's introspection lacks sub or scope: %v", m)
	}
}
