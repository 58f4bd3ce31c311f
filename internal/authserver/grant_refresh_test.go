package authserver

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Rule 24: each refresh returns a new refresh token; the old one dies.
func TestRefreshRotation(t *testing.T) {
	e := newEnv(t)
	first := e.codeGrant(webID, webAuth)
	second := e.mustTokens(e.refresh(first.refresh, webAuth))
	if second.refresh == "" || second.refresh == first.refresh || second.access == first.access {
		t.Fatalf("rotation did not issue new tokens: %v", second.raw)
	}
	if second.raw["scope"] != "read write" || second.raw["token_type"] != "Bearer" {
		t.Fatalf("response %v", second.raw)
	}
	e.wantInactive(first.refresh)
	if m := e.wantActive(second.refresh); m["token_type"] != "refresh_token" || m["client_id"] != webID {
		t.Fatalf("introspection %v", m)
	}
	third := e.mustTokens(e.refresh(second.refresh, webAuth))
	e.wantProtectedOK(third.access)
	e.wantProtectedOK(first.access) // rotation alone does not revoke access tokens
}

// Rule 24/26: a rotated-out token presented within the race leeway is a
// lost race: invalid_grant, and the winner's grant keeps working. Later it
// is a replay: invalid_grant AND the whole family (newest refresh token,
// every access token) is revoked.
func TestRefreshReuse(t *testing.T) {
	tests := []struct {
		name    string
		leeway  time.Duration // Settings.RefreshRaceLeeway, 0 = default (2 s)
		after   time.Duration // time between the rotation and the reuse
		revoked bool
	}{
		{"at once: lost race", 0, 0, false},
		{"at the end of the default leeway", 0, 2 * time.Second, false},
		{"just after the default leeway: replay", 0, 2*time.Second + time.Millisecond, true},
		{"an hour later: replay", 0, time.Hour, true},
		{"within a configured 10 s leeway", 10 * time.Second, 5 * time.Second, false},
		{"after a configured 10 s leeway", 10 * time.Second, 11 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withSettings(func(s *Settings) { s.RefreshRaceLeeway = tt.leeway }))
			first := e.codeGrant(webID, webAuth)
			second := e.mustTokens(e.refresh(first.refresh, webAuth))
			e.clock.Advance(tt.after)

			r := e.refresh(first.refresh, webAuth)
			wantError(t, r, http.StatusBadRequest, ErrInvalidGrant)
			desc := r.str(t, "error_description")
			if !tt.revoked {
				if !strings.Contains(desc, "concurrent") {
					t.Fatalf("description %q", desc)
				}
				e.wantActive(second.refresh)
				e.wantProtectedOK(first.access)
				e.wantProtectedOK(second.access)
				e.mustTokens(e.refresh(second.refresh, webAuth))
				return
			}
			if !strings.Contains(desc, "grant is revoked") {
				t.Fatalf("description %q", desc)
			}
			e.wantInactive(second.refresh)
			wantError(t, e.refresh(second.refresh, webAuth), http.StatusBadRequest, ErrInvalidGrant)
			for _, at := range []string{first.access, second.access} {
				e.wantInactive(at)
				e.wantProtectedRefused(at)
			}
		})
	}
}

// Rule 25: a refresh token is bound to its client; scope can only narrow;
// an expired token, a removed user or a removed client is refused.
func TestRefreshRules(t *testing.T) {
	e := newEnv(t)
	ttl := e.srv.Settings().RefreshTokenTTL
	tests := []struct {
		name   string
		client string
		before func(e *env) // changes the world after the grant
		auth   auth
		extra  []string
		status int
		code   string
		desc   string
	}{
		{"another confidential client", webID, nil, svcAuth, nil, 400, ErrInvalidGrant, "another client"},
		{"a public client presents a confidential client's token", webID, nil, cliAuth, nil, 400, ErrInvalidGrant, "another client"},
		{"a confidential client presents a public client's token", cliID, nil, webAuth, nil, 400, ErrInvalidGrant, "another client"},
		{"wider scope", webID, nil, webAuth, []string{"scope", "read admin"}, 400, ErrInvalidScope, "only narrow"},
		{"other scope", webID, nil, webAuth, []string{"scope", "admin"}, 400, ErrInvalidScope, "only narrow"},
		{"a scope the client has but the grant has not", webID, nil, webAuth, []string{"scope", "write"}, 400, ErrInvalidScope, "only narrow"},
		{"expired", webID, func(e *env) { e.clock.Advance(ttl) }, webAuth, nil, 400, ErrInvalidGrant, "expired"},
		{"removed user", webID, func(e *env) {
			if err := e.store.Users().Delete(e.ctx(), "alice"); err != nil {
				e.t.Fatal(err)
			}
		}, webAuth, nil, 400, ErrInvalidGrant, "no longer exists"},
		{"removed client", svcID, func(e *env) {
			if err := e.store.Clients().Delete(e.ctx(), svcID); err != nil {
				e.t.Fatal(err)
			}
		}, svcAuth, nil, 401, ErrInvalidClient, "unknown client"},
		{"unknown token", "", nil, webAuth, nil, 400, ErrInvalidGrant, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			rt := randomToken(32)
			if tt.client != "" {
				auths := map[string]auth{webID: webAuth, svcID: svcAuth, cliID: cliAuth}
				// The grant is for "read" only; the clients may have "read write".
				code, verifier := e.newCode(codeSpec{client: tt.client, scope: "read"})
				rt = e.mustTokens(e.redeem(code, verifier, auths[tt.client])).refresh
			}
			if tt.before != nil {
				tt.before(e)
			}
			r := e.refresh(rt, tt.auth, tt.extra...)
			wantError(t, r, tt.status, tt.code)
			if d := r.str(t, "error_description"); !strings.Contains(d, tt.desc) {
				t.Fatalf("description %q does not contain %q", d, tt.desc)
			}
		})
	}
	t.Run("missing refresh_token", func(t *testing.T) {
		e := e.with(t)
		wantError(t, e.post("/token", form("grant_type", GrantRefreshToken), webAuth), 400, ErrInvalidRequest)
	})
}

// Rule 25: a refused refresh (wrong client, wider scope) does not use the
// token up; a narrower scope is granted and the next refresh may ask for the
// whole original grant again.
func TestRefreshScopeNarrowing(t *testing.T) {
	e := newEnv(t)
	tok := e.codeGrant(webID, webAuth)
	wantError(t, e.refresh(tok.refresh, svcAuth), 400, ErrInvalidGrant)
	wantError(t, e.refresh(tok.refresh, webAuth, "scope", "read admin"), 400, ErrInvalidScope)

	narrow := e.mustTokens(e.refresh(tok.refresh, webAuth, "scope", "read"))
	if narrow.raw["scope"] != "read" {
		t.Fatalf("scope %v, want read", narrow.raw["scope"])
	}
	if m := e.wantActive(narrow.access); m["scope"] != "read" {
		t.Fatalf("introspection %v", m)
	}
	again := e.mustTokens(e.refresh(narrow.refresh, webAuth, "scope", "write read"))
	if again.raw["scope"] != "write read" {
		t.Fatalf("scope %v", again.raw["scope"])
	}
	e.clock.Advance(e.srv.Settings().RefreshTokenTTL - time.Second)
	e.mustTokens(e.refresh(again.refresh, webAuth)) // a rotated token has a fresh lifetime
}
