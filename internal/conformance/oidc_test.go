package conformance

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// OpenID Connect ID-token rules (docs/serve.md section 11): nonce, at_hash,
// aud, signature, prompt=none. Named TestRuleOIDC_*.

// verifyRS256 checks tok's signature against the server's JWKS.
func verifyRS256(t *testing.T, s *server, tok string) bool {
	t.Helper()
	h, _ := jwtParts(t, tok)
	if h["alg"] != "RS256" {
		t.Fatalf("alg %v (the suite verifies RS256 only)", h["alg"])
	}
	kid, _ := h["kid"].(string)
	k := jwksKeys(t, s)[kid]
	if k == nil {
		return false
	}
	n, _ := base64.RawURLEncoding.DecodeString(k["n"].(string))
	e, _ := base64.RawURLEncoding.DecodeString(k["e"].(string))
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	i := strings.LastIndex(tok, ".")
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(tok[:i]))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
}

func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

func TestRuleOIDC_IDTokenClaimsAndSignature(t *testing.T) {
	s := shared(t)
	nonce := "n-0S6_WzA2Mj \"<x>"
	g := s.getCode(t, publicID, "http://127.0.0.1:4715/callback", "openid profile", true, "nonce", nonce)
	a := mustTokens(t, s.redeem(t, asPublic, g), "openid code")
	idt := a.str("id_token")
	if idt == "" {
		t.Fatalf("no id_token: %s", a)
	}
	h, c := jwtParts(t, idt)
	if !verifyRS256(t, s, idt) {
		t.Error("the ID token's signature does not verify with the JWKS")
	}
	if h["typ"] != "JWT" {
		t.Errorf("typ %v, want JWT", h["typ"])
	}
	want := map[string]any{"iss": s.url, "aud": publicID, "sub": userName, "nonce": nonce, "at_hash": atHash(a.str("access_token"))}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %v, want %v", k, c[k], v)
		}
	}
	if _, ok := c["azp"]; ok {
		t.Error("azp set with a single audience")
	}
	for _, k := range []string{"exp", "iat", "auth_time"} {
		if _, ok := c[k].(float64); !ok {
			t.Errorf("%s missing", k)
		}
	}
	t.Run("an ID token is not an access token", func(t *testing.T) {
		wantRejected(t, s, idt)
	})
	t.Run("refresh: new ID token, no nonce, new at_hash", func(t *testing.T) {
		r := mustTokens(t, s.refresh(t, asPublic, a.str("refresh_token")), "refresh")
		_, rc := jwtParts(t, r.str("id_token"))
		if _, ok := rc["nonce"]; ok {
			t.Error("refreshed ID token carries nonce")
		}
		if rc["at_hash"] != atHash(r.str("access_token")) || rc["sub"] != userName || rc["auth_time"] != c["auth_time"] {
			t.Errorf("refreshed ID token claims %v", rc)
		}
	})
	t.Run("no openid, no ID token", func(t *testing.T) {
		g := s.getCode(t, publicID, "http://127.0.0.1:4715/callback", "read", true, "nonce", "x")
		if r := mustTokens(t, s.redeem(t, asPublic, g), "code"); r.str("id_token") != "" {
			t.Error("an ID token without openid")
		}
		if p := s.passwordTokens(t, "openid read"); p.str("id_token") != "" {
			t.Error("the password grant returned an ID token")
		}
	})
}

func TestRuleOIDC_AuthorizeRequests(t *testing.T) {
	s := shared(t)
	t.Run("implicit id_token without nonce", func(t *testing.T) {
		a := s.authorize(t, q("response_type", "id_token", "client_id", implicitID, "redirect_uri", spaCB, "scope", "openid", "state", "s"))
		wantRedirectError(t, s, a, spaCB, "invalid_request", true)
	})
	t.Run("implicit id_token token: at_hash and nonce", func(t *testing.T) {
		a := s.authorize(t, q("response_type", "id_token token", "client_id", implicitID, "redirect_uri", spaCB, "scope", "openid", "state", "s", "nonce", "nn"))
		u := a.location(t)
		if u == nil {
			t.Fatalf("no redirect: %s", a)
		}
		f, _ := url.ParseQuery(u.EscapedFragment())
		_, c := jwtParts(t, f.Get("id_token"))
		if c["nonce"] != "nn" || c["at_hash"] != atHash(f.Get("access_token")) || c["aud"] != implicitID {
			t.Errorf("implicit ID token claims %v", c)
		}
		if !verifyRS256(t, s, f.Get("id_token")) {
			t.Error("signature does not verify")
		}
	})
	t.Run("nonce over 512 characters", func(t *testing.T) {
		_, ch := pkcePair(t)
		a := s.authorize(t, q("response_type", "code", "client_id", publicID, "redirect_uri", loopbackCB, "scope", "openid", "state", "s",
			"code_challenge", ch, "code_challenge_method", "S256", "nonce", strings.Repeat("n", 513)))
		wantRedirectError(t, s, a, loopbackCB, "invalid_request", false)
	})
	t.Run("prompt=none without a session", func(t *testing.T) {
		a := s.authorize(t, q("response_type", "code", "client_id", pagesID, "redirect_uri", "https://pages.example.test/cb", "scope", "openid", "state", "s", "prompt", "none"))
		if p := wantRedirectError(t, s, a, "https://pages.example.test/cb", "login_required", false); p.Get("state") != "s" {
			t.Errorf("state %q", p.Get("state"))
		}
	})
	t.Run("prompt=none with a session but no consent", func(t *testing.T) {
		b := newBrowser(t, s)
		b.login(t, b.startPagesFlow(t, "x"))
		a := b.do(t, http.MethodGet, "/authorize?"+q("response_type", "code", "client_id", pagesID, "redirect_uri", "https://pages.example.test/cb", "scope", "openid", "state", "s", "prompt", "none"), nil)
		wantRedirectError(t, s, a, "https://pages.example.test/cb", "consent_required", false)
	})
	t.Run("prompt=none combined", func(t *testing.T) {
		a := s.authorize(t, q("response_type", "code", "client_id", basicID, "redirect_uri", appCB, "state", "s", "prompt", "none login"))
		wantRedirectError(t, s, a, appCB, "invalid_request", false)
	})
	t.Run("tampered id_token_hint", func(t *testing.T) {
		g := s.getCode(t, basicID, appCB, "openid", false, "nonce", "x")
		idt := mustTokens(t, s.redeem(t, asBasic, g), "code").str("id_token")
		for name, hint := range map[string]string{"bit-flipped": tamper(idt), "access token": s.passwordTokens(t, "read").str("access_token"), "garbage": "x.y.z"} {
			t.Run(name, func(t *testing.T) {
				a := s.authorize(t, q("response_type", "code", "client_id", basicID, "redirect_uri", appCB, "state", "s", "id_token_hint", hint))
				wantRedirectError(t, s, a, appCB, "invalid_request", false)
			})
		}
	})
}
