package authserver

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// jwtParts decodes a compact JWS's header and claims, by hand.
func jwtParts(t *testing.T, tok string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", tok)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
	}
	return header, claims
}

func b64json(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

// jwksKey finds the key with kid in /jwks.json and rebuilds its RSA public
// key from n and e, without the keys package.
func jwksKey(t *testing.T, e *env, kid string) *rsa.PublicKey {
	t.Helper()
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(e.get("/jwks.json", nil).body, &set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		if k["kid"] != kid {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k["n"])
		eb, err2 := base64.RawURLEncoding.DecodeString(k["e"])
		if err1 != nil || err2 != nil || k["kty"] != "RSA" {
			t.Fatalf("bad JWK %v", k)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(eb).Int64())}
	}
	t.Fatalf("kid %q is not in /jwks.json", kid)
	return nil
}

// Rule 18: JWT access tokens follow RFC 9068.
func TestJWTAccessTokenProfile(t *testing.T) {
	e := newEnv(t, withSettings(func(s *Settings) { s.Audience = "https://api.example.test" }))
	e.addClient(store.Client{ID: "claimy", AuthMethod: "client_secret_post", Scopes: []string{"read"},
		GrantTypes: []string{GrantClientCredentials},
		Claims:     map[string]any{"tenant": "t-1", "iss": "https://evil.example", "client_id": "evil"}}, "claimy-secret-0123456789")
	now := e.clock.Now()

	code, verifier := e.newCode(codeSpec{scope: "read write"})
	userTok := e.mustTokens(e.redeem(code, verifier, webAuth)).access
	ccTok := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials), postAuth("claimy", "claimy-secret-0123456789"))).access

	for _, tt := range []struct {
		name, tok, sub, client, scope string
		extra                         map[string]any
		selfContained                 bool // rule 109: the jti names a lease
	}{
		{"authorization_code", userTok, aliceSub, webID, "read write", map[string]any{"auth_time": float64(now.Unix())}, false},
		{"client_credentials with static claims", ccTok, "claimy", "claimy", "read", map[string]any{"tenant": "t-1"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			header, claims := jwtParts(t, tt.tok)
			if header["typ"] != "at+jwt" || header["alg"] != "RS256" {
				t.Fatalf("header %v", header)
			}
			kid, _ := header["kid"].(string)
			pub := jwksKey(t, e.with(t), kid)
			parts := strings.Split(tt.tok, ".")
			sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
			sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
				t.Fatalf("signature does not verify with the published key: %v", err)
			}
			want := map[string]any{
				"iss": testIssuer, "sub": tt.sub, "aud": "https://api.example.test", "client_id": tt.client,
				"iat": float64(now.Unix()), "exp": float64(now.Add(30 * time.Minute).Unix()), "scope": tt.scope,
			}
			for k, v := range tt.extra {
				want[k] = v
			}
			jti, _ := claims["jti"].(string)
			if tt.selfContained {
				raw, err := base64.RawURLEncoding.DecodeString(jti)
				if err != nil || len(jti) != selfContainedJTILength || len(raw) < 16 {
					t.Fatalf("jti %q is not a lease ID and 16 random bytes", jti)
				}
			} else {
				wantOrderedID(t, jti, now)
			}
			delete(claims, "jti")
			if len(claims) != len(want) {
				t.Errorf("claims %v, want %v", claims, want)
			}
			for k, v := range want {
				if claims[k] != v {
					t.Errorf("claim %s = %v, want %v", k, claims[k], v)
				}
			}
		})
	}
}

