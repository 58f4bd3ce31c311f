package authserver

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Revoke, RotateKeys/RetireKey and SetSkew (docs/control.md), seen through
// /introspect, /protected, /token and /jwks.json.

// userGrant runs a code grant of client for a user subject, the code
// made on the server's clock (skew included).
func (e *env) userGrant(client, subject string, a auth) tokens {
	e.t.Helper()
	code, verifier := randomToken(32), randomToken(48)
	now := e.srv.Now()
	if err := e.store.Codes().Create(e.ctx(), store.Code{Hash: e.hasher.Hash(code), ClientID: client, RedirectURI: testRedirect,
		Scope: "read write", Subject: subject, CodeChallenge: pkceChallenge(verifier), ChallengeMethod: "S256",
		AuthTime: now, ExpiresAt: now.Add(time.Minute)}); err != nil {
		e.t.Fatal(err)
	}
	return e.mustTokens(e.redeem(code, verifier, a))
}

// familyRevoked reads, from the store, whether a refresh token's grant
// family is revoked.
func (e *env) familyRevoked(rt string) bool {
	e.t.Helper()
	_, fam, err := e.store.RefreshTokens().Lookup(e.ctx(), e.hasher.Hash(rt))
	if err != nil {
		e.t.Fatal(err)
	}
	return fam.Revoked
}

func TestControlRevoke(t *testing.T) {
	type issuedSet struct {
		aliceWeb, aliceSvc, bobWeb tokens
		ccWeb, ccSvc               string
	}
	issue := func(e *env) issuedSet {
		return issuedSet{
			aliceWeb: e.userGrant(webID, aliceSub, webAuth),
			aliceSvc: e.userGrant(svcID, aliceSub, svcAuth),
			bobWeb:   e.userGrant(webID, "u-bob", webAuth),
			ccWeb:    e.mustTokens(e.ccWeb()).access,
			ccSvc:    e.mustTokens(e.ccSvc()).access,
		}
	}
	for _, tc := range []struct {
		name string
		rev  Revocation
		// which of aliceWeb, aliceSvc, bobWeb, ccWeb, ccSvc are revoked
		want [5]bool
	}{
		{"all", Revocation{All: true}, [5]bool{true, true, true, true, true}},
		{"client", Revocation{ClientID: webID}, [5]bool{true, false, true, true, false}},
		{"user", Revocation{User: "alice"}, [5]bool{true, true, false, false, false}},
		{"client and user", Revocation{ClientID: webID, User: "alice"}, [5]bool{true, false, false, false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.putUser(store.User{Username: "bob", Subject: "u-bob"})
			c := e.srv.Control()
			before := issue(e)
			e.clock.Advance(time.Second)
			got, err := c.Revoke(t.Context(), tc.rev)
			if err != nil {
				t.Fatal(err)
			}
			if !got.At.Equal(e.clock.Now()) || got.All != tc.rev.All || got.ClientID != tc.rev.ClientID || got.User != tc.rev.User {
				t.Errorf("Revoke returned %+v", got)
			}
			if st := c.State(); len(st.Revoked) != 1 || st.Revoked[0] != got {
				t.Errorf("state: %+v", st.Revoked)
			}
			access := []string{before.aliceWeb.access, before.aliceSvc.access, before.bobWeb.access, before.ccWeb, before.ccSvc}
			for i, tok := range access {
				if active := e.active(t, tok); active == tc.want[i] {
					t.Errorf("access token %d: active %v, want revoked %v", i, active, tc.want[i])
				}
				if r := e.protected(tok); (r.status == http.StatusOK) == tc.want[i] {
					t.Errorf("access token %d at /protected: %d", i, r.status)
				}
			}
			refresh := []struct {
				tok tokens
				a   auth
			}{{before.aliceWeb, webAuth}, {before.aliceSvc, svcAuth}, {before.bobWeb, webAuth}}
			for i, x := range refresh {
				if !tc.want[i] {
					wantOK(t, e.refresh(x.tok.refresh, x.a))
					continue
				}
				if e.familyRevoked(x.tok.refresh) {
					t.Fatalf("refresh token %d: the family is revoked before it was presented", i)
				}
				wantOAuthError(t, e.refresh(x.tok.refresh, x.a), http.StatusBadRequest, ErrInvalidGrant, "refresh token was revoked (RFC 7009 section 2.1)")
				if !e.familyRevoked(x.tok.refresh) {
					t.Errorf("refresh token %d: refused but its family is not revoked", i)
				}
			}
			// what is issued after the call is not revoked; Reset keeps the revocation
			c.Reset()
			e.clock.Advance(time.Second)
			after := issue(e)
			for i, tok := range []string{after.aliceWeb.access, after.aliceSvc.access, after.bobWeb.access, after.ccWeb, after.ccSvc} {
				if !e.active(t, tok) {
					t.Errorf("token %d issued after the revocation is inactive", i)
				}
			}
			if e.active(t, before.ccWeb) == tc.want[3] {
				t.Errorf("Reset undid the revocation")
			}
		})
	}
}

