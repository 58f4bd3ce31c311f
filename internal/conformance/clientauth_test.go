package conformance

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Rules 16–17: client authentication.

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestRule16_ClientAuthenticationMethods(t *testing.T) {
	s := shared(t)
	cc := url.Values{"grant_type": {"client_credentials"}}
	raw := func(h string) auth { return auth{rawBasic: h} }
	ok := []struct {
		name string
		as   auth
	}{
		{"basic, form-encoded per RFC 6749 section 2.3.1", asBasic},
		{"post", asPost},
		{"basic, lowercase scheme", raw("basic " + b64(url.QueryEscape(basicID)+":"+url.QueryEscape(basicSecret)))},
	}
	for _, c := range ok {
		t.Run("ok "+c.name, func(t *testing.T) {
			a := mustTokens(t, s.token(t, c.as, cc), c.name)
			if a.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", a.Header.Get("Cache-Control"))
			}
		})
	}
	bad := []struct {
		name   string
		as     auth
		form   url.Values
		status int
		code   string
	}{
		// Malformed Basic → invalid_request.
		{"bad base64", raw("Basic %%%notbase64"), cc, 400, "invalid_request"},
		{"base64 without colon", raw("Basic " + b64(basicID)), cc, 400, "invalid_request"},
		{"no credentials after scheme", raw("Basic "), cc, 400, "invalid_request"},
		{"bad percent-encoding in id", raw("Basic " + b64("basic%zz:x")), cc, 400, "invalid_request"},
		{"bad percent-encoding in secret", raw("Basic " + b64(basicID+":%G1")), cc, 400, "invalid_request"},
		{"empty id", raw("Basic " + b64(":"+url.QueryEscape(basicSecret))), cc, 400, "invalid_request"},
		{"control character in secret", basicAuth(basicID, basicSecret+"\x00"), cc, 400, "invalid_request"},
		// Well-formed but wrong → invalid_client.
		{"secret not form-encoded (curl -u)", raw("Basic " + b64(basicID+":"+basicSecret)), cc, 401, "invalid_client"},
		{"huge id (8 KiB)", raw("Basic " + b64(strings.Repeat("a", 6000)+":x")), cc, 401, "invalid_client"},
		{"empty secret", raw("Basic " + b64(basicID+":")), cc, 401, "invalid_client"},
		{"secret prefix", basicAuth(basicID, basicSecret[:len(basicSecret)-1]), cc, 401, "invalid_client"},
		{"secret case", basicAuth(basicID, strings.ToUpper(basicSecret)), cc, 401, "invalid_client"},
		{"id case", basicAuth(strings.ToUpper(basicID), basicSecret), cc, 401, "invalid_client"},
		{"another client's secret", basicAuth(basicID, otherSecret), cc, 401, "invalid_client"},
		// Both methods at once → invalid_request.
		{"Basic and body secret", asBasic, url.Values{"grant_type": {"client_credentials"}, "client_secret": {basicSecret}}, 400, "invalid_request"},
		{"Basic and body id+secret", asBasic, url.Values{"grant_type": {"client_credentials"}, "client_id": {basicID}, "client_secret": {basicSecret}}, 400, "invalid_request"},
		{"Basic and other body client_id", asBasic, url.Values{"grant_type": {"client_credentials"}, "client_id": {otherID}}, 400, "invalid_request"},
		// Another method than the registered one → invalid_client.
		{"basic client using post", postAuth(basicID, basicSecret), cc, 401, "invalid_client"},
		{"post client using basic", basicAuth(postID, postSecret), cc, 401, "invalid_client"},
		{"confidential client with no secret", publicAuth(basicID), cc, 401, "invalid_client"},
		{"public client with a secret", postAuth(publicID, "x"), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, 401, "invalid_client"},
		{"public client with Basic", basicAuth(publicID, ""), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, 401, "invalid_client"},
		// Duplicates.
		{"repeated client_secret (post)", auth{}, url.Values{"grant_type": {"client_credentials"}, "client_id": {postID}, "client_secret": {postSecret, postSecret}}, 400, "invalid_request"},
		{"repeated client_id (post)", auth{}, url.Values{"grant_type": {"client_credentials"}, "client_id": {postID, postID}, "client_secret": {postSecret}}, 400, "invalid_request"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			wantTokenError(t, s.token(t, c.as, c.form), c.status, c.code)
		})
	}
	t.Run("two Authorization headers", func(t *testing.T) {
		h := http.Header{"Authorization": {formEncodedBasic(basicID, basicSecret), formEncodedBasic(otherID, otherSecret)}}
		wantTokenError(t, s.postRaw(t, "/token", h, cc.Encode()), 400, "invalid_request")
	})
	t.Run("every endpoint that authenticates", func(t *testing.T) {
		for _, path := range []string{"/introspect", "/revoke"} {
			wantTokenError(t, s.post(t, path, basicAuth(basicID, "wrong"), url.Values{"token": {"x"}}), 401, "invalid_client")
			wantTokenError(t, s.post(t, path, raw("Basic !!"), url.Values{"token": {"x"}}), 400, "invalid_request")
			wantTokenError(t, s.post(t, path, asBasic, url.Values{"token": {"x"}, "client_secret": {basicSecret}}), 400, "invalid_request")
		}
	})
}

func TestRule17_GeneratedSecretsHaveEnoughEntropy(t *testing.T) {
	s := shared(t)
	a := s.passwordTokens(t, "read")
	rt := a.str("refresh_token")
	raw, err := base64.RawURLEncoding.DecodeString(rt)
	if err != nil || len(raw) < 16 {
		t.Errorf("refresh token %q: %d bytes (%v), want ≥ 16 random bytes of base64url", rt, len(raw), err)
	}
	g := s.getCode(t, basicID, appCB, "read", false)
	if raw, err := base64.RawURLEncoding.DecodeString(g.code); err != nil || len(raw) < 16 {
		t.Errorf("code %q: %d bytes (%v), want ≥ 16", g.code, len(raw), err)
	}
	// Distinct every time.
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		rt := s.passwordTokens(t, "read").str("refresh_token")
		if seen[rt] {
			t.Fatalf("refresh token %q issued twice", rt)
		}
		seen[rt] = true
	}
	_, claims := jwtParts(t, a.str("access_token"))
	if jti, _ := claims["jti"].(string); len(jti) < 22 {
		t.Errorf("jti %q shorter than 128 bits of base64url", jti)
	}
}
