package authserver

import (
	"net/http"
	"testing"

	"github.com/oauthkit/oauthkit/internal/oauth"
)

func (e *env) revoke(tok string, a auth, extra ...string) resp {
	e.t.Helper()
	return e.post("/revoke", form(append([]string{"token", tok}, extra...)...), a)
}

// wantRevoked200 checks RFC 7009's success answer: 200, empty body.
func wantRevoked200(t *testing.T, r resp) {
	t.Helper()
	if r.status != http.StatusOK || len(r.body) != 0 {
		t.Fatalf("status %d body %q, want 200 and an empty body", r.status, r.body)
	}
	wantNoStore(t, r)
}

// Rule 23: request shape.
func TestRevokeRequest(t *testing.T) {
	e := newEnv(t)
	t.Run("unknown token is 200 empty", func(t *testing.T) {
		e := e.with(t)
		wantRevoked200(t, e.revoke("never-issued", webAuth))
		wantRevoked200(t, e.revoke("a.b.c", webAuth, "token_type_hint", "access_token"))
	})
	t.Run("missing token", func(t *testing.T) {
		e := e.with(t)
		wantError(t, e.post("/revoke", form("token_type_hint", "refresh_token"), webAuth), 400, ErrInvalidRequest)
	})
	t.Run("no client authentication", func(t *testing.T) {
		e := e.with(t)
		wantError(t, e.revoke("x", noAuth), 401, ErrInvalidClient)
	})
	t.Run("wrong secret", func(t *testing.T) {
		e := e.with(t)
		wantError(t, e.revoke("x", basicAuth(webID, "nope")), 401, ErrInvalidClient)
	})
	t.Run("GET", func(t *testing.T) {
		e := e.with(t)
		wantError(t, e.get("/revoke?token=x", nil), 405, ErrInvalidRequest)
	})
}

// Rule 23: revoking a refresh token kills its grant: the refresh token,
// every access token of the family (also those of later rotations).
func TestRevokeRefreshTokenKillsFamily(t *testing.T) {
	for _, hint := range []string{"", "refresh_token", "access_token"} {
		t.Run("hint="+hint, func(t *testing.T) {
			e := newEnv(t)
			first := e.codeGrant(webID, webAuth)
			second := e.mustTokens(e.refresh(first.refresh, webAuth))
			other := e.codeGrant(webID, webAuth) // another grant of the same client and user

			var extra []string
			if hint != "" {
				extra = []string{"token_type_hint", hint}
			}
			wantRevoked200(t, e.revoke(second.refresh, webAuth, extra...))
			for _, tok := range []string{second.refresh, first.access, second.access} {
				e.wantInactive(tok)
			}
			e.wantProtectedRefused(first.access)
			e.wantProtectedRefused(second.access)
			wantError(t, e.refresh(second.refresh, webAuth), 400, ErrInvalidGrant)
			wantRevoked200(t, e.revoke(second.refresh, webAuth)) // twice is fine

			e.wantProtectedOK(other.access)
			e.mustTokens(e.refresh(other.refresh, webAuth))
		})
	}
}

// Revoking an access token kills that token only.
func TestRevokeAccessToken(t *testing.T) {
	for _, format := range []oauth.TokenFormat{FormatJWT, FormatOpaque} {
		t.Run(string(format), func(t *testing.T) {
			e := newEnv(t, withSettings(func(s *Settings) { s.Format = format }))
			tok := e.codeGrant(webID, webAuth)
			cc := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials), svcAuth))

			wantRevoked200(t, e.revoke(tok.access, webAuth))
			e.wantInactive(tok.access)
			e.wantProtectedRefused(tok.access)
			e.wantActive(tok.refresh)
			e.wantProtectedOK(e.mustTokens(e.refresh(tok.refresh, webAuth)).access)

			wantRevoked200(t, e.revoke(cc.access, svcAuth, "token_type_hint", "refresh_token"))
			e.wantInactive(cc.access)
		})
	}
}

// Rule 23: a client may not revoke another client's token; the token keeps
// working.
func TestRevokeOtherClientsToken(t *testing.T) {
	e := newEnv(t)
	tok := e.codeGrant(webID, webAuth)
	for _, tt := range []struct {
		name, tok string
		auth      auth
	}{
		{"refresh token by a confidential client", tok.refresh, svcAuth},
		{"access token by a confidential client", tok.access, svcAuth},
		{"refresh token by a public client", tok.refresh, cliAuth},
		{"access token by a public client", tok.access, cliAuth},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			wantError(t, e.revoke(tt.tok, tt.auth), 400, ErrUnauthorizedClient)
			e.wantActive(tt.tok)
		})
	}
	e.wantProtectedOK(tok.access)
	e.mustTokens(e.refresh(tok.refresh, webAuth))
}

// A public client revokes its own tokens with its client_id (RFC 7009 §5).
func TestRevokeByPublicClient(t *testing.T) {
	e := newEnv(t)
	tok := e.codeGrant(cliID, cliAuth)
	wantRevoked200(t, e.revoke(tok.refresh, cliAuth))
	e.wantInactive(tok.access)
}

// Rule 23: a store failure is 503 temporarily_unavailable, never a fake
// 200; the token stays live, and the same request works once the store is
// back.
func TestRevokeStoreFailure(t *testing.T) {
	for _, tt := range []struct {
		name, op string
		access   bool // revoke the access token rather than the refresh token
	}{
		{"lookup of the refresh token", "RefreshTokens.Lookup", false},
		{"revoking the family", "RefreshTokens.RevokeFamily", false},
		{"lookup of the client", "Clients.Get", false},
		{"lookup of the access token", "AccessTokens.Get", true},
		{"revoking the access token", "AccessTokens.Revoke", true},
		{"everything", "*", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tok := e.codeGrant(webID, webAuth)
			target := tok.refresh
			if tt.access {
				target = tok.access
			}
			e.store.fail(tt.op)
			wantError(t, e.revoke(target, webAuth), http.StatusServiceUnavailable, ErrTemporarilyUnavailable)
			e.store.heal()
			e.wantActive(target)
			wantRevoked200(t, e.revoke(target, webAuth))
			e.wantInactive(target)
		})
	}
}
