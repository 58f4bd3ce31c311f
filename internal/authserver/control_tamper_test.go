package authserver

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Tamper (docs/control.md): each kind falsifies one answer the way its
// doc says, once (or Times), for the client named; nothing else changes.

func mustTamper(t *testing.T, c *Control, tm Tamper) {
	t.Helper()
	if err := c.Tamper(tm); err != nil {
		t.Fatal(err)
	}
}

// active introspects a token as svc.
func (e *env) active(t *testing.T, tok string) bool {
	t.Helper()
	r := e.post("/introspect", form("token", tok), svcAuth)
	wantOK(t, r)
	return r.obj(t)["active"] == true
}

func TestControlTamperTokenBody(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()

	mustTamper(t, c, Tamper{Kind: TamperMalformedJSON})
	r := e.ccWeb()
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" || string(r.body) != `{"access_token":"` {
		t.Errorf("malformed_json: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	if json.Valid(r.body) {
		t.Errorf("malformed_json answered valid JSON: %s", r.body)
	}

	mustTamper(t, c, Tamper{Kind: TamperNoTokenType, Scope: Scope{ClientID: svcID}})
	if tok := e.mustTokens(e.ccWeb()); tok.raw["token_type"] != "Bearer" {
		t.Errorf("web's answer was tampered: %v", tok.raw)
	}
	tok := e.mustTokens(e.ccSvc())
	if _, has := tok.raw["token_type"]; has || tok.raw["expires_in"] == nil {
		t.Errorf("no_token_type: %v", tok.raw)
	}
	if !e.active(t, tok.access) {
		t.Errorf("the token of a tampered answer is not active: only the body lies")
	}
	if tok := e.mustTokens(e.ccSvc()); tok.raw["token_type"] != "Bearer" {
		t.Errorf("second answer still tampered: %v", tok.raw)
	}

	// on a refresh too, every time until reset
	grant := e.codeGrant(webID, webAuth)
	mustTamper(t, c, Tamper{Kind: TamperNoTokenType, Scope: Scope{Times: -1}})
	rt := grant.refresh
	for range 3 {
		tok := e.mustTokens(e.refresh(rt, webAuth))
		if _, has := tok.raw["token_type"]; has {
			t.Fatalf("refresh answer has token_type: %v", tok.raw)
		}
		rt = tok.refresh
	}
	c.Reset()
	if tok := e.mustTokens(e.refresh(rt, webAuth)); tok.raw["token_type"] != "Bearer" {
		t.Errorf("after reset: %v", tok.raw)
	}
}

func TestControlTamperSignature(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()
	mustTamper(t, c, Tamper{Kind: TamperSignature})
	bad := e.mustTokens(e.ccWeb()).access
	good := e.mustTokens(e.ccWeb()).access
	hb, cb := jwtParts(t, bad) // header and claims still parse
	if hb["kid"] != e.key.KeyID() || cb["client_id"] != webID {
		t.Errorf("tampered token: %v %v", hb, cb)
	}
	// The signature is still canonical base64url of the right length, so a
	// client sees a wrong signature, not a malformed token.
	sig := bad[strings.LastIndexByte(bad, '.')+1:]
	if raw, err := base64.RawURLEncoding.Strict().DecodeString(sig); err != nil || len(raw) != 256 {
		t.Errorf("tampered signature: %d bytes, %v", len(raw), err)
	}
	if e.active(t, bad) {
		t.Errorf("a token with a broken signature introspects active")
	}
	if r := e.protected(bad); r.status != http.StatusUnauthorized {
		t.Errorf("/protected accepted the tampered token: %d", r.status)
	}
	if !e.active(t, good) {
		t.Errorf("the next token is not active")
	}
	if r := e.protected(good); r.status != http.StatusOK {
		t.Errorf("/protected refused the untampered token: %d %s", r.status, r.body)
	}

	opaque := newEnv(t, withSettings(func(s *Settings) { s.Format = FormatOpaque }))
	err := opaque.srv.Control().Tamper(Tamper{Kind: TamperSignature})
	if err == nil || err.Error() != "tamper signature: this server issues opaque access tokens, which have no signature" {
		t.Errorf("signature on an opaque server: %v", err)
	}
}

func TestControlTamperAuthorizationResponse(t *testing.T) {
	e := newOIDCEnv(t)
	c := e.srv.Control()
	if err := c.LoginAs(t.Context(), "carol", Scope{Times: -1}); err != nil {
		t.Fatal(err)
	}
	mustTamper(t, c, Tamper{Kind: TamperIss, Scope: Scope{ClientID: "rp"}})
	mustTamper(t, c, Tamper{Kind: TamperState, Scope: Scope{ClientID: "rp"}})

	// another client is untouched
	e.code(t, e.authorize(codeReq()...), azApp, "st-123")

	v := redirectParams(t, e.authorize(rpCodeReq()...), azApp+"?", false)
	if v.Get("iss") != "https://mix-up.invalid" || v.Get("state") != "st-123" || v.Get("code") == "" {
		t.Errorf("iss: %v", v)
	}
	v = redirectParams(t, e.authorize(rpCodeReq()...), azApp+"?", false)
	if v.Get("iss") != e.srv.settings.Issuer || !strings.HasPrefix(v.Get("state"), "tampered-") || v.Get("code") == "" {
		t.Errorf("state: %v", v)
	}
	// an error answer is tampered too: the client must check before it reads
	mustTamper(t, c, Tamper{Kind: TamperIss})
	v = e.wantRedirectErrorRaw(t, e.authorize(rpCodeReq("scope", "openid admin")...))
	if v.Get("error") != ErrInvalidScope || v.Get("iss") != "https://mix-up.invalid" {
		t.Errorf("tampered error answer: %v", v)
	}
	e.code(t, e.authorize(rpCodeReq()...), azApp, "st-123")
}

// wantRedirectErrorRaw returns the parameters of a redirect to azApp.
func (e *azEnv) wantRedirectErrorRaw(t *testing.T, r azResp) map[string][]string {
	t.Helper()
	return redirectParams(t, r, azApp+"?", false)
}

func TestControlTamperIDToken(t *testing.T) {
	e := newOIDCEnv(t)
	c := e.srv.Control()
	if err := c.LoginAs(t.Context(), "carol", Scope{Times: -1}); err != nil {
		t.Fatal(err)
	}
	const nonce = "n-0S6_WzA2Mj"
	tokens := func() (access string, claims map[string]any) {
		t.Helper()
		tok := e.rpTokens(t, e.code(t, e.authorize(rpCodeReq()...), azApp, "st-123"))
		_, cl := e.parseIDToken(t, tok["id_token"]) // the signature still verifies
		return tok["access_token"].(string), cl
	}
	now := e.clock.now().Unix()
	for _, tc := range []struct {
		kind  TamperKind
		check func(access string, cl map[string]any) bool
	}{
		{TamperNonce, func(_ string, cl map[string]any) bool {
			n, _ := cl["nonce"].(string)
			return strings.HasPrefix(n, "tampered-") && cl["aud"] == "rp"
		}},
		{TamperAud, func(_ string, cl map[string]any) bool {
			a, _ := cl["aud"].(string)
			return strings.HasPrefix(a, "another-client-") && cl["nonce"] == nonce
		}},
		{TamperAtHash, func(access string, cl map[string]any) bool {
			return cl["at_hash"] != nil && cl["at_hash"] != atHash(access) && cl["nonce"] == nonce
		}},
		{TamperExpired, func(access string, cl map[string]any) bool {
			return cl["exp"] == float64(now-3600) && cl["iat"] == float64(now-7200) && cl["at_hash"] == atHash(access)
		}},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			mustTamper(t, c, Tamper{Kind: tc.kind})
			access, cl := tokens()
			if !tc.check(access, cl) {
				t.Errorf("tampered ID token claims: %v", cl)
			}
			access, cl = tokens()
			if cl["nonce"] != nonce || cl["aud"] != "rp" || cl["at_hash"] != atHash(access) || cl["exp"] != float64(now+3600) {
				t.Errorf("the next ID token is tampered too: %v", cl)
			}
		})
	}
}

func TestControlTamperValidationAndState(t *testing.T) {
	e := newEnv(t)
	c := e.srv.Control()
	err := c.Tamper(Tamper{Kind: "kid"})
	want := `tamper "kid": use one of iss, state, nonce, aud, at_hash, expired, signature, malformed_json, no_token_type`
	if err == nil || err.Error() != want {
		t.Errorf("unknown kind: %v", err)
	}
	if err := c.Tamper(Tamper{Kind: TamperAud, Scope: Scope{Times: maxTimes + 1}}); err == nil {
		t.Errorf("times past the bound accepted")
	}
	mustTamper(t, c, Tamper{Kind: TamperAud, Scope: Scope{ClientID: "rp", Times: 3}})
	st := c.State()
	if len(st.Tampers) != 1 || st.Tampers[0].Kind != TamperAud || st.Tampers[0].Times != 3 || st.Tampers[0].ClientID != "rp" {
		t.Errorf("state: %+v", st.Tampers)
	}
	// a token-body tamper does not spend an ID-token one
	wantOK(t, e.ccWeb())
	if st := c.State(); len(st.Tampers) != 1 || st.Tampers[0].Times != 3 {
		t.Errorf("spent by an unrelated answer: %+v", st.Tampers)
	}
}
