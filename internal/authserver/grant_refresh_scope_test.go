package authserver

import (
	"net/http"
	"strings"
	"testing"
)

// docs/security.md rule 46 (issue 13 item 8): a scope removed from the
// client's configuration is not minted again by a refresh.
func TestRefreshDropsScopesTheClientLost(t *testing.T) {
	e := newEnv(t)
	tok := e.codeGrant(webID, webAuth) // scope "read write"
	web, err := e.store.Clients().Get(e.ctx(), webID)
	if err != nil {
		t.Fatal(err)
	}
	web.Scopes = []string{"read"}
	if err := e.store.Clients().Put(e.ctx(), web); err != nil {
		t.Fatal(err)
	}
	next := e.mustTokens(e.refresh(tok.refresh, webAuth))
	if next.raw["scope"] != "read" {
		t.Fatalf("refresh after write was removed: scope %v, want read", next.raw["scope"])
	}
	if m := e.wantActive(next.access); m["scope"] != "read" {
		t.Fatalf("introspected scope %v, want read", m["scope"])
	}
	wantError(t, e.refresh(next.refresh, webAuth, "scope", "write"), http.StatusBadRequest, ErrInvalidScope)

	// Every scope of the grant removed: invalid_scope, nothing minted.
	tok2 := e.codeGrant(webID, webAuth)
	web.Scopes = []string{"other"}
	if err := e.store.Clients().Put(e.ctx(), web); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.refresh(tok2.refresh, webAuth), http.StatusBadRequest, ErrInvalidScope)
}

// docs/security.md rule 51 (issue 13 item 13): /userinfo refuses access
// tokens without openid (insufficient_scope), and a refresh narrowed to a
// scope without openid returns no ID token.
func TestUserinfoNeedsOpenIDScope(t *testing.T) {
	e := newEnv(t)
	web, err := e.store.Clients().Get(e.ctx(), webID)
	if err != nil {
		t.Fatal(err)
	}
	web.Scopes = append(web.Scopes, "openid")
	if err := e.store.Clients().Put(e.ctx(), web); err != nil {
		t.Fatal(err)
	}
	code, verifier := e.newCode(codeSpec{scope: "openid read"})
	tok := e.mustTokens(e.redeem(code, verifier, webAuth))
	if tok.raw["id_token"] == nil {
		t.Fatal("no ID token for an openid grant")
	}
	if r := e.get("/userinfo", map[string]string{"Authorization": "Bearer " + tok.access}); r.status != http.StatusOK {
		t.Fatalf("userinfo with openid: %d %s", r.status, r.body)
	}
	narrow := e.mustTokens(e.refresh(tok.refresh, webAuth, "scope", "read"))
	if _, has := narrow.raw["id_token"]; has {
		t.Errorf("a refresh narrowed to read returned an ID token: %v", narrow.raw)
	}
	r := e.get("/userinfo", map[string]string{"Authorization": "Bearer " + narrow.access})
	wantError(t, r, http.StatusForbidden, ErrInsufficientScope)
	if got := r.header.Get("WWW-Authenticate"); got == "" || !strings.Contains(got, `error="insufficient_scope"`) {
		t.Errorf("WWW-Authenticate %q", got)
	}
	plain := e.codeGrant(webID, webAuth)
	wantError(t, e.get("/userinfo", map[string]string{"Authorization": "Bearer " + plain.access}), http.StatusForbidden, ErrInsufficientScope)
	// The full refresh keeps openid and its ID token.
	full := e.mustTokens(e.refresh(narrow.refresh, webAuth))
	if full.raw["id_token"] == nil || full.raw["scope"] != "openid read" {
		t.Errorf("refresh without scope: %v, want openid read with an ID token", full.raw)
	}
}
