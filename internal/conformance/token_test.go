package conformance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Rules 9–15: the token endpoint.

func TestRule09_CodeSingleUseRevokesOnReplay(t *testing.T) {
	s := shared(t)
	for _, c := range []struct {
		name   string
		client string
		as     auth
		ru     string
		pkce   bool
	}{
		{"confidential", basicID, asBasic, appCB, false},
		{"public with PKCE", publicID, asPublic, "http://127.0.0.1:4711/callback", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := s.getCode(t, c.client, c.ru, "read", c.pkce)
			first := mustTokens(t, s.redeem(t, c.as, g), "first redemption")
			if !s.active(t, first.str("access_token")) {
				t.Fatal("the first access token is not active")
			}
			second := s.redeem(t, c.as, g)
			wantTokenError(t, second, http.StatusBadRequest, "invalid_grant")
			if s.active(t, first.str("access_token")) {
				t.Errorf("the access token of a replayed code is still active")
			}
			if rt := first.str("refresh_token"); rt != "" {
				r := s.token(t, c.as, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
				wantTokenError(t, r, http.StatusBadRequest, "invalid_grant")
			}
		})
	}
}

func TestRule10_CodeBoundToClientRedirectAndPKCE(t *testing.T) {
	s := shared(t)
	const ru = "http://127.0.0.1:4712/callback"
	// syntax: a malformed code_verifier is refused as a malformed request
	// (RFC 7636 section 4.1) before the code is looked up.
	cases := []struct {
		name   string
		pkce   bool
		as     auth
		mutate func(f url.Values)
	}{
		{"another client", false, asOther, nil},
		{"missing redirect_uri", false, asBasic, func(f url.Values) { f.Del("redirect_uri") }},
		{"other loopback port", false, asBasic, func(f url.Values) { f.Set("redirect_uri", "http://127.0.0.1:4713/callback") }},
		{"registered URI without port", false, asBasic, func(f url.Values) { f.Set("redirect_uri", loopbackCB) }},
		{"trailing slash", false, asBasic, func(f url.Values) { f.Set("redirect_uri", ru+"/") }},
		{"verifier for a code without challenge", false, asBasic, func(f url.Values) { f.Set("code_verifier", strings.Repeat("a", 43)) }},
		{"missing verifier", true, asPublic, func(f url.Values) { f.Del("code_verifier") }},
		{"wrong verifier", true, asPublic, func(f url.Values) { f.Set("code_verifier", strings.Repeat("b", 43)) }},
		{"verifier is the challenge", true, asPublic, func(f url.Values) { f.Set("code_verifier", s256(f.Get("code_verifier"))) }},
		{"verifier 42 chars", true, asPublic, func(f url.Values) { f.Set("code_verifier", f.Get("code_verifier")[:42]) }},
		{"verifier 129 chars", true, asPublic, func(f url.Values) { f.Set("code_verifier", strings.Repeat("a", 129)) }},
		{"verifier bad charset", true, asPublic, func(f url.Values) { f.Set("code_verifier", f.Get("code_verifier")[:42]+"+") }},
		{"public code redeemed by confidential", true, asBasic, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client := basicID
			if c.pkce {
				client = publicID
			}
			g := s.getCode(t, client, ru, "read", c.pkce)
			f := url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {g.redirect}}
			if g.verifier != "" {
				f.Set("code_verifier", g.verifier)
			}
			if c.mutate != nil {
				c.mutate(f)
			}
			if strings.HasPrefix(c.name, "verifier ") && strings.Contains(c.name, "char") {
				wantTokenError(t, s.token(t, c.as, f), http.StatusBadRequest, "invalid_request")
				return
			}
			wantTokenError(t, s.token(t, c.as, f), http.StatusBadRequest, "invalid_grant")
			// The failed attempt consumed the code: the right request fails too.
			right := asBasic
			if client == publicID {
				right = asPublic
			}
			wantTokenError(t, s.redeem(t, right, g), http.StatusBadRequest, "invalid_grant")
		})
	}
}

