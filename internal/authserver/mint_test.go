package authserver

import (
	"errors"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// MintToken (the Go harness): the tokens the token endpoint would issue,
// recorded in the store, without an HTTP round trip.

func TestMintClientToken(t *testing.T) {
	e := newEnv(t)
	m, err := e.srv.MintToken(t.Context(), MintRequest{ClientID: svcID})
	if err != nil {
		t.Fatal(err)
	}
	if m.RefreshToken != "" || m.IDToken != "" || m.Scope != "read write" || !m.ExpiresAt.Equal(e.clock.Now().Add(30*time.Minute)) {
		t.Errorf("minted %+v", m)
	}
	h, cl := jwtParts(t, m.AccessToken)
	if h["typ"] != "at+jwt" || cl["sub"] != svcID || cl["client_id"] != svcID || cl["scope"] != "read write" ||
		cl["iss"] != testIssuer || int64(cl["iat"].(float64)) != e.clock.Now().Unix() {
		t.Errorf("header %v claims %v", h, cl)
	}
	if !e.active(t, m.AccessToken) {
		t.Errorf("a minted token is not active at /introspect")
	}
	if r := e.protected(m.AccessToken); r.status != 200 {
		t.Errorf("/protected: %d %s", r.status, r.body)
	}
	// it can be revoked like any other (RFC 7009)
	wantOK(t, e.post("/revoke", form("token", m.AccessToken), svcAuth))
	if e.active(t, m.AccessToken) {
		t.Errorf("revoked minted token still active")
	}
}

func TestMintUserTokens(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()
	if err := c.SetClaims(t.Context(), ClaimsRule{User: "alice", Claims: map[string]any{"team": "qa"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetSkew(time.Hour); err != nil {
		t.Fatal(err)
	}
	m, err := e.srv.MintToken(t.Context(), MintRequest{ClientID: webID, User: "alice", Scope: "read"})
	if err != nil {
		t.Fatal(err)
	}
	_, cl := jwtParts(t, m.AccessToken)
	if cl["sub"] != aliceSub || cl["scope"] != "read" || cl["team"] != "qa" ||
		int64(cl["iat"].(float64)) != e.clock.Now().Add(time.Hour).Unix() || cl["auth_time"] == nil {
		t.Errorf("claims %v", cl)
	}
	if m.RefreshToken == "" || m.IDToken != "" {
		t.Fatalf("minted %+v: want a refresh token and no ID token (no openid)", m)
	}
	next := e.mustTokens(e.refresh(m.RefreshToken, webAuth))
	if next.raw["scope"] != "read" {
		t.Errorf("refreshed %v", next.raw)
	}
	// a user revocation covers minted tokens
	e.clock.Advance(time.Second)
	if _, err := c.Revoke(t.Context(), Revocation{User: "alice"}); err != nil {
		t.Fatal(err)
	}
	if e.active(t, m.AccessToken) || e.active(t, next.access) {
		t.Errorf("minted tokens survive a revocation of their user")
	}
}

func TestMintIDToken(t *testing.T) {
	e := newOIDCEnv(t)
	m, err := e.srv.MintToken(t.Context(), MintRequest{ClientID: "rp", User: "carol", Scope: "openid email", Nonce: "n-42"})
	if err != nil {
		t.Fatal(err)
	}
	_, cl := e.parseIDToken(t, m.IDToken)
	if cl["sub"] != "sub-carol" || cl["aud"] != "rp" || cl["nonce"] != "n-42" || cl["at_hash"] != atHash(m.AccessToken) ||
		cl["email"] != "carol@example.test" || cl["iss"] != e.srv.settings.Issuer {
		t.Errorf("ID token claims %v", cl)
	}
	// without a user there is no ID token, even with openid
	m, err = e.srv.MintToken(t.Context(), MintRequest{ClientID: "rp", Scope: "openid"})
	if err != nil || m.IDToken != "" {
		t.Errorf("client token with openid: %+v %v", m, err)
	}
}

func TestMintErrors(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	_, err := e.srv.MintToken(ctx, MintRequest{ClientID: "ghost"})
	if !errors.Is(err, store.ErrNotFound) || err.Error() != `no client "ghost": not found` {
		t.Errorf("unknown client: %v", err)
	}
	_, err = e.srv.MintToken(ctx, MintRequest{ClientID: webID, User: "mallory"})
	if !errors.Is(err, store.ErrNotFound) || err.Error() != `no user "mallory": not found` {
		t.Errorf("unknown user: %v", err)
	}
	_, err = e.srv.MintToken(ctx, MintRequest{ClientID: webID, Scope: "read admin"})
	if err == nil || err.Error() != `scope "admin" is not registered for client web (it has: read write)` {
		t.Errorf("unregistered scope: %v", err)
	}
}