// A revocation covers what was issued before the call, also when the
// clock does not tell before from after: a frozen clock (the tokens of
// both sides carry the same time) or one moved back after the call.
func TestControlRevokeClockStandsStillOrGoesBack(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after func(c *Control)
	}{
		{"frozen", func(*Control) {}, func(*Control) {}},
		{"skew back", func(c *Control) { _ = c.SetSkew(time.Hour) }, func(c *Control) { _ = c.SetSkew(-time.Minute) }},
		{"skew then reset", func(c *Control) { _ = c.SetSkew(time.Hour) }, (*Control).Reset},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t) // its clock moves only when told
			c := e.srv.Control()
			tc.before(c)
			oldCC := e.mustTokens(e.ccWeb()).access
			oldGrant := e.userGrant(webID, aliceSub, webAuth)
			if _, err := c.Revoke(t.Context(), Revocation{All: true}); err != nil {
				t.Fatal(err)
			}
			tc.after(c)
			newCC := e.mustTokens(e.ccWeb()).access
			newGrant := e.userGrant(webID, aliceSub, webAuth)
			if e.active(t, oldCC) || e.active(t, oldGrant.access) {
				t.Errorf("tokens issued before the revocation are active")
			}
			if !e.active(t, newCC) || !e.active(t, newGrant.access) {
				t.Fatalf("tokens issued after the revocation are inactive")
			}
			wantOAuthError(t, e.refresh(oldGrant.refresh, webAuth), http.StatusBadRequest, ErrInvalidGrant, "refresh token was revoked (RFC 7009 section 2.1)")
			next := e.mustTokens(e.refresh(newGrant.refresh, webAuth))
			if !e.active(t, next.access) {
				t.Errorf("the refreshed token is inactive")
			}
			// a later revocation covers them, whatever the clock says
			if _, err := c.Revoke(t.Context(), Revocation{ClientID: webID}); err != nil {
				t.Fatal(err)
			}
			if e.active(t, newCC) || e.active(t, next.access) {
				t.Errorf("the second revocation left tokens issued before it active")
			}
			wantOAuthError(t, e.refresh(next.refresh, webAuth), http.StatusBadRequest, ErrInvalidGrant, "refresh token was revoked (RFC 7009 section 2.1)")
			if last := e.mustTokens(e.ccWeb()).access; !e.active(t, last) {
				t.Errorf("a token issued after both revocations is inactive")
			}
		})
	}
}

// Tokens a revocation covers stay revoked when the clock is reset after
// it, also once the real time passes the times they were issued at under
// the skew (a refresh token lives for hours).
func TestControlRevokeSurvivesClockReset(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()
	if err := c.SetSkew(time.Hour); err != nil {
		t.Fatal(err)
	}
	old := e.userGrant(webID, aliceSub, webAuth)
	e.clock.Advance(time.Second)
	if _, err := c.Revoke(t.Context(), Revocation{All: true}); err != nil {
		t.Fatal(err)
	}
	c.Reset()
	e.clock.Advance(61 * time.Minute) // presented once only: that revokes its family for good
	wantOAuthError(t, e.refresh(old.refresh, webAuth), http.StatusBadRequest, ErrInvalidGrant, "refresh token was revoked (RFC 7009 section 2.1)")
}

