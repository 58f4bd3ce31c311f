package conformance

import (
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/keys"
)

// Rule 70: a client assertion authenticates only the client it names in
// iss and sub, and only with the method it is registered for.
func TestRule70_JWTClientAuthentication(t *testing.T) {
	e := startJWTServer(t, "")
	t.Run("private_key_jwt ok", func(t *testing.T) {
		a := mustTokens(t, e.withAssertion(t, "/token", es256(t, e.key, e.claimsFor(pkjwtID)), ccForm), "private_key_jwt")
		_, claims := jwtParts(t, a.str("access_token"))
		if claims["sub"] != pkjwtID || claims["client_id"] != pkjwtID {
			t.Errorf("access token sub %v client_id %v, want %s", claims["sub"], claims["client_id"], pkjwtID)
		}
	})
	t.Run("client_secret_jwt ok", func(t *testing.T) {
		mustTokens(t, e.withAssertion(t, "/token", hs256(t, []byte(sjwtSecret), e.claimsFor(sjwtID)), ccForm), "client_secret_jwt")
	})
	t.Run("aud as the token endpoint and as a list", func(t *testing.T) {
		c := e.claimsFor(pkjwtID)
		c["aud"] = e.s.url + "/token"
		mustTokens(t, e.withAssertion(t, "/token", es256(t, e.key, c), ccForm), "aud token endpoint")
		c = e.claimsFor(pkjwtID)
		c["aud"] = []string{"https://elsewhere.example", e.s.url}
		mustTokens(t, e.withAssertion(t, "/token", es256(t, e.key, c), ccForm), "aud list")
	})
	t.Run("matching client_id parameter", func(t *testing.T) {
		mustTokens(t, e.withAssertion(t, "/token", es256(t, e.key, e.claimsFor(pkjwtID)),
			url.Values{"grant_type": {"client_credentials"}, "client_id": {pkjwtID}}), "client_id")
	})
	t.Run("client_id parameter differs from sub", func(t *testing.T) {
		a := e.withAssertion(t, "/token", es256(t, e.key, e.claimsFor(pkjwtID)),
			url.Values{"grant_type": {"client_credentials"}, "client_id": {sjwtID}})
		wantInvalidClient(t, a, "is not the client_id", "RFC 7523")
	})
	t.Run("iss differs from sub", func(t *testing.T) {
		c := e.claimsFor(pkjwtID)
		c["iss"] = bearerID
		wantInvalidClient(t, e.withAssertion(t, "/token", es256(t, e.key, c), ccForm), "iss 'bearer-client' is not 'pkjwt-client'", "RFC 7523 §3")
	})
	t.Run("method not registered for the client", func(t *testing.T) {
		// basic-client has a secret; an HS256 assertion with it is
		// client_secret_jwt, which it is not registered for.
		a := e.withAssertion(t, "/token", hs256(t, []byte("basic-client-secret-123"), e.claimsFor("basic-client")), ccForm)
		wantInvalidClient(t, a, clientAssertionFailedText)
		// A private_key_jwt client cannot fall back to client_id alone.
		wantTokenError(t, e.s.token(t, publicAuth(pkjwtID), ccForm), http.StatusUnauthorized, "invalid_client")
	})
	t.Run("unknown client looks like a bad signature", func(t *testing.T) {
		unknown := e.withAssertion(t, "/token", es256(t, e.key, e.claimsFor("nobody")), ccForm)
		badSig := e.withAssertion(t, "/token", es256(t, e.other, e.claimsFor(pkjwtID)), ccForm)
		wantInvalidClient(t, unknown, clientAssertionFailedText)
		wantInvalidClient(t, badSig, clientAssertionFailedText)
		if unknown.str("error_description") != badSig.str("error_description") {
			t.Errorf("unknown client %q and wrong key %q are told apart", unknown.str("error_description"), badSig.str("error_description"))
		}
		if !e.s.logSays("unknown client") {
			t.Errorf("the server log does not name the precise reason:\n%s", tail(e.s.stderr.String(), 2000))
		}
	})
	t.Run("assertion with Basic too", func(t *testing.T) {
		f := url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {jwtAssert},
			"client_assertion": {es256(t, e.key, e.claimsFor(pkjwtID))}}
		a := e.s.post(t, "/token", basicAuth("basic-client", "basic-client-secret-123"), f)
		wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
	})
	t.Run("wrong or missing client_assertion_type", func(t *testing.T) {
		f := url.Values{"grant_type": {"client_credentials"}, "client_assertion": {es256(t, e.key, e.claimsFor(pkjwtID))}}
		wantTokenError(t, e.s.postRaw(t, "/token", nil, f.Encode()), http.StatusBadRequest, "invalid_request")
		f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
		a := e.s.postRaw(t, "/token", nil, f.Encode())
		wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
		wantDescription(t, a, "RFC 7523 §2.2")
	})
	t.Run("introspect and revoke", func(t *testing.T) {
		tok := mustTokens(t, e.withAssertion(t, "/token", es256(t, e.key, e.claimsFor(pkjwtID)), ccForm), "token").str("access_token")
		c := e.claimsFor(pkjwtID)
		c["aud"] = e.s.url + "/introspect"
		in := e.withAssertion(t, "/introspect", es256(t, e.key, c), url.Values{"token": {tok}})
		if in.Status != 200 || in.JSON["active"] != true {
			t.Fatalf("introspect with private_key_jwt: %s", in)
		}
		c = e.claimsFor(pkjwtID)
		c["aud"] = e.s.url + "/introspect" // the wrong endpoint for /revoke
		wantInvalidClient(t, e.withAssertion(t, "/revoke", es256(t, e.key, c), url.Values{"token": {tok}}), "aud")
		rv := e.withAssertion(t, "/revoke", es256(t, e.key, e.claimsFor(pkjwtID)), url.Values{"token": {tok}})
		if rv.Status != 200 {
			t.Fatalf("revoke with private_key_jwt: %s", rv)
		}
		in = e.withAssertion(t, "/introspect", hs256(t, []byte(sjwtSecret), e.claimsFor(sjwtID)), url.Values{"token": {tok}})
		if in.Status != 200 || in.JSON["active"] != false {
			t.Fatalf("introspect after revoke, as client_secret_jwt: %s", in)
		}
	})
}

