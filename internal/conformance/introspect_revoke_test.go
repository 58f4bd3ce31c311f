package conformance

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Rules 22–23 (introspection, revocation) and 37 (oversized input).

// shortTTLConfig has 1 s access and refresh token lifetimes.
const shortTTLConfig = "tokens: {access_token_ttl: 1s, refresh_token_ttl: 1s}\n" + baseConfig

func TestRule22_IntrospectionAuthAndInactiveAnswers(t *testing.T) {
	s := shared(t)
	live := s.passwordTokens(t, "read")
	t.Run("client authentication required", func(t *testing.T) {
		form := url.Values{"token": {live.str("access_token")}}
		for name, as := range map[string]auth{"none": {}, "public client": asPublic, "wrong secret": basicAuth(basicID, "x")} {
			a := s.post(t, "/introspect", as, form)
			wantTokenError(t, a, http.StatusUnauthorized, "invalid_client")
			if _, ok := a.JSON["active"]; ok {
				t.Errorf("%s: answer carries active: %s", name, a)
			}
		}
	})
	t.Run("live tokens are active", func(t *testing.T) {
		for _, tok := range []string{live.str("access_token"), live.str("refresh_token")} {
			if !s.active(t, tok) {
				t.Errorf("a live token is not active")
			}
		}
		if a := s.post(t, "/introspect", asPost, url.Values{"token": {live.str("access_token")}}); a.JSON["active"] != true {
			t.Errorf("introspection by post-client: %s", a)
		}
	})
	t.Run("not live is exactly active:false", func(t *testing.T) {
		revoked := s.passwordTokens(t, "read")
		if a := s.post(t, "/revoke", asBasic, url.Values{"token": {revoked.str("refresh_token")}}); a.Status != 200 {
			t.Fatalf("revoke: %s", a)
		}
		rotated := s.passwordTokens(t, "read").str("refresh_token")
		mustTokens(t, s.token(t, asBasic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rotated}}), "refresh")
		g := s.getCode(t, basicID, appCB, "read", false)
		mustTokens(t, s.redeem(t, asBasic, g), "code")
		for name, tok := range map[string]string{
			"garbage":                 "garbage",
			"revoked refresh token":   revoked.str("refresh_token"),
			"its access token":        revoked.str("access_token"),
			"rotated-out refresh":     rotated,
			"consumed code":           g.code,
			"unredeemed code":         s.getCode(t, basicID, appCB, "read", false).code,
			"ID-token-shaped garbage": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
			"8 KiB + 1":               strings.Repeat("a", 8<<10+1),
		} {
			t.Run(name, func(t *testing.T) {
				if s.active(t, tok) {
					t.Errorf("%s is active", name)
				}
			})
		}
	})
	t.Run("expired", func(t *testing.T) {
		s2 := startServer(t, shortTTLConfig)
		a := s2.passwordTokens(t, "read")
		time.Sleep(2100 * time.Millisecond)
		for _, tok := range []string{a.str("access_token"), a.str("refresh_token")} {
			if s2.active(t, tok) {
				t.Errorf("an expired token is active")
			}
		}
	})
}

