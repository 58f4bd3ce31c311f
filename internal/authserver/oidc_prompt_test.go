package authserver

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/keys"
)

// prompt=none never shows a page: without a session the client gets
// login_required, without consent consent_required (OpenID Connect Core
// §3.1.2.6), each with state and iss; with both it gets the code.
func TestPromptNone(t *testing.T) {
	e := newOIDCEnv(t)
	v := e.wantRedirectError(t, e.authorize(rpCodeReq("prompt", "none")...), azApp, "login_required", "st-123")
	if !strings.Contains(v.Get("error_description"), "not signed in") {
		t.Errorf("error_description %q", v.Get("error_description"))
	}
	e.signIn(rpCodeReq()...)
	e.code(t, e.authorize(rpCodeReq("prompt", "none", "state", "quiet")...), azApp, "quiet")
	// Client web has no skip_consent, and carol never consented to it.
	e.wantRedirectError(t, e.authorize(codeReq("scope", "read", "prompt", "none")...), azApp, "consent_required", "st-123")
}

// prompt=login and select_account show the login page despite a session;
// max_age forces it when the sign-in is older, and the ID token then has
// the new auth_time.
func TestPromptLoginAndMaxAge(t *testing.T) {
	e := newOIDCEnv(t)
	firstLogin := e.clock.now()
	e.signIn(rpCodeReq()...)
	e.clock.advance(10 * time.Minute)
	for _, prompt := range []string{"login", "select_account"} {
		r := e.authorize(rpCodeReq("prompt", prompt)...)
		if !strings.HasPrefix(r.location(), "/authorize/login?request=") {
			t.Errorf("prompt=%s with a session: Location %q, want the login page", prompt, r.location())
		}
	}
	authTime := func(r azResp) float64 {
		t.Helper()
		_, c := e.parseIDToken(t, e.rpTokens(t, e.code(t, r, azApp, "st-123"))["id_token"])
		return c["auth_time"].(float64)
	}
	// Younger than max_age: no login, the old auth_time.
	if got := authTime(e.authorize(rpCodeReq("max_age", "900")...)); got != float64(firstLogin.Unix()) {
		t.Errorf("max_age=900 after 600 s: auth_time %v, want %d", got, firstLogin.Unix())
	}
	// Older than max_age: with prompt=none login_required, else the login page.
	e.wantRedirectError(t, e.authorize(rpCodeReq("max_age", "300", "prompt", "none")...), azApp, "login_required", "st-123")
	r := e.authorize(rpCodeReq("max_age", "300")...)
	if !strings.HasPrefix(r.location(), "/authorize/login?request=") {
		t.Fatalf("max_age=300 after 600 s: Location %q, want the login page", r.location())
	}
	e.clock.advance(time.Second)
	secondLogin := e.clock.now()
	if got := authTime(e.login(r, "carol", carolPass)); got != float64(secondLogin.Unix()) {
		t.Errorf("after the forced login: auth_time %v, want %d", got, secondLogin.Unix())
	}
	// max_age=0 always asks again.
	if r := e.authorize(rpCodeReq("max_age", "0")...); !strings.HasPrefix(r.location(), "/authorize/login?request=") {
		t.Errorf("max_age=0: Location %q, want the login page", r.location())
	}
	for _, bad := range []string{"", "abc", "-1", "+5", "1.5", "99999999999999999999"} {
		e.wantRedirectError(t, e.authorize(rpCodeReq("max_age", bad)...), azApp, ErrInvalidRequest, "st-123")
	}
}