// clientAssertionFailedText is the uniform answer of rule 70.
const clientAssertionFailedText = "unknown client or invalid client_assertion (RFC 7523 §3)"

// Rule 71: aud names this server; exp is required, not past and at most
// 5 minutes ahead; nbf and iat are not in the future.
func TestRule71_AssertionAudienceAndLifetime(t *testing.T) {
	e := startJWTServer(t, "")
	now := time.Now()
	cases := []struct {
		name   string
		change func(map[string]any)
		want   string
	}{
		{"wrong aud", func(c map[string]any) { c["aud"] = "https://other.example.test" }, "is not this server"},
		{"aud of another path", func(c map[string]any) { c["aud"] = e.s.url + "/userinfo" }, "is not this server"},
		{"no aud", func(c map[string]any) { delete(c, "aud") }, "has no aud"},
		{"expired", func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() }, "expired at"},
		{"no exp", func(c map[string]any) { delete(c, "exp") }, "has no exp"},
		{"too long lifetime", func(c map[string]any) { c["exp"] = now.Add(time.Hour).Unix() }, "more than 5m"},
		{"nbf in the future", func(c map[string]any) { c["nbf"] = now.Add(10 * time.Minute).Unix() }, "nbf is in the future"},
		{"iat in the future", func(c map[string]any) { c["iat"] = now.Add(10 * time.Minute).Unix() }, "iat is in the future"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			claims := e.claimsFor(pkjwtID)
			c.change(claims)
			wantInvalidClient(t, e.withAssertion(t, "/token", es256(t, e.key, claims), ccForm), c.want, "RFC 7523 §3")
		})
	}
}

// Rule 72: jti is required and single-use: a replayed assertion is
// invalid_client, whatever endpoint it is replayed at.
func TestRule72_AssertionReplay(t *testing.T) {
	e := startJWTServer(t, "")
	assertion := es256(t, e.key, e.claimsFor(pkjwtID))
	mustTokens(t, e.withAssertion(t, "/token", assertion, ccForm), "first use")
	wantInvalidClient(t, e.withAssertion(t, "/token", assertion, ccForm), "was already used", "rule 72")
	wantInvalidClient(t, e.withAssertion(t, "/introspect", assertion, url.Values{"token": {"x"}}), "was already used")
	secret := hs256(t, []byte(sjwtSecret), e.claimsFor(sjwtID))
	mustTokens(t, e.withAssertion(t, "/token", secret, ccForm), "first use")
	wantInvalidClient(t, e.withAssertion(t, "/token", secret, ccForm), "was already used")
	c := e.claimsFor(pkjwtID)
	delete(c, "jti")
	wantInvalidClient(t, e.withAssertion(t, "/token", es256(t, e.key, c), ccForm), "has no jti")
}

// Rule 72: the single use is kept in the store, so it survives a restart
// (SQLite; one port for both runs, so the issuer and aud stay the same).
func TestRule72_AssertionReplayAfterRestart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	e := startJWTServerWith(t, "", "--addr", addr)
	assertion := es256(t, e.key, e.claimsFor(pkjwtID))
	mustTokens(t, e.withAssertion(t, "/token", assertion, ccForm), "before the restart")
	e.s.kill()
	e.s = startIn(t, e.s.dir, e.s.store, "--config", filepath.Join(e.s.dir, "config.yaml"), "--store", "sqlite:"+e.s.store, "--addr", addr)
	wantInvalidClient(t, e.withAssertion(t, "/token", assertion, ccForm), "was already used")
	mustTokens(t, e.withAssertion(t, "/token", es256(t, e.key, e.claimsFor(pkjwtID)), ccForm), "a fresh assertion after the restart")
}