// Rule 19 (server side): /protected and /introspect pin the algorithm and
// check signature, iss, aud, exp and typ. Every forged token reuses the jti
// of a live token, so only the forged part can make it fail — the control
// row, re-signed properly, is accepted.
func TestForgedJWTsRefused(t *testing.T) {
	e := newEnv(t)
	good := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials), webAuth)).access
	header, claims := jwtParts(t, good)
	kid := header["kid"].(string)

	sign := func(c map[string]any, typ string, k *keys.Key) string {
		t.Helper()
		s, err := token.Sign(c, k, token.SignOptions{Typ: typ, KID: kid})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	with := func(changes map[string]any) map[string]any {
		c := map[string]any{}
		for k, v := range claims {
			c[k] = v
		}
		for k, v := range changes {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	der, err := x509.MarshalPKIXPublicKey(e.key.Public)
	if err != nil {
		t.Fatal(err)
	}
	pkix := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(e.key.Public.(*rsa.PublicKey))})
	hs256 := func(secret []byte) string {
		in := b64json(t, map[string]any{"alg": "HS256", "typ": "at+jwt", "kid": kid}) + "." + b64json(t, claims)
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(in))
		return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	other, err := keys.Generate(keys.Spec{Type: keys.TypeRSA})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	now := e.clock.Now()

	forged := []struct{ name, tok string }{
		{"alg none", b64json(t, map[string]any{"alg": "none", "typ": "at+jwt", "kid": kid}) + "." + parts[1] + "."},
		{"alg none with the real signature", b64json(t, map[string]any{"alg": "none", "typ": "at+jwt"}) + "." + parts[1] + "." + parts[2]},
		{"HS256 keyed with the PKIX public key", hs256(pkix)},
		{"HS256 keyed with the PKCS#1 public key", hs256(pkcs1)},
		{"HS256 keyed with the DER public key", hs256(der)},
		{"wrong iss", sign(with(map[string]any{"iss": "https://evil.example"}), "at+jwt", e.key)},
		{"iss with a trailing slash", sign(with(map[string]any{"iss": testIssuer + "/"}), "at+jwt", e.key)},
		{"no iss", sign(with(map[string]any{"iss": nil}), "at+jwt", e.key)},
		{"wrong aud", sign(with(map[string]any{"aud": "https://other.example"}), "at+jwt", e.key)},
		{"aud list without ours", sign(with(map[string]any{"aud": []string{"a", "b"}}), "at+jwt", e.key)},
		{"no aud", sign(with(map[string]any{"aud": nil}), "at+jwt", e.key)},
		{"expired", sign(with(map[string]any{"exp": now.Add(-time.Second).Unix()}), "at+jwt", e.key)},
		{"no exp", sign(with(map[string]any{"exp": nil}), "at+jwt", e.key)},
		{"not yet valid", sign(with(map[string]any{"nbf": now.Add(time.Hour).Unix()}), "at+jwt", e.key)},
		{"typ JWT", sign(claims, "JWT", e.key)},
		{"signed by another key with our kid", sign(claims, "at+jwt", other)},
		{"no jti", sign(with(map[string]any{"jti": nil}), "at+jwt", e.key)},
		{"unknown jti", sign(with(map[string]any{"jti": randomToken(16)}), "at+jwt", e.key)},
		{"truncated signature", good[:len(good)-6]},
		{"signature dropped", parts[0] + "." + parts[1] + "."},
		{"two segments", parts[0] + "." + parts[1]},
		{"bit-flipped signature", parts[0] + "." + parts[1] + "." + flip(parts[2], 10)},
		{"bit-flipped claims", parts[0] + "." + flip(parts[1], 12) + "." + parts[2]},
		{"bit-flipped header", flip(parts[0], 5) + "." + parts[1] + "." + parts[2]},
		{"trailing garbage", good + "x"},
	}
	t.Run("control: the same claims re-signed are accepted", func(t *testing.T) {
		e := e.with(t)
		for _, tok := range []string{good, sign(claims, "at+jwt", e.key), sign(with(map[string]any{"aud": []string{"x", testIssuer}}), "at+jwt", e.key)} {
			e.wantActive(tok)
			e.wantProtectedOK(tok)
		}
	})
	for _, tt := range forged {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			e.wantInactive(tt.tok)
			e.wantProtectedRefused(tt.tok)
		})
	}
}

// Rule 20: the JWKS publishes public members only, each kid is the RFC 7638
// thumbprint (computed here by hand), and the RFC's own example key gets
// the RFC's thumbprint.
func TestJWKS(t *testing.T) {
	rfcKey, err := keys.ParseJWK([]byte(`{"kty":"RSA","e":"AQAB","n":"` + rfc7638N + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withExtraKeys(rfcKey))
	r := e.get("/jwks.json", nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/jwk-set+json" {
		t.Fatalf("status %d Content-Type %q", r.status, r.header.Get("Content-Type"))
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(r.body, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 2 {
		t.Fatalf("%d keys, want 2: %s", len(set.Keys), r.body)
	}
	signerKid := e.key.KeyID()
	var kids []string
	for _, k := range set.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k", "oth"} {
			if _, has := k[private]; has {
				t.Errorf("JWK %v has the private member %q", k["kid"], private)
			}
		}
		canonical := `{"e":"` + k["e"].(string) + `","kty":"RSA","n":"` + k["n"].(string) + `"}`
		sum := sha256.Sum256([]byte(canonical))
		if want := base64.RawURLEncoding.EncodeToString(sum[:]); k["kid"] != want {
			t.Errorf("kid %v, want the thumbprint %s", k["kid"], want)
		}
		if k["alg"] != "RS256" || k["use"] != "sig" || k["kty"] != "RSA" {
			t.Errorf("JWK %v", k)
		}
		kids = append(kids, k["kid"].(string))
	}
	if kids[0] != signerKid || kids[1] != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Fatalf("kids %v", kids)
	}
}

// Rule 35: the key set refuses an RSA key below 2048 bits.
func TestKeySetRefusesSmallRSA(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewKeySet(&keys.Key{Public: &small.PublicKey, Private: small}); err == nil || !strings.Contains(err.Error(), "2048") {
		t.Fatalf("a 1024-bit key was accepted or the error does not say why: %v", err)
	}
}

const rfc7638N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