func TestControlRevokeValidation(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()
	for _, r := range []Revocation{{}, {All: true, ClientID: webID}, {All: true, User: "alice"}} {
		if _, err := c.Revoke(t.Context(), r); err == nil || err.Error() != "revoke: say all, or a client and/or a user" {
			t.Errorf("Revoke(%+v) = %v", r, err)
		}
	}
	if _, err := c.Revoke(t.Context(), Revocation{User: "mallory"}); !errors.Is(err, store.ErrNotFound) || err.Error() != `no user "mallory": not found` {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := c.Revoke(t.Context(), Revocation{ClientID: "ghost"}); !errors.Is(err, store.ErrNotFound) || err.Error() != `no client "ghost": not found` {
		t.Errorf("unknown client: %v", err)
	}
	if st := c.State(); len(st.Revoked) != 0 {
		t.Errorf("refused revocations kept: %+v", st.Revoked)
	}
}

// jwksKIDs lists the kids /jwks.json publishes.
func (e *env) jwksKIDs(t *testing.T) []string {
	t.Helper()
	r := e.get("/jwks.json", nil)
	wantOK(t, r)
	var kids []string
	for _, k := range r.obj(t)["keys"].([]any) {
		kids = append(kids, k.(map[string]any)["kid"].(string))
	}
	return kids
}

func TestControlRotateAndRetireKeys(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()
	oldKID := e.key.KeyID()
	old := e.mustTokens(e.ccWeb()).access

	k, err := c.RotateKeys("ES256")
	if err != nil {
		t.Fatal(err)
	}
	if k.Alg != "ES256" || !k.Signing || k.KID == oldKID {
		t.Fatalf("RotateKeys: %+v", k)
	}
	if kids := e.jwksKIDs(t); !slices.Equal(kids, []string{oldKID, k.KID}) {
		t.Errorf("JWKS kids %v, want the old and the new", kids)
	}
	fresh := e.mustTokens(e.ccWeb()).access
	if h, _ := jwtParts(t, fresh); h["kid"] != k.KID || h["alg"] != "ES256" {
		t.Errorf("new token header %v, want kid %s ES256", h, k.KID)
	}
	if !e.active(t, old) || !e.active(t, fresh) {
		t.Errorf("after rotation both tokens must verify")
	}
	if got := c.State().Keys; len(got) != 2 || got[0].Signing || !got[1].Signing {
		t.Errorf("keys: %+v", got)
	}

	if err := c.RetireKey(k.KID); err == nil || err.Error() != "key "+k.KID+" signs new tokens: rotate to another key before retiring it" {
		t.Errorf("retiring the signing key: %v", err)
	}
	if err := c.RetireKey("nope"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("retiring an unknown key: %v", err)
	}
	if err := c.RetireKey(oldKID); err != nil {
		t.Fatal(err)
	}
	if kids := e.jwksKIDs(t); !slices.Equal(kids, []string{k.KID}) {
		t.Errorf("JWKS kids after retiring %v", kids)
	}
	if e.active(t, old) {
		t.Errorf("a token of the retired key introspects active")
	}
	if r := e.protected(old); r.status != http.StatusUnauthorized {
		t.Errorf("/protected with a token of the retired key: %d", r.status)
	}
	if !e.active(t, fresh) {
		t.Errorf("the new key's token is inactive")
	}
	// Reset does not bring the old key back
	c.Reset()
	if kids := e.jwksKIDs(t); !slices.Equal(kids, []string{k.KID}) {
		t.Errorf("JWKS kids after reset %v", kids)
	}

	for alg, kty := range map[string]string{"": "RSA", "PS256": "RSA", "ES384": "EC", "EdDSA": "OKP"} {
		k, err := c.RotateKeys(alg)
		if err != nil {
			t.Fatalf("RotateKeys(%q): %v", alg, err)
		}
		h, _ := jwtParts(t, e.mustTokens(e.ccWeb()).access)
		wantAlg := alg
		if alg == "" {
			wantAlg = "RS256"
		}
		if h["kid"] != k.KID || h["alg"] != wantAlg || k.Alg != wantAlg {
			t.Errorf("RotateKeys(%q) = %+v; token header %v (want a %s key)", alg, k, h, kty)
		}
	}
	if _, err := c.RotateKeys("HS256"); err == nil ||
		err.Error() != `alg "HS256": use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA` {
		t.Errorf("HS256: %v", err)
	}
}

func TestControlClockSkew(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()
	base := e.clock.Now()
	tok := e.mustTokens(e.ccWeb()) // 30 minutes
	if err := c.SetSkew(time.Hour); err != nil {
		t.Fatal(err)
	}
	if !e.srv.Now().Equal(base.Add(time.Hour)) || c.Skew() != time.Hour {
		t.Errorf("Now %s, skew %s", e.srv.Now(), c.Skew())
	}
	// issued times follow
	skewed := e.mustTokens(e.ccWeb())
	if _, cl := jwtParts(t, skewed.access); int64(cl["iat"].(float64)) != base.Add(time.Hour).Unix() ||
		int64(cl["exp"].(float64)) != base.Add(90*time.Minute).Unix() {
		t.Errorf("claims under skew: %v", cl)
	}
	// and validation: the token issued before expires early
	if e.active(t, tok.access) {
		t.Errorf("a 30-minute token is active an hour later")
	}
	if !e.active(t, skewed.access) {
		t.Errorf("the token issued under the skew is inactive")
	}
	if err := c.SetSkew(20 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if !e.active(t, tok.access) {
		t.Errorf("20 minutes on, the first token is inactive")
	}
	if e.active(t, skewed.access) {
		t.Errorf("a token issued 40 minutes in the future introspects active")
	}
	if err := c.SetSkew(0); err != nil {
		t.Fatal(err)
	}
	if !e.srv.Now().Equal(base) {
		t.Errorf("skew 0: Now %s", e.srv.Now())
	}
	for _, d := range []time.Duration{10*365*24*time.Hour + time.Hour, -10*365*24*time.Hour - time.Hour} {
		if err := c.SetSkew(d); err == nil || err.Error() != "skew: at most ten years either way" {
			t.Errorf("SetSkew(%s) = %v", d, err)
		}
	}
	if c.Skew() != 0 {
		t.Errorf("a refused skew was kept: %s", c.Skew())
	}
}
