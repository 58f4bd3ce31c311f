package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
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
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
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
	cfgFile := filepath.Join(dir, "oauthkit.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	issuer := startInteropServe(t, bin, root, "--config", cfgFile)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(interopDir, "openid-client-jwt.mjs"), issuer)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "OAUTHKIT_PKJWT_KEY="+pkKey, "OAUTHKIT_OTHER_KEY="+otherKey, "OAUTHKIT_SJWT_SECRET="+secret)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	want := strings.Join([]string{
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
	}, "\n") + "\n"
	if runErr != nil || stdout.String() != want {
		t.Errorf("node openid-client-jwt.mjs %s: %v\nstdout:\n%s\nstderr:\n%s\nwant stdout:\n%s", issuer, runErr, stdout.String(), stderr.String(), want)
	}
}

// TestInteropOIDCProviderJWTAuth: `oauthkit flow client-credentials
// --auth-method private_key_jwt|client_secret_jwt` against oidc-provider,
// whose second and third clients use those methods
// (testdata/interop/oidc-provider.mjs).
func TestInteropOIDCProviderJWTAuth(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	node := requireInteropPeers(t, filepath.Join(root, interopDir))
	if _, err := os.Stat(filepath.Join(root, interopDir, "node_modules", "oidc-provider", "package.json")); err != nil {
		interopMissing(t, filepath.Join(interopDir, "node_modules", "oidc-provider")+" is missing; run `npm ci --prefix testdata/interop`")
	}
	bin := buildInteropBinary(t)
	op := startOIDCProvider(t, node, root)
	if op.PKJWTClientID == "" || len(op.PKJWTKey) == 0 || op.SJWTClientID == "" || op.SJWTSecret == "" {
		t.Fatalf("oidc-provider.mjs printed no JWT clients: %+v", op)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "client.private.jwk.json")
	secretFile := filepath.Join(dir, "sjwt-secret")
	if err := os.WriteFile(keyFile, op.PKJWTKey, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secretFile, []byte(op.SJWTSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("private_key_jwt", func(t *testing.T) {
		start := time.Now()
		res := opRun(t, bin, "flow", "client-credentials", "--issuer", op.Issuer, "--client-id", op.PKJWTClientID,
			"--auth-method", "private_key_jwt", "--client-key", keyFile)
		tok := res.tokenResponse(t, start)
		claims := opVerifyAccessToken(t, bin, op, tok["access_token"])
		if claims["client_id"] != op.PKJWTClientID {
			t.Errorf("client_id %v, want %s", claims["client_id"], op.PKJWTClientID)
		}
		// A key oidc-provider does not know: invalid_client, exit 3.
		otherKey, _ := interopPrivateJWK(t, dir, "stranger")
		res = opRun(t, bin, "flow", "client-credentials", "--issuer", op.Issuer, "--client-id", op.PKJWTClientID,
			"--auth-method", "private_key_jwt", "--client-key", otherKey, "-o", "token")
		res.wantExit(t, 3)
		if !strings.Contains(res.stderr, "error=invalid_client") {
			t.Errorf("stderr %q, want invalid_client", res.stderr)
		}
	})
	t.Run("client_secret_jwt", func(t *testing.T) {
		start := time.Now()
		res := opRun(t, bin, "flow", "client-credentials", "--issuer", op.Issuer, "--client-id", op.SJWTClientID,
			"--auth-method", "client_secret_jwt", "--client-secret-file", secretFile)
		tok := res.tokenResponse(t, start)
		claims := opVerifyAccessToken(t, bin, op, tok["access_token"])
		if claims["client_id"] != op.SJWTClientID {
			t.Errorf("client_id %v, want %s", claims["client_id"], op.SJWTClientID)
		}
	})
}