func TestRule23_Revocation(t *testing.T) {
	s := shared(t)
	revoke := func(as auth, form url.Values) answer { return s.post(t, "/revoke", as, form) }
	t.Run("unknown token: 200 empty", func(t *testing.T) {
		a := revoke(asBasic, url.Values{"token": {"unknown-token"}})
		if a.Status != http.StatusOK || len(a.Body) != 0 {
			t.Errorf("got %s, want 200 with an empty body", a)
		}
		wantNoStore(t, a)
	})
	t.Run("missing token", func(t *testing.T) {
		wantTokenError(t, revoke(asBasic, url.Values{}), http.StatusBadRequest, "invalid_request")
	})
	t.Run("repeated token", func(t *testing.T) {
		wantTokenError(t, revoke(asBasic, url.Values{"token": {"a", "b"}}), http.StatusBadRequest, "invalid_request")
	})
	t.Run("no client authentication", func(t *testing.T) {
		tok := s.passwordTokens(t, "read").str("refresh_token")
		wantTokenError(t, revoke(auth{}, url.Values{"token": {tok}}), http.StatusUnauthorized, "invalid_client")
		if !s.active(t, tok) {
			t.Error("an unauthenticated revocation killed the token")
		}
	})
	t.Run("another client's token", func(t *testing.T) {
		a := s.passwordTokens(t, "read")
		for _, tok := range []string{a.str("refresh_token"), a.str("access_token")} {
			r := revoke(asOther, url.Values{"token": {tok}})
			wantTokenError(t, r, http.StatusBadRequest, "unauthorized_client")
			if !s.active(t, tok) {
				t.Error("another client revoked the token")
			}
		}
	})
	t.Run("refresh token kills its access tokens", func(t *testing.T) {
		a := s.passwordTokens(t, "read")
		if r := revoke(asBasic, url.Values{"token": {a.str("refresh_token")}, "token_type_hint": {"refresh_token"}}); r.Status != 200 {
			t.Fatalf("revoke: %s", r)
		}
		if s.active(t, a.str("access_token")) {
			t.Error("the grant's access token survived the revocation of its refresh token")
		}
		wantTokenError(t, s.token(t, asBasic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {a.str("refresh_token")}}), 400, "invalid_grant")
		p := s.do(t, http.MethodGet, "/protected", http.Header{"Authorization": {"Bearer " + a.str("access_token")}}, nil)
		if p.Status != http.StatusUnauthorized {
			t.Errorf("/protected with a revoked token: %s", p)
		}
	})
	t.Run("access token alone, wrong hint", func(t *testing.T) {
		a := s.passwordTokens(t, "read")
		if r := revoke(asBasic, url.Values{"token": {a.str("access_token")}, "token_type_hint": {"refresh_token"}}); r.Status != 200 {
			t.Fatalf("revoke: %s", r)
		}
		if s.active(t, a.str("access_token")) {
			t.Error("the revoked access token is active")
		}
	})
	t.Run("public client revokes its own", func(t *testing.T) {
		g := s.getCode(t, publicID, "http://127.0.0.1:4714/callback", "read", true)
		a := mustTokens(t, s.redeem(t, asPublic, g), "public code")
		if r := revoke(asPublic, url.Values{"token": {a.str("refresh_token")}}); r.Status != 200 {
			t.Fatalf("revoke: %s", r)
		}
		if s.active(t, a.str("refresh_token")) {
			t.Error("still active")
		}
	})
	t.Run("GET is 405", func(t *testing.T) {
		for _, p := range []string{"/revoke", "/introspect"} {
			if a := s.do(t, http.MethodGet, p+"?token=x", nil, nil); a.Status != http.StatusMethodNotAllowed || a.Header.Get("Allow") != "POST" {
				t.Errorf("GET %s: %s Allow %q", p, a, a.Header.Get("Allow"))
			}
		}
	})
}

func TestRule37_OversizedInputRejectedFast(t *testing.T) {
	s := shared(t)
	t.Run("1 MiB token string is inactive, fast", func(t *testing.T) {
		start := time.Now()
		a := s.post(t, "/introspect", asBasic, url.Values{"token": {strings.Repeat("A", 60<<10)}})
		if a.Status != 200 || strings.TrimSpace(string(a.Body)) != `{"active":false}` {
			t.Errorf("60 KiB token: %s", a)
		}
		big := s.postRaw(t, "/introspect", http.Header{"Authorization": {formEncodedBasic(basicID, basicSecret)}}, "token="+strings.Repeat("A", 1<<20))
		if big.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("1 MiB body: %s, want 413", big)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %s", d)
		}
	})
	t.Run("8 KiB + 1 bearer token", func(t *testing.T) {
		a := s.do(t, http.MethodGet, "/protected", http.Header{"Authorization": {"Bearer " + strings.Repeat("a", 8<<10+1)}}, nil)
		if a.Status != http.StatusUnauthorized || a.str("error") != "invalid_token" {
			t.Errorf("got %s, want 401 invalid_token", a)
		}
	})
	for _, path := range []string{"/token", "/introspect", "/revoke", "/authorize"} {
		t.Run("64 KiB + 1 body at "+path, func(t *testing.T) {
			a := s.postRaw(t, path, nil, "x="+strings.Repeat("a", 64<<10-1))
			if a.Status != http.StatusRequestEntityTooLarge {
				t.Errorf("got %d, want 413", a.Status)
			}
		})
	}
	t.Run("header of 16 KiB + 1 is 431", func(t *testing.T) {
		// A fresh connection each time: net/http counts header bytes per
		// connection read, so a reused connection must not be needed.
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		for _, n := range []int{16<<10 + 1, 20 << 10, 24 << 10} {
			req, _ := http.NewRequest(http.MethodGet, s.url+"/healthz", nil)
			req.Header.Set("X-Big", strings.Repeat("a", n))
			resp, err := c.Do(req)
			if err != nil {
				if _, ok := err.(net.Error); ok {
					continue // the server hung up on it: also a refusal
				}
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
				t.Errorf("header value of %d bytes: %d, want 431 (docs/serve.md section 8, rule 37: headers over 16 KiB)", n, resp.StatusCode)
			}
		}
	})
}
