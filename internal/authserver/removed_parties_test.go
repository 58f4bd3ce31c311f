package authserver

import (
	"net/http"
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Removing a client or a user (from the configuration) ends their access
// tokens at once, not only their refresh tokens.
func TestRemovedClientOrUserEndsAccessTokens(t *testing.T) {
	t.Run("user removed", func(t *testing.T) {
		e := newEnv(t)
		tok := e.codeGrant(webID, webAuth)
		e.wantProtectedOK(tok.access)
		if err := e.store.Users().Delete(e.ctx(), "alice"); err != nil {
			t.Fatal(err)
		}
		e.wantProtectedRefused(tok.access)
		e.wantInactive(tok.access)
	})
	t.Run("client removed", func(t *testing.T) {
		e := newEnv(t)
		cc := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials), webAuth))
		e.wantProtectedOK(cc.access)
		if err := e.store.Clients().Delete(e.ctx(), webID); err != nil {
			t.Fatal(err)
		}
		e.wantProtectedRefused(cc.access)
	})
}

// A client_credentials token never reads a user's claims, even when the
// client id equals a username.
func TestUserinfoRefusesClientTokenNamedLikeAUser(t *testing.T) {
	e := newEnv(t)
	e.putUser(store.User{Username: webID, Subject: webID, Claims: map[string]any{"email": "secret@example.test"}})
	cc := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials), webAuth))
	r := e.get("/userinfo", map[string]string{"Authorization": "Bearer " + cc.access})
	wantError(t, r, http.StatusUnauthorized, ErrInvalidToken)
}
