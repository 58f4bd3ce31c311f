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

// interopPARChecks are the lines openid-client-par.mjs prints when every
// check passes.
var interopPARChecks = []string{
	"ok discovery pushed_authorization_request_endpoint",
	"ok par with resource: code, token with aud = resource",
	"ok request_uri is single-use",
	"ok plain authorize refused for a client that must push",
	"ok par with an unknown resource: invalid_target",
	"ok refresh cannot widen the resources",
	"ok refresh keeps the resource",
	"ok jar request object by value",
	"ok jar request object signed by another key refused",
	"ok jar request object pushed",
}

// TestInteropOpenIDClientPAR runs openid-client 6.9.0 as a client of a real
// `oauthkit serve`: pushed authorization requests (RFC 9126) with a resource
// indicator (RFC 8707), and request objects (RFC 9101) signed with a key
// whose public half the server's configuration registers for the client.
// Without node or the npm peers it skips locally and fails under CI=true.
func TestInteropOpenIDClientPAR(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	node := requireInteropPeers(t, filepath.Join(root, interopDir))
	dir := t.TempDir()
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	pem, err := keys.EncodePKCS8(key.Private)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "jar.key.pem")
	if err := os.WriteFile(keyFile, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	jwk, err := key.PublicJWK()
	if err != nil {
		t.Fatal(err)
	}
	jwk.Kid, jwk.Alg = "jar-1", "ES256"
	jwks, err := json.Marshal(keys.JWKS{Keys: []*keys.JWK{jwk}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := `tokens: {format: jwt}
scopes: {read: Read your data}
resources:
  - id: https://api.interop.test/
    scopes: [read]
clients:
  - id: par-client
    secret: par-client-s3cret-0123456789
    auth_method: client_secret_basic
    grant_types: [authorization_code, refresh_token]
    redirect_uris: [http://127.0.0.1:9/callback]
    scopes: [read]
    require_pushed_authorization_requests: true
  - id: jar-client
    auth_method: none
    jwks: ` + string(jwks) + `
    grant_types: [authorization_code]
    redirect_uris: [http://127.0.0.1:9/callback]
    scopes: [read]
users:
  - username: alice
    password: wonderland
`
	cfgFile := filepath.Join(dir, "par.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	issuer := startInteropServe(t, buildInteropBinary(t), root, "--config", cfgFile, "--auto-approve", "alice")

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(interopDir, "openid-client-par.mjs"), issuer)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "OAUTHKIT_JAR_KEY="+keyFile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	want := strings.Join(interopPARChecks, "\n") + "\n"
	if runErr != nil || stdout.String() != want {
		t.Errorf("node openid-client-par.mjs %s: %v\nstdout:\n%s\nstderr:\n%s\nwant stdout:\n%s", issuer, runErr, stdout.String(), stderr.String(), want)
	}
}
