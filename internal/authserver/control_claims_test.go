package authserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
)

// SetClaims (docs/control.md): extra claims in access tokens, ID tokens
// and userinfo, for a user, a client or everyone, until Reset.

// rpAnswers runs a code grant of rp for carol (login-as) and returns the
// claims of its access token, ID token and userinfo answer.
func (e *azEnv) rpAnswers(t *testing.T) (access, id, userinfo map[string]any) {
	t.Helper()
	if err := e.srv.Control().LoginAs(t.Context(), "carol", Scope{}); err != nil {
		t.Fatal(err)
	}
	tok := e.rpTokens(t, e.code(t, e.authorize(rpCodeReq("scope", "openid read")...), azApp, "st-123"))
	at := tok["access_token"].(string)
	_, access = jwtParts(t, at)
	_, id = e.parseIDToken(t, tok["id_token"])
	r := e.bearerGet("/userinfo", at)
	if r.status != http.StatusOK {
		t.Fatalf("userinfo: %d %s", r.status, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), &userinfo); err != nil {
		t.Fatal(err)
	}
	return access, id, userinfo
}

func TestControlClaims(t *testing.T) {
	e := newOIDCEnv(t)
	c := e.srv.Control()
	ctx := t.Context()
	set := func(r ClaimsRule) {
		t.Helper()
		if err := c.SetClaims(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	set(ClaimsRule{User: "carol", Claims: map[string]any{"department": "qa", "level": 3}})
	set(ClaimsRule{ClientID: "rp", Claims: map[string]any{"tenant": "beta"}, AccessToken: true})
	set(ClaimsRule{User: "alice", Claims: map[string]any{"alice_only": true}})
	set(ClaimsRule{ClientID: "web", Claims: map[string]any{"web_only": true}})
	set(ClaimsRule{Claims: map[string]any{"roles": []any{"a", "b"}}, IDToken: true, Userinfo: true})

	access, id, ui := e.rpAnswers(t)
	for name, got := range map[string]map[string]any{"access token": access, "ID token": id, "userinfo": ui} {
		if got["department"] != "qa" || got["level"] != float64(3) {
			t.Errorf("%s lacks carol's claims: %v", name, got)
		}
		if got["alice_only"] != nil || got["web_only"] != nil {
			t.Errorf("%s has another user's or client's claims: %v", name, got)
		}
		if got["sub"] != "sub-carol" {
			t.Errorf("%s: sub %v", name, got["sub"])
		}
	}
	// "in" limits where they go; a control claim beats the client's static
	// one (which the ID token keeps, since the rule is for access tokens)
	if access["tenant"] != "beta" || id["tenant"] != "acme" || ui["tenant"] != nil {
		t.Errorf("tenant: access %v, id %v, userinfo %v", access["tenant"], id["tenant"], ui["tenant"])
	}
	if access["roles"] != nil || id["roles"] == nil || ui["roles"] == nil {
		t.Errorf("roles: access %v, id %v, userinfo %v", access["roles"], id["roles"], ui["roles"])
	}
	// the protocol's claims stay the server's
	if access["client_id"] != "rp" || id["aud"] != "rp" || id["nonce"] != "n-0S6_WzA2Mj" {
		t.Errorf("standard claims changed: %v %v", access, id)
	}

	// a later rule wins on the same name
	set(ClaimsRule{User: "carol", Claims: map[string]any{"department": "ops"}})
	if access, _, _ := e.rpAnswers(t); access["department"] != "ops" {
		t.Errorf("later rule: department %v", access["department"])
	}
	// client_credentials tokens get the rules without a user
	_, cc := jwtParts(t, e.ccToken(t))
	if cc["tenant"] != "beta" || cc["department"] != nil {
		t.Errorf("client_credentials claims: %v", cc)
	}

	if st := c.State(); len(st.Claims) != 6 || st.Claims[0].User != "carol" || !st.Claims[0].AccessToken ||
		!st.Claims[0].IDToken || !st.Claims[0].Userinfo || st.Claims[1].IDToken {
		t.Errorf("state: %+v", st.Claims)
	}
	c.Reset()
	access, id, ui = e.rpAnswers(t)
	for _, got := range []map[string]any{access, id, ui} {
		if got["department"] != nil || got["roles"] != nil {
			t.Errorf("claims after reset: %v", got)
		}
	}
	if access["tenant"] != "acme" {
		t.Errorf("the client's static claim is gone after reset: %v", access)
	}
}

// ccToken gets a client_credentials access token of rp.
func (e *azEnv) ccToken(t *testing.T) string {
	t.Helper()
	r := e.postToken(azForm("grant_type", GrantClientCredentials, "scope", "read"), "rp", rpSecret)
	if r.status != http.StatusOK {
		t.Fatalf("client_credentials: %d %s", r.status, r.body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatal(err)
	}
	return m["access_token"].(string)
}

func TestControlClaimsValidation(t *testing.T) {
	e := newOIDCEnv(t)
	c := e.srv.Control()
	ctx := t.Context()
	if err := c.SetClaims(ctx, ClaimsRule{User: "carol"}); err == nil || err.Error() != "claims: name at least one claim" {
		t.Errorf("no claims: %v", err)
	}
	for _, name := range []string{"sub", "iss", "aud", "exp", "nonce", "at_hash", "client_id", "scope"} {
		err := c.SetClaims(ctx, ClaimsRule{Claims: map[string]any{"ok": 1, name: "x"}})
		want := `claim "` + name + `" is set by the protocol and cannot be replaced (reserved: iss, sub, aud, exp, iat, nbf, jti, client_id, scope, auth_time, nonce, at_hash, c_hash, sid, azp, cnf, act); to falsify it use tamper`
		if err == nil || err.Error() != want {
			t.Errorf("reserved %s: %v", name, err)
		}
	}
	err := c.SetClaims(ctx, ClaimsRule{User: "mallory", Claims: map[string]any{"x": 1}})
	if !errors.Is(err, store.ErrNotFound) || err.Error() != `no user "mallory": not found` {
		t.Errorf("unknown user: %v", err)
	}
	if st := c.State(); len(st.Claims) != 0 {
		t.Errorf("refused rules kept: %+v", st.Claims)
	}
	// the rule is a copy: changing the caller's map later changes nothing
	m := map[string]any{"team": "red"}
	if err := c.SetClaims(ctx, ClaimsRule{User: "carol", Claims: m}); err != nil {
		t.Fatal(err)
	}
	m["team"] = "blue"
	if access, _, _ := e.rpAnswers(t); access["team"] != "red" {
		t.Errorf("team %v, want the value at the call", access["team"])
	}
}