func TestRule11_CodesExpire(t *testing.T) {
	s := startServer(t, "tokens: {code_ttl: 1s}\n"+baseConfig)
	g := s.getCode(t, basicID, appCB, "read", false)
	time.Sleep(1500 * time.Millisecond)
	wantTokenError(t, s.redeem(t, asBasic, g), http.StatusBadRequest, "invalid_grant")
	// A fresh code of the same server works (the refusal is the expiry).
	mustTokens(t, s.redeem(t, asBasic, s.getCode(t, basicID, appCB, "read", false)), "fresh code")
}

func TestRule12_TokenParametersOnlyFromPOSTBody(t *testing.T) {
	s := shared(t)
	t.Run("GET is 405", func(t *testing.T) {
		a := s.do(t, http.MethodGet, "/token?grant_type=client_credentials", nil, nil)
		if a.Status != http.StatusMethodNotAllowed || a.Header.Get("Allow") != "POST" {
			t.Errorf("GET /token: %s Allow %q, want 405 with Allow: POST", a, a.Header.Get("Allow"))
		}
		if a.str("access_token") != "" {
			t.Error("GET /token issued a token")
		}
	})
	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		if a := s.do(t, m, "/token", nil, nil); a.Status != http.StatusMethodNotAllowed {
			t.Errorf("%s /token: %d, want 405", m, a.Status)
		}
	}
	t.Run("secret in the query", func(t *testing.T) {
		a := s.do(t, http.MethodPost, "/token?"+q("client_id", postID, "client_secret", postSecret),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, strings.NewReader("grant_type=client_credentials"))
		wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
	})
	t.Run("grant_type only in the query", func(t *testing.T) {
		a := s.do(t, http.MethodPost, "/token?grant_type=client_credentials",
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {formEncodedBasic(basicID, basicSecret)}}, strings.NewReader(""))
		wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
	})
	for name, ct := range map[string]string{"JSON": "application/json", "multipart": "multipart/form-data; boundary=x", "none": "", "text": "text/plain"} {
		t.Run("content type "+name, func(t *testing.T) {
			h := http.Header{"Authorization": {formEncodedBasic(basicID, basicSecret)}}
			if ct != "" {
				h.Set("Content-Type", ct)
			}
			body := "grant_type=client_credentials"
			if name == "JSON" {
				body = `{"grant_type":"client_credentials"}`
			}
			a := s.do(t, http.MethodPost, "/token", h, strings.NewReader(body))
			wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
		})
	}
	t.Run("64 KiB + 1 body is 413", func(t *testing.T) {
		body := "grant_type=client_credentials&x=" + strings.Repeat("a", 64<<10)
		h := http.Header{"Authorization": {formEncodedBasic(basicID, basicSecret)}}
		a := s.postRaw(t, "/token", h, body[:64<<10+1])
		if a.Status != http.StatusRequestEntityTooLarge || a.str("access_token") != "" {
			t.Errorf("got %s, want 413", a)
		}
		ok := s.postRaw(t, "/token", h, body[:64<<10-64])
		mustTokens(t, ok, "a body just under 64 KiB")
	})
	t.Run("repeated parameters", func(t *testing.T) {
		for _, p := range []string{"grant_type", "scope", "client_id", "client_secret"} {
			f := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
			as := asBasic
			if strings.HasPrefix(p, "client_") {
				as = asPost
				f.Set("client_id", postID)
				f.Set("client_secret", postSecret)
				f[p] = append(f[p], f.Get(p))
				as = auth{}
			} else {
				f[p] = append(f[p], f.Get(p))
			}
			wantTokenError(t, s.token(t, as, f), http.StatusBadRequest, "invalid_request")
		}
	})
}