// id_token_hint: an ID token of this server, expired or not, whose sub
// must be the signed-in user for prompt=none; a tampered, foreign or
// access token is invalid_request back to the client.
func TestIDTokenHint(t *testing.T) {
	e := newOIDCEnv(t)
	carolIDT := e.rpTokens(t, e.code(t, e.signIn(rpCodeReq()...), azApp, "st-123"))["id_token"].(string)
	e.clock.advance(2 * time.Hour) // the hint has expired; that does not matter
	e.code(t, e.authorize(rpCodeReq("prompt", "none", "id_token_hint", carolIDT)...), azApp, "st-123")

	// Bob signs in with another browser and gets his own ID token.
	carolBrowser := e.client
	e.client = e.newBrowser()
	bobTok := e.rpTokens(t, e.code(t, e.login(e.authorize(rpCodeReq()...), "bob", bobPass), azApp, "st-123"))
	bobIDT, bobAT := bobTok["id_token"].(string), bobTok["access_token"].(string)
	e.client = carolBrowser
	v := e.wantRedirectError(t, e.authorize(rpCodeReq("prompt", "none", "id_token_hint", bobIDT)...), azApp, "login_required", "st-123")
	if !strings.Contains(v.Get("error_description"), "id_token_hint") {
		t.Errorf("error_description %q", v.Get("error_description"))
	}
	// Without prompt=none, the hint of another user means the login page.
	if r := e.authorize(rpCodeReq("id_token_hint", bobIDT)...); !strings.HasPrefix(r.location(), "/authorize/login?request=") {
		t.Errorf("hint of another user: Location %q, want the login page", r.location())
	}

	parts := strings.Split(carolIDT, ".")
	claims, err := jwt.NewParser().DecodeSegment(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	forgedPayload := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(claims), `"sub-carol"`, `"sub-bob"`, 1)))
	other, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	foreign := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"iss": e.srv.settings.Issuer, "sub": "sub-carol",
		"aud": "rp", "iat": e.clock.now().Unix(), "exp": e.clock.now().Add(time.Hour).Unix()})
	foreign.Header["kid"] = e.srv.keys.Signer().KeyID()
	foreignIDT, err := foreign.SignedString(other.Private)
	if err != nil {
		t.Fatal(err)
	}
	for name, hint := range map[string]string{
		"payload changed":     parts[0] + "." + forgedPayload + "." + parts[2],
		"signature bit flip":  parts[0] + "." + parts[1] + "." + flipLastChar(parts[2]),
		"signature removed":   parts[0] + "." + parts[1] + ".",
		"another key":         foreignIDT,
		"an access token":     bobAT,
		"garbage":             "not-a-jwt",
		"header alg none":     base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".",
		"truncated":           carolIDT[:len(carolIDT)-10],
		"a 10 KiB long token": strings.Repeat("a", 10<<10),
	} {
		t.Run(name, func(t *testing.T) {
			r := e.authorize(rpCodeReq("prompt", "none", "id_token_hint", hint)...)
			v := e.wantRedirectError(t, r, azApp, ErrInvalidRequest, "st-123")
			if !strings.Contains(v.Get("error_description"), "id_token_hint") {
				t.Errorf("error_description %q", v.Get("error_description"))
			}
		})
	}
}

func flipLastChar(s string) string {
	last := s[len(s)-2]
	repl := byte('A')
	if last == 'A' {
		repl = 'B'
	}
	return s[:len(s)-2] + string(repl) + s[len(s)-1:]
}

// Auto-approve answers for the user of a valid id_token_hint, and gives
// login_required when that user is gone.
func TestAutoApproveWithIDTokenHint(t *testing.T) {
	e := newOIDCEnv(t, func(s *Settings) { s.AutoApproveUser = "alice" })
	code := e.code(t, e.authorize(rpCodeReq()...), azApp, "st-123")
	aliceIDT := e.rpTokens(t, code)["id_token"].(string)
	if _, c := e.parseIDToken(t, aliceIDT); c["sub"] != "sub-alice" || c["sid"] != nil {
		t.Errorf("auto-approve ID token: sub %v sid %v, want sub-alice and no sid (no session)", c["sub"], c["sid"])
	}
	// carol's ID token: sign in as carol through the hint-less path is not
	// possible here, so make one with login_hint.
	carolIDT := e.rpTokens(t, e.code(t, e.authorize(rpCodeReq("login_hint", "carol")...), azApp, "st-123"))["id_token"].(string)
	code = e.code(t, e.authorize(rpCodeReq("id_token_hint", carolIDT)...), azApp, "st-123")
	if _, c := e.parseIDToken(t, e.rpTokens(t, code)["id_token"]); c["sub"] != "sub-carol" {
		t.Errorf("hint of carol: sub %v", c["sub"])
	}
	e.deleteUser("carol")
	e.wantRedirectError(t, e.authorize(rpCodeReq("id_token_hint", carolIDT)...), azApp, "login_required", "st-123")
	if r := e.authorize(rpCodeReq()...); r.status != http.StatusFound {
		t.Errorf("status %d", r.status)
	}
}