// Rule 73: the signature is checked with the client's own key and its
// pinned algorithm: alg none, HS256 keyed with the public key, a key of
// another client, an unknown kid are all refused.
func TestRule73_AssertionSignature(t *testing.T) {
	rsaKey, err := keys.Generate(keys.Spec{Type: keys.TypeRSA})
	if err != nil {
		t.Fatal(err)
	}
	rsaKey.KID = "r1"
	e := startJWTServer(t, `  - id: pinned-client
    auth_method: private_key_jwt
    jwks: '`+string(publicJWKS(t, rsaKey))+`'
    token_endpoint_auth_signing_alg: PS256
    grant_types: [client_credentials]
`)
	e.rsa = rsaKey
	t.Run("alg none", func(t *testing.T) {
		a := signJWT(t, map[string]any{"alg": "none"}, e.claimsFor(pkjwtID), nil)
		wantInvalidClient(t, e.withAssertion(t, "/token", a, ccForm), "not signed", "rule 73")
	})
	t.Run("HS256 keyed with the public key", func(t *testing.T) {
		for _, key := range [][]byte{e.pubJWKSBytes(t), e.pubPEMBytes(t)} {
			a := hs256(t, key, e.claimsFor(pkjwtID))
			wantInvalidClient(t, e.withAssertion(t, "/token", a, ccForm), clientAssertionFailedText)
		}
		if !e.s.logSays("HMAC algorithm, but the client authenticates with public keys", "registered for private_key_jwt, not client_secret_jwt") {
			t.Errorf("the log does not say why:\n%s", tail(e.s.stderr.String(), 2000))
		}
	})
	t.Run("wrong client's key, same kid", func(t *testing.T) {
		wantInvalidClient(t, e.withAssertion(t, "/token", es256(t, e.other, e.claimsFor(pkjwtID)), ccForm), clientAssertionFailedText)
	})
	t.Run("unknown kid", func(t *testing.T) {
		k := genKey(t, "nope")
		wantInvalidClient(t, e.withAssertion(t, "/token", es256(t, k, e.claimsFor(pkjwtID)), ccForm), clientAssertionFailedText)
		if !e.s.logSays(`no key has kid \"nope\"`, `no key has kid "nope"`) {
			t.Errorf("the log does not name the unknown kid:\n%s", tail(e.s.stderr.String(), 2000))
		}
	})
	t.Run("alg other than the pinned one", func(t *testing.T) {
		// pinned-client pins PS256 for its RSA key: RS256 with the very
		// same key is refused, PS256 accepted.
		rs := signJWT(t, map[string]any{"alg": "RS256", "kid": "r1"}, e.claimsFor("pinned-client"), e.rsa)
		wantInvalidClient(t, e.withAssertion(t, "/token", rs, ccForm), clientAssertionFailedText)
		ps := signJWT(t, map[string]any{"alg": "PS256", "kid": "r1"}, e.claimsFor("pinned-client"), e.rsa)
		mustTokens(t, e.withAssertion(t, "/token", ps, ccForm), "PS256")
		if !e.s.logSays("signed with RS256, but the client's algorithm is PS256") {
			t.Errorf("the log does not say why:\n%s", tail(e.s.stderr.String(), 2000))
		}
	})
}

// Rule 74: client_secret_jwt verifies the HMAC with the plain secret; a
// wrong secret is invalid_client.
func TestRule74_ClientSecretJWT(t *testing.T) {
	e := startJWTServer(t, "")
	a := hs256(t, []byte(sjwtSecret+"x"), e.claimsFor(sjwtID))
	wantInvalidClient(t, e.withAssertion(t, "/token", a, ccForm), clientAssertionFailedText)
	a = signJWT(t, map[string]any{"alg": "HS512"}, e.claimsFor(sjwtID), []byte(sjwtSecret))
	mustTokens(t, e.withAssertion(t, "/token", a, ccForm), "HS512")
	// An ES256 assertion for the secret client: not its method.
	wantInvalidClient(t, e.withAssertion(t, "/token", es256(t, e.key, e.claimsFor(sjwtID)), ccForm), clientAssertionFailedText)
}

func (e *jwtEnv) pubJWKSBytes(t *testing.T) []byte { return publicJWKS(t, e.key) }

func (e *jwtEnv) pubPEMBytes(t *testing.T) []byte {
	t.Helper()
	pemBytes, err := keys.EncodePublicPEM(e.key.Public)
	if err != nil {
		t.Fatal(err)
	}
	return pemBytes
}