func TestRule13_TokenErrorCodes(t *testing.T) {
	s := shared(t)
	cc := url.Values{"grant_type": {"client_credentials"}}
	cases := []struct {
		name     string
		as       auth
		form     url.Values
		status   int
		code     string
		wwwBasic bool
	}{
		{"missing grant_type", asBasic, url.Values{"scope": {"read"}}, 400, "invalid_request", false},
		{"unknown grant_type", asBasic, url.Values{"grant_type": {"magic"}}, 400, "unsupported_grant_type", false},
		{"implicit as grant_type", asBasic, url.Values{"grant_type": {"implicit"}}, 400, "unsupported_grant_type", false},
		{"wrong secret, Basic", basicAuth(basicID, "wrong"), cc, 401, "invalid_client", true},
		{"unknown client, Basic", basicAuth("nobody", "x"), cc, 401, "invalid_client", true},
		{"no credentials", auth{}, cc, 401, "invalid_client", true},
		{"wrong secret, post", postAuth(postID, "wrong"), cc, 401, "invalid_client", false},
		{"public client, client_credentials", asPublic, cc, 400, "unauthorized_client", false},
		{"scope not allowed", asBasic, url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}, 400, "invalid_scope", false},
		{"scope with CR LF quote backslash", asBasic, url.Values{"grant_type": {"client_credentials"}, "scope": {"a\r\nb\"c\\d"}}, 400, "invalid_scope", false},
		{"unknown code", asBasic, url.Values{"grant_type": {"authorization_code"}, "code": {"nope\r\n\"\\"}, "redirect_uri": {appCB}}, 400, "invalid_grant", false},
		{"missing code", asBasic, url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {appCB}}, 400, "invalid_request", false},
		{"unknown refresh token", asBasic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}}, 400, "invalid_grant", false},
		{"missing refresh token", asBasic, url.Values{"grant_type": {"refresh_token"}}, 400, "invalid_request", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := s.token(t, c.as, c.form)
			wantTokenError(t, a, c.status, c.code)
			www := a.Header.Get("WWW-Authenticate")
			if c.wwwBasic && !strings.HasPrefix(www, "Basic ") {
				t.Errorf("WWW-Authenticate %q, want a Basic challenge", www)
			}
			if !c.wwwBasic && c.status == 401 && www != "" {
				t.Errorf("WWW-Authenticate %q for a client that did not use Basic", www)
			}
		})
	}
}

func TestRule14_TokenResponsesNoStore(t *testing.T) {
	s := shared(t)
	for name, a := range map[string]answer{
		"client_credentials": s.token(t, asBasic, url.Values{"grant_type": {"client_credentials"}}),
		"password":           s.passwordTokens(t, "read"),
		"authorization_code": s.redeem(t, asBasic, s.getCode(t, basicID, appCB, "read", false)),
		"error":              s.token(t, asBasic, url.Values{"grant_type": {"nope"}}),
		"401":                s.token(t, basicAuth(basicID, "x"), url.Values{"grant_type": {"client_credentials"}}),
		"413":                s.postRaw(t, "/token", nil, strings.Repeat("a", 70<<10)),
	} {
		t.Run(name, func(t *testing.T) { wantNoStore(t, a) })
	}
}

func TestRule15_ClientCredentialsAndPasswordGrant(t *testing.T) {
	s := shared(t)
	t.Run("client_credentials has no refresh token", func(t *testing.T) {
		for _, as := range []auth{asBasic, asPost} {
			a := mustTokens(t, s.token(t, as, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}), "client_credentials")
			if _, ok := a.JSON["refresh_token"]; ok {
				t.Errorf("client_credentials returned a refresh token: %s", a)
			}
		}
	})
	t.Run("unknown user and wrong password look the same; throttled", func(t *testing.T) {
		s2 := startServer(t, baseConfig)
		pw := func(user, pass string) answer {
			return s2.token(t, asBasic, url.Values{"grant_type": {"password"}, "username": {user}, "password": {pass}})
		}
		unknown, wrong := pw("mallory", userPassword), pw(userName, "nope")
		wantTokenError(t, unknown, http.StatusBadRequest, "invalid_grant")
		wantTokenError(t, wrong, http.StatusBadRequest, "invalid_grant")
		if string(unknown.Body) != string(wrong.Body) {
			t.Errorf("unknown user %q and wrong password %q differ", unknown.Body, wrong.Body)
		}
		var last answer
		for i := 0; i < 5; i++ {
			last = pw(userName, "nope")
		}
		if last.Status != http.StatusTooManyRequests || last.str("error") != "temporarily_unavailable" {
			t.Errorf("after 7 failures: %s, want 429 temporarily_unavailable", last)
		}
		// Throttled: even the right password waits.
		if a := pw(userName, userPassword); a.Status != http.StatusTooManyRequests || a.str("access_token") != "" {
			t.Errorf("right password while throttled: %s, want 429", a)
		}
	})
}
