package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const ecJWKS = `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`

// TestJWTClientConfig: the three sources of a client's keys, the grant's
// short name and URN, and what reaches Config.
func TestJWTClientConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "k.jwks.json"), []byte(ecJWKS), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := `
clients:
  - id: mapping
    auth_method: private_key_jwt
    grant_types: [client_credentials, jwt_bearer]
    jwks:
      keys:
        - {kty: EC, crv: P-256, kid: k1, x: f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU, y: x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0}
  - id: file
    auth_method: private_key_jwt
    grant_types: ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    jwks_file: k.jwks.json
    token_endpoint_auth_signing_alg: ES256
  - id: uri
    auth_method: private_key_jwt
    grant_types: [client_credentials]
    jwks_uri: http://127.0.0.1:9999/jwks.json
  - id: hmac
    secret: hmac-secret-0123456789abcdef
    auth_method: client_secret_jwt
    grant_types: [client_credentials]
    token_endpoint_auth_signing_alg: HS384
`
	path := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var want any
	_ = json.Unmarshal([]byte(ecJWKS), &want)
	wantJSON, _ := json.Marshal(want)
	for i, id := range []string{"mapping", "file"} {
		c := cfg.Clients[i]
		if c.ID != id || string(c.JWKS) != string(wantJSON) || c.Public() || !c.AllowsGrant(GrantJWTBearer) {
			t.Errorf("%s: JWKS %s public %v grants %v", id, c.JWKS, c.Public(), c.GrantTypes)
		}
	}
	if cfg.Clients[1].AssertionAlg != "ES256" || cfg.Clients[2].JWKSURI != "http://127.0.0.1:9999/jwks.json" || cfg.Clients[3].AssertionAlg != "HS384" {
		t.Errorf("clients %+v", cfg.Clients)
	}
	if s := cfg.AssertionSecrets(); len(s) != 1 || string(s["hmac"]) != "hmac-secret-0123456789abcdef" {
		t.Errorf("AssertionSecrets %q", s)
	}
}

func TestJWTClientConfigErrors(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"jwt_bearer listed twice": {"  - id: a\n    auth_method: private_key_jwt\n    jwks: '" + ecJWKS + "'\n    grant_types: [jwt_bearer, \"urn:ietf:params:oauth:grant-type:jwt-bearer\"]\n",
			`is listed twice`},
		"public client with jwks and no method": {"  - id: a\n    jwks: '" + ecJWKS + "'\n    grant_types: [client_credentials]\n",
			"client_credentials needs a confidential client"},
		"inline JWKS that is not JSON": {"  - id: a\n    auth_method: private_key_jwt\n    jwks: 'nope'\n    grant_types: [client_credentials]\n",
			`clients[0].jwks: client "a": invalid JWKS`},
		"jwks_uri with a fragment": {"  - id: a\n    auth_method: private_key_jwt\n    jwks_uri: https://k.example/j#x\n    grant_types: [client_credentials]\n",
			`is not an absolute https URL`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte("clients:\n"+c.yaml), "c.yaml")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}
