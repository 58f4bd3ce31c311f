package main

// DPoP (RFC 9449) interop, both ways:
//   - oauth4webapi (npm) as a DPoP client of `oauthkit serve --dpop-nonce`
//     (testdata/interop/oauth4webapi-dpop.mjs);
//   - `oauthkit flow client-credentials --dpop-key` / `--dpop` and
//     `flow authcode --dpop-key` (dpop_jkt, headless Chromium at the
//     provider's pages) then `flow refresh` with the key, against
//     oidc-provider with features.dPoP and a required server nonce
//     (testdata/interop/oidc-provider.mjs).

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dpopInteropConfig is the serve configuration oauth4webapi-dpop.mjs expects.
const dpopInteropConfig = `
scopes: {read: Read}
clients:
  - id: dpop-svc
    secret: dpop-svc-s3cret-0123456789
    grant_types: [client_credentials]
    scopes: [read]
    dpop_bound_access_tokens: true
  - id: dpop-public
    redirect_uris: [http://127.0.0.1/callback]
    grant_types: [authorization_code, refresh_token]
    scopes: [read]
    auto_approve: true
users:
  - username: alice
    password: alice-interop-pw
`

func TestInteropDPoPOAuth4WebAPI(t *testing.T) {
	root := interopRoot(t)
	node := requireInteropPeers(t, filepath.Join(root, interopDir))
	requireInteropPackage(t, root, "oauth4webapi")
	bin := buildInteropBinary(t)
	cfg := writeInteropFile(t, filepath.Join(t.TempDir(), "dpop.yaml"), []byte(dpopInteropConfig))
	issuer := startInteropServe(t, bin, root, "--config", cfg, "--dpop-nonce", "--auto-approve", "alice")

	interopScriptRun{node: node, root: root, script: "oauth4webapi-dpop.mjs", issuer: issuer, want: []string{
		"ok discovery lists dpop_signing_alg_values_supported",
		"ok client_credentials without a proof refused",
		"ok client_credentials with DPoP (nonce retry)",
		"ok protected resource with DPoP",
		"ok protected resource with another key refused",
		"ok authorization_code with dpop_jkt and DPoP",
		"ok refresh_token with another key refused",
		"ok refresh_token with the same key",
	}}.check(t)
}

func TestInteropDPoPOIDCProvider(t *testing.T) {
	bin, op := startInteropOIDCProvider(t)
	dir := t.TempDir()
	client := opClientArgs(t, op)
	keyRes := opRun(t, bin, "keygen", "--type", "ec", "--name", "dpop", "--out-dir", dir)
	keyRes.wantExit(t, 0)
	key := filepath.Join(dir, "dpop.key.pem")
	tp := opRun(t, bin, "keys", "thumbprint", key)
	tp.wantExit(t, 0)
	jkt := strings.TrimSpace(tp.stdout)

	t.Run("client-credentials --dpop-key", func(t *testing.T) {
		res := opRun(t, bin, append([]string{"flow", "client-credentials", "--dpop-key", key, "-v"}, client...)...)
		res.wantExit(t, 0)
		tok := res.jsonObject(t)
		at, _ := tok["access_token"].(string)
		if tok["token_type"] != "DPoP" || !opJWTShape.MatchString(at) {
			t.Errorf("token response %s, want a JWT access_token with token_type DPoP", res.stdout)
		}
		// oidc-provider demands a nonce: its 400 use_dpop_nonce, then the retry.
		if n := strings.Count(res.stderr, "> POST "+op.Issuer+"/token"); n != 2 || !strings.Contains(res.stderr, "use_dpop_nonce") {
			t.Errorf("want two token requests, the first answered use_dpop_nonce; -v log:\n%s", res.stderr)
		}
		claims := opVerifyAccessToken(t, bin, op, at)
		cnf, _ := claims["cnf"].(map[string]any)
		if cnf["jkt"] != jkt {
			t.Errorf("access token cnf %v, want jkt %s (the thumbprint of --dpop-key)", claims["cnf"], jkt)
		}
	})

	t.Run("client-credentials --dpop (ephemeral key) -o header", func(t *testing.T) {
		res := opRun(t, bin, append([]string{"flow", "client-credentials", "--dpop", "-o", "header"}, client...)...)
		res.wantExit(t, 0)
		if !strings.HasPrefix(res.stdout, "Authorization: DPoP ey") {
			t.Errorf("-o header printed %q, want Authorization: DPoP <token>", res.stdout)
		}
	})

	t.Run("authcode --dpop-key (dpop_jkt) and refresh", func(t *testing.T) {
		ctx := opBrowser(t)
		flow := opStartAuthcode(t, bin, append([]string{"flow", "authcode", "--scope", "openid offline_access",
			"--param", "prompt=consent", "--no-browser", "--timeout", "3m", "--dpop-key", key, "-o", "json"}, client...))
		authURL := flow.authorizationURL(t)
		q := opCheckAuthURL(t, op, authURL)
		if q.Get("dpop_jkt") != jkt {
			t.Errorf("dpop_jkt %q in the authorization request, want %s (RFC 9449 §10)", q.Get("dpop_jkt"), jkt)
		}
		opLoginAndConsent(t, ctx, authURL)
		opWaitForLocation(t, ctx, q.Get("redirect_uri"))
		res := flow.wait(t)
		res.wantExit(t, 0)
		tok := res.jsonObject(t)
		at, _ := tok["access_token"].(string)
		rt, _ := tok["refresh_token"].(string)
		if tok["token_type"] != "DPoP" || rt == "" {
			t.Fatalf("authcode token response %s, want token_type DPoP and a refresh token", res.stdout)
		}
		if cnf, _ := opVerifyAccessToken(t, bin, op, at)["cnf"].(map[string]any); cnf["jkt"] != jkt {
			t.Errorf("authcode access token cnf %v, want jkt %s", cnf, jkt)
		}

		// oidc-provider's UserInfo endpoint accepts only its own opaque
		// userinfo tokens, not these RFC 9068 JWTs issued for the resource,
		// so `token call` is checked against oauthkit serve instead
		// (testdata/script/flow_dpop.txtar).
		rtFile := filepath.Join(t.TempDir(), "rt")
		if err := os.WriteFile(rtFile, []byte(rt+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		ref := opRun(t, bin, append([]string{"flow", "refresh", "--refresh-token-file", rtFile, "--dpop-key", key, "-o", "json"}, client...)...)
		ref.wantExit(t, 0)
		if !strings.Contains(ref.stdout, `"token_type": "DPoP"`) {
			t.Errorf("refresh with the key: %s, want token_type DPoP", ref.stdout)
		}
	})
}
