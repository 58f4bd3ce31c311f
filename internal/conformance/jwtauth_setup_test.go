package conformance

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/keys"
)

// Rules 70–76: JWT client authentication (RFC 7523 §2.2) and the JWT
// bearer grant (RFC 7523 §2.1). The helpers here mint assertions by hand,
// so a test can break exactly one rule.

const (
	pkjwtID    = "pkjwt-client"
	sjwtID     = "sjwt-client"
	sjwtSecret = "sjwt-shared-secret-0123456789abcdef"
	bearerID   = "bearer-client"
	jwtAssert  = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// jwtEnv is a server with JWT clients and the private keys behind them.
type jwtEnv struct {
	s       *server
	key     *keys.Key // pkjwt-client's and bearer-client's key (kid "k1")
	other   *keys.Key // a key no client has
	rsa     *keys.Key // set by tests that add an RSA client
	jwksDir string
}

func genKey(t *testing.T, kid string) *keys.Key {
	t.Helper()
	k, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	k.KID = kid
	return k
}

// publicJWKS is the JWK Set of the keys' public halves.
func publicJWKS(t *testing.T, ks ...*keys.Key) []byte {
	t.Helper()
	var set keys.JWKS
	for _, k := range ks {
		j, err := k.PublicJWK()
		if err != nil {
			t.Fatal(err)
		}
		j.Kid, j.Alg = k.KID, "" // any algorithm of the key (a client may pin one)
		set.Keys = append(set.Keys, j)
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startJWTServer starts a server with a private_key_jwt client (keys from
// a jwks_file), a client_secret_jwt client and a client of the jwt_bearer
// grant; extra is appended to the clients list.
func startJWTServer(t *testing.T, extra string) *jwtEnv {
	t.Helper()
	return startJWTServerWith(t, extra)
}

// startJWTServerWith is startJWTServer with more arguments for serve.
func startJWTServerWith(t *testing.T, extra string, args ...string) *jwtEnv {
	t.Helper()
	env := &jwtEnv{key: genKey(t, "k1"), other: genKey(t, "k1"), jwksDir: t.TempDir()}
	jwksFile := filepath.Join(env.jwksDir, "pkjwt.jwks.json")
	if err := os.WriteFile(jwksFile, publicJWKS(t, env.key), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := `
scopes: {read: Read, write: Write}
clients:
  - id: ` + pkjwtID + `
    auth_method: private_key_jwt
    jwks_file: ` + jwksFile + `
    grant_types: [client_credentials]
    scopes: [read, write]
  - id: ` + sjwtID + `
    secret: ` + sjwtSecret + `
    auth_method: client_secret_jwt
    grant_types: [client_credentials]
    scopes: [read]
  - id: ` + bearerID + `
    auth_method: private_key_jwt
    jwks_file: ` + jwksFile + `
    grant_types: [jwt_bearer]
    scopes: [read]
  - id: basic-client
    secret: basic-client-secret-123
    grant_types: [client_credentials]
    scopes: [read]
` + extra + `
users:
  - username: alice
    password: wonderland-pw
`
	env.s = startServer(t, cfg, args...)
	return env
}

// claimsFor are the claims of a valid client assertion of id for s.
func (e *jwtEnv) claimsFor(id string) map[string]any {
	now := time.Now()
	return map[string]any{"iss": id, "sub": id, "aud": e.s.url, "jti": randomJTI(),
		"iat": now.Unix(), "exp": now.Add(60 * time.Second).Unix()}
}

func randomJTI() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// signJWT signs claims with header h (alg, kid) using key: a *keys.Key
// (its private half) or []byte (HMAC), or nothing for alg none.
func signJWT(t *testing.T, h map[string]any, claims map[string]any, key any) string {
	t.Helper()
	hj, _ := json.Marshal(h)
	cj, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(hj) + "." + base64.RawURLEncoding.EncodeToString(cj)
	alg, _ := h["alg"].(string)
	if alg == "none" {
		return input + "."
	}
	var k any = key
	if kk, ok := key.(*keys.Key); ok {
		k = kk.Private
	}
	sig, err := jwt.GetSigningMethod(alg).Sign(input, k)
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// es256 signs claims with key as ES256 with its kid.
func es256(t *testing.T, key *keys.Key, claims map[string]any) string {
	return signJWT(t, map[string]any{"alg": "ES256", "kid": key.KID, "typ": "JWT"}, claims, key)
}

// hs256 signs claims with secret.
func hs256(t *testing.T, secret []byte, claims map[string]any) string {
	return signJWT(t, map[string]any{"alg": "HS256", "typ": "JWT"}, claims, secret)
}

// withAssertion posts form to path with a client assertion.
func (e *jwtEnv) withAssertion(t *testing.T, path, assertion string, form url.Values) answer {
	t.Helper()
	f := url.Values{"client_assertion_type": {jwtAssert}, "client_assertion": {assertion}}
	for k, v := range form {
		f[k] = v
	}
	return e.s.postRaw(t, path, http.Header{}, f.Encode())
}

var ccForm = url.Values{"grant_type": {"client_credentials"}}

// wantInvalidClient checks a 401 invalid_client whose description holds
// every one of parts.
func wantInvalidClient(t *testing.T, a answer, parts ...string) {
	t.Helper()
	wantTokenError(t, a, http.StatusUnauthorized, "invalid_client")
	wantDescription(t, a, parts...)
}
