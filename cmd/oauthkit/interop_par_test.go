package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

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
	root := interopRoot(t)
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
	keyFile := writeInteropFile(t, filepath.Join(dir, "jar.key.pem"), pem)
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
	cfgFile := writeInteropFile(t, filepath.Join(dir, "par.yaml"), []byte(cfg))
	issuer := startInteropServe(t, buildInteropBinary(t), root, "--config", cfgFile, "--auto-approve", "alice")

	interopScriptRun{node: node, root: root, script: "openid-client-par.mjs", issuer: issuer,
		env: []string{"OAUTHKIT_JAR_KEY=" + keyFile}, want: interopPARChecks}.check(t)
}
