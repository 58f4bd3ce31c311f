package main

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestInteropOIDCProviderPAR runs `oauthkit flow authcode --par --resource`
// against oidc-provider 9.13.3 (pushedAuthorizationRequests and
// resourceIndicators on, testdata/interop/oidc-provider.mjs): the request
// goes to the provider's PAR endpoint with client_secret_basic, the browser
// (headless Chromium, through the provider's login and consent pages) gets
// only client_id and request_uri, and the access token is for the resource.
// An unknown resource is refused by the provider at the push (exit 3).
func TestInteropOIDCProviderPAR(t *testing.T) {
	bin, op := startInteropOIDCProvider(t)
	client := opClientArgs(t, op)

	t.Run("par and resource", func(t *testing.T) {
		ctx := opBrowser(t)
		start := time.Now()
		flow := opStartAuthcode(t, bin, append([]string{"flow", "authcode", "--par", "--resource", op.Resource,
			"--scope", "openid api:read", "--no-browser", "--timeout", "3m", "-o", "json"}, client...))
		authURL := flow.authorizationURL(t)
		u, err := url.Parse(authURL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if u.Scheme+"://"+u.Host+u.Path != op.Issuer+"/auth" || len(q) != 2 || q.Get("client_id") != op.ClientID ||
			!strings.HasPrefix(q.Get("request_uri"), "urn:ietf:params:oauth:request_uri:") {
			t.Fatalf("authorization URL %s: want %s/auth with only client_id and a request_uri", authURL, op.Issuer)
		}
		if !strings.Contains(flow.stderr.String(), "Pushed the authorization request to "+op.Issuer+"/request (RFC 9126, --par)") {
			t.Errorf("stderr does not say where the request was pushed:\n%s", flow.stderr.String())
		}
		opLoginAndConsent(t, ctx, authURL)
		// The redirect URI is in the pushed request only: the catcher's
		// address is on the flow's standard error.
		m := regexp.MustCompile(`waits on (http://127\.0\.0\.1:[0-9]+/callback)`).FindStringSubmatch(flow.stderr.String())
		if m == nil {
			t.Fatalf("no catcher address on stderr:\n%s", flow.stderr.String())
		}
		landed := opWaitForLocation(t, ctx, m[1])
		if cb, err := url.Parse(landed); err != nil || cb.Query().Get("code") == "" || cb.Query().Get("iss") != op.Issuer {
			t.Errorf("the browser reached %s; want a code and iss=%s", landed, op.Issuer)
		}
		res := flow.wait(t)
		tok := res.tokenResponse(t, start)
		claims := opVerifyAccessToken(t, bin, op, tok["access_token"]) // aud is the resource
		if claims["sub"] != "alice" || claims["scope"] != "api:read" {
			t.Errorf("access token: sub %v, scope %v; want alice, api:read", claims["sub"], claims["scope"])
		}
	})

	t.Run("unknown resource refused at the push", func(t *testing.T) {
		res := opRun(t, bin, append([]string{"flow", "authcode", "--par", "--resource", "https://unknown.interop.test",
			"--scope", "openid api:read", "--no-browser", "--timeout", "30s", "-o", "token"}, client...)...)
		res.wantExit(t, 3)
		if res.stdout != "" || !strings.Contains(res.stderr, "PAR endpoint answered error=invalid_target") {
			t.Errorf("stdout %q, stderr %q; want no output and the provider's invalid_target", res.stdout, res.stderr)
		}
	})
}
