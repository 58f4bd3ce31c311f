package authserver

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// An auto_approve client gets its answer at once, no pages: the code
// redeems, /userinfo answers the user's claims, and a second redemption
// revokes what the first produced (rules 9–11 end to end).
func TestAutoApproveEndToEnd(t *testing.T) {
	e := newAzEnv(t)
	e.st.Users().Delete(context.Background(), "bob") // one user: the one auto-approve picks
	redirect := "http://127.0.0.1:53124/callback"
	r := e.authorize("response_type", "code", "client_id", "ci", "redirect_uri", redirect, "state", "xyz",
		"scope", "read", "nonce", "n-1", "code_challenge", azChallenge(azVerifier), "code_challenge_method", "S256")
	if r.status != http.StatusFound {
		t.Fatalf("status %d", r.status)
	}
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Set-Cookie") != "" {
		t.Errorf("Cache-Control %q Set-Cookie %q", r.header.Get("Cache-Control"), r.header.Get("Set-Cookie"))
	}
	code := e.code(t, r, redirect, "xyz")

	// The stored code is bound to what the request said, and only its hash is stored.
	stored, err := e.st.Codes().Redeem(context.Background(), e.srv.hasher.Hash(code), e.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	want := struct{ client, redirect, scope, sub, challenge, method, nonce string }{"ci", redirect, "read", "sub-alice",
		azChallenge(azVerifier), "S256", "n-1"}
	got := struct{ client, redirect, scope, sub, challenge, method, nonce string }{stored.ClientID, stored.RedirectURI,
		stored.Scope, stored.Subject, stored.CodeChallenge, stored.ChallengeMethod, stored.Nonce}
	if got != want {
		t.Errorf("stored code %+v, want %+v", got, want)
	}
	if !stored.ExpiresAt.Equal(e.clock.now().Add(time.Minute)) || !stored.AuthTime.Equal(e.clock.now()) {
		t.Errorf("ExpiresAt %v AuthTime %v", stored.ExpiresAt, stored.AuthTime)
	}

	// A fresh code for the real redemption.
	code = e.code(t, e.authorize("response_type", "code", "client_id", "ci", "redirect_uri", redirect, "state", "xyz",
		"code_challenge", azChallenge(azVerifier), "code_challenge_method", "S256"), redirect, "xyz")
	// Rule 10: another redirect_uri (even another loopback port), a wrong verifier.
	if res := e.redeem("ci", "", code, "http://127.0.0.1:1/callback", azVerifier); res.status != 400 || !strings.Contains(res.body, "invalid_grant") {
		t.Fatalf("other redirect_uri: %d %s", res.status, res.body)
	}
	code = e.code(t, e.authorize("response_type", "code", "client_id", "ci", "redirect_uri", redirect,
		"state", "xyz", "code_challenge", azChallenge(azVerifier), "code_challenge_method", "S256"), redirect, "xyz")
	res := e.redeem("ci", "", code, redirect, azVerifier)
	if res.status != http.StatusOK {
		t.Fatalf("token: %d %s", res.status, res.body)
	}
	var tok map[string]any
	_ = json.Unmarshal([]byte(res.body), &tok)
	at, _ := tok["access_token"].(string)
	ui := e.bearerGet("/userinfo", at)
	if ui.status != http.StatusForbidden || !strings.Contains(ui.body, `"insufficient_scope"`) { // rule 51: scope read is not OpenID Connect
		t.Fatalf("userinfo %d %s", ui.status, ui.body)
	}
	// Rule 9: a second redemption fails and revokes the access token.
	if res := e.redeem("ci", "", code, redirect, azVerifier); res.status != 400 || !strings.Contains(res.body, `"invalid_grant"`) {
		t.Fatalf("replay: %d %s", res.status, res.body)
	}
	if ui := e.bearerGet("/userinfo", at); ui.status != http.StatusUnauthorized {
		t.Fatalf("userinfo after replay: %d %s", ui.status, ui.body)
	}
	// Rule 11: a code expires after CodeTTL.
	code = e.code(t, e.authorize("response_type", "code", "client_id", "ci", "redirect_uri", redirect,
		"code_challenge", azChallenge(azVerifier), "code_challenge_method", "S256"), redirect, "")
	e.clock.advance(time.Minute)
	if res := e.redeem("ci", "", code, redirect, azVerifier); res.status != 400 || !strings.Contains(res.body, "expired") {
		t.Fatalf("expired code: %d %s", res.status, res.body)
	}
}

// Auto-approve still enforces every rule but the interaction.
func TestAutoApproveKeepsTheRules(t *testing.T) {
	e := newAzEnv(t, func(s *Settings) { s.AutoApproveUser = "alice" })
	redirect := "http://127.0.0.1:5000/callback"
	base := []string{"client_id", "ci", "redirect_uri", redirect}
	// rule 1/2: a page, no redirect
	wantPage(t, e.authorize(codeReq(append(base, "redirect_uri", "http://localhost:5000/callback")...)...), 400, "does not exactly match")
	wantPage(t, e.authorize(codeReq("client_id", "ghost")...), 400, "Unknown client")
	// rule 6: public client without PKCE
	e.wantRedirectError(t, e.authorize(codeReq(append(base, "code_challenge", azDrop, "code_challenge_method", azDrop)...)...),
		redirect, ErrInvalidRequest, "st-123")
	// rule 5
	e.wantRedirectError(t, e.authorize(append(codeReq(base...), "nonce", "a", "nonce", "b")...), redirect, ErrInvalidRequest, "st-123")
	// scope
	e.wantRedirectError(t, e.authorize(codeReq(append(base, "scope", "root")...)...), redirect, ErrInvalidScope, "st-123")
}

// Which user: login_hint naming a known user, else --auto-approve USER,
// else the only user; several users and no hint → login_required.
func TestAutoApproveUserChoice(t *testing.T) {
	redirect := "http://127.0.0.1:5000/callback"
	subOf := func(t *testing.T, e *azEnv, hint string) (string, azResp) {
		r := e.authorize(codeReq("client_id", "ci", "redirect_uri", redirect, "login_hint", hint)...)
		v := redirectParams(t, r, redirect+"?", false)
		if v.Get("code") == "" {
			return "", r
		}
		stored, err := e.st.Codes().Redeem(context.Background(), e.srv.hasher.Hash(v.Get("code")), e.clock.now())
		if err != nil {
			t.Fatal(err)
		}
		return stored.Subject, r
	}
	e := newAzEnv(t) // two users, no server-wide user
	if sub, _ := subOf(t, e, "bob"); sub != "sub-bob" {
		t.Errorf("login_hint bob: subject %q", sub)
	}
	_, r := subOf(t, e, "")
	v := e.wantRedirectError(t, r, redirect, "login_required", "st-123")
	if !strings.Contains(v.Get("error_description"), "has 2 users") {
		t.Errorf("error_description %q", v.Get("error_description"))
	}

	e = newAzEnv(t, func(s *Settings) { s.AutoApproveUser = "alice" })
	for hint, want := range map[string]string{"": "sub-alice", "bob": "sub-bob", "nobody": "sub-alice"} {
		if sub, _ := subOf(t, e, hint); sub != want {
			t.Errorf("AutoApproveUser alice, login_hint %q: subject %q, want %q", hint, sub, want)
		}
	}
	// The server-wide setting approves clients that are not auto_approve
	// themselves, with no page and no cookie.
	r = e.authorize(codeReq()...)
	e.code(t, r, azApp, "st-123")
	if r.header.Get("Set-Cookie") != "" {
		t.Errorf("auto-approve set a cookie")
	}
}
