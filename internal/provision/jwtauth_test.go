package provision

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store/memory"
)

// TestSyncJWTClients: the public keys and the pinned alg of JWT clients
// reach store.Client.Ext; the client_secret_jwt secret reaches the server
// settings in plain (memory only) and the store as a hash.
func TestSyncJWTClients(t *testing.T) {
	jwks := `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`
	cfg := parse(t, `
clients:
  - id: robot
    auth_method: private_key_jwt
    jwks: '`+jwks+`'
    token_endpoint_auth_signing_alg: ES256
    grant_types: [client_credentials, jwt_bearer]
  - id: remote
    auth_method: private_key_jwt
    jwks_uri: https://keys.example.test/jwks.json
    grant_types: [client_credentials]
  - id: hmac-app
    secret: hmac-app-secret-0123456789
    auth_method: client_secret_jwt
    grant_types: [client_credentials]
`)
	st := memory.New()
	ctx := context.Background()
	if err := Sync(ctx, st, &hashing.Hasher{}, cfg, time.Now(), Options{HashPassword: func(p string) (string, error) { return "x", nil }}); err != nil {
		t.Fatal(err)
	}
	robot, err := st.Clients().Get(ctx, "robot")
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	_ = json.Unmarshal(robot.Ext.JWKS, &got)
	_ = json.Unmarshal([]byte(jwks), &want)
	if robot.AuthMethod != "private_key_jwt" || robot.SecretHash != "" || robot.Ext.AssertionAlg != "ES256" || !jsonEqual(got, want) {
		t.Errorf("robot: %+v", robot)
	}
	if robot.GrantTypes[1] != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		t.Errorf("jwt_bearer stored as %q, want the URN", robot.GrantTypes[1])
	}
	remote, _ := st.Clients().Get(ctx, "remote")
	if remote.Ext.JWKSURI != "https://keys.example.test/jwks.json" || remote.Ext.JWKS != nil {
		t.Errorf("remote: %+v", remote.Ext)
	}
	hm, _ := st.Clients().Get(ctx, "hmac-app")
	if hm.SecretHash == "" || hm.SecretHash == "hmac-app-secret-0123456789" {
		t.Errorf("hmac-app secret stored as %q, want a hash", hm.SecretHash)
	}
	s := Settings(cfg, "https://as.test")
	if string(s.AssertionSecrets["hmac-app"]) != "hmac-app-secret-0123456789" || len(s.AssertionSecrets) != 1 {
		t.Errorf("AssertionSecrets %q", s.AssertionSecrets)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
