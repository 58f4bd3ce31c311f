package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/keys"
)

// interopPrivateJWK writes a fresh EC P-256 private JWK with kid to dir
// and returns its path and the JWK Set of its public half.
func interopPrivateJWK(t *testing.T, dir, kid string) (string, []byte) {
	t.Helper()
	k, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	priv, err := k.PrivateJWK()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := k.PublicJWK()
	if err != nil {
		t.Fatal(err)
	}
	priv.Kid, pub.Kid = kid, kid
	privJSON, _ := json.Marshal(priv)
	set, _ := json.Marshal(keys.JWKS{Keys: []*keys.JWK{pub}})
	path := filepath.Join(dir, kid+".private.jwk.json")
	if err := os.WriteFile(path, privJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, set
}

// TestInteropOpenIDClientJWTAuth: openid-client's PrivateKeyJwt and
// ClientSecretJwt, and a jose-signed JWT bearer grant assertion, against
// `oauthkit serve` (testdata/interop/openid-client-jwt.mjs).
func TestInteropOpenIDClientJWTAuth(t *testing.T) {
	root := interopRoot(t)
	node := requireInteropPeers(t, filepath.Join(root, interopDir))
	bin := buildInteropBinary(t)
	dir := t.TempDir()
	pkKey, pkJWKS := interopPrivateJWK(t, dir, "pk-1")
	otherKey, _ := interopPrivateJWK(t, dir, "other-1")
	const secret = "jwt-secret-interop-0123456789abcdef"
	cfg := `clients:
  - id: jwt-pk
    auth_method: private_key_jwt
    jwks: '` + string(pkJWKS) + `'
    grant_types: [client_credentials, jwt_bearer]
    scopes: [read]
  - id: jwt-secret
    secret: ` + secret + `
    auth_method: client_secret_jwt
    grant_types: [client_credentials]
    scopes: [read]
users:
  - username: alice
    password: wonderland
`
	cfgFile := writeInteropFile(t, filepath.Join(dir, "oauthkit.yaml"), []byte(cfg))
	issuer := startInteropServe(t, bin, root, "--config", cfgFile)

	interopScriptRun{node: node, root: root, script: "openid-client-jwt.mjs", issuer: issuer,
		env: []string{"OAUTHKIT_PKJWT_KEY=" + pkKey, "OAUTHKIT_OTHER_KEY=" + otherKey, "OAUTHKIT_SJWT_SECRET=" + secret},
		want: []string{
			"ok discovery lists private_key_jwt and client_secret_jwt",
			"ok private_key_jwt client_credentials",
			"ok private_key_jwt introspection",
			"ok private_key_jwt revocation",
			"ok private_key_jwt with a key the server does not know",
			"ok client_secret_jwt client_credentials",
			"ok client_secret_jwt with a wrong secret",
			"ok jwt-bearer grant",
			"ok jwt-bearer replayed assertion refused",
			"ok jwt-bearer assertion signed by another key refused",
		}}.check(t)
}

// TestInteropOIDCProviderJWTAuth: `oauthkit flow client-credentials
// --auth-method private_key_jwt|client_secret_jwt` against oidc-provider,
// whose second and third clients use those methods
// (testdata/interop/oidc-provider.mjs).
func TestInteropOIDCProviderJWTAuth(t *testing.T) {
	bin, op := startInteropOIDCProvider(t)
	if op.PKJWTClientID == "" || len(op.PKJWTKey) == 0 || op.SJWTClientID == "" || op.SJWTSecret == "" {
		t.Fatalf("oidc-provider.mjs printed no JWT clients: %+v", op)
	}
	dir := t.TempDir()
	keyFile := writeInteropFile(t, filepath.Join(dir, "client.private.jwk.json"), op.PKJWTKey)
	secretFile := writeInteropFile(t, filepath.Join(dir, "sjwt-secret"), []byte(op.SJWTSecret+"\n"))
	// clientCredentials gets a token as clientID, authenticated with auth,
	// and checks the provider issued it to that client.
	clientCredentials := func(t *testing.T, clientID string, auth ...string) {
		t.Helper()
		start := time.Now()
		res := opRun(t, bin, append([]string{"flow", "client-credentials", "--issuer", op.Issuer, "--client-id", clientID}, auth...)...)
		tok := res.tokenResponse(t, start)
		claims := opVerifyAccessToken(t, bin, op, tok["access_token"])
		if claims["client_id"] != clientID {
			t.Errorf("client_id %v, want %s", claims["client_id"], clientID)
		}
	}
	t.Run("private_key_jwt", func(t *testing.T) {
		clientCredentials(t, op.PKJWTClientID, "--auth-method", "private_key_jwt", "--client-key", keyFile)
		// A key oidc-provider does not know: invalid_client, exit 3.
		otherKey, _ := interopPrivateJWK(t, dir, "stranger")
		res := opRun(t, bin, "flow", "client-credentials", "--issuer", op.Issuer, "--client-id", op.PKJWTClientID,
			"--auth-method", "private_key_jwt", "--client-key", otherKey, "-o", "token")
		res.wantExit(t, 3)
		if !strings.Contains(res.stderr, "error=invalid_client") {
			t.Errorf("stderr %q, want invalid_client", res.stderr)
		}
	})
	t.Run("client_secret_jwt", func(t *testing.T) {
		clientCredentials(t, op.SJWTClientID, "--auth-method", "client_secret_jwt", "--client-secret-file", secretFile)
	})
}
