package conformance

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
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Rules 18–21: JWT access tokens, their verification, the JWKS, discovery.

func TestRule18_JWTAccessTokensFollowRFC9068(t *testing.T) {
	s := shared(t)
	kids := jwksKeys(t, s)
	for name, tok := range map[string]string{
		"password":           s.passwordTokens(t, "read write").str("access_token"),
		"client_credentials": mustTokens(t, s.token(t, asPost, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}), "cc").str("access_token"),
		"authorization_code": mustTokens(t, s.redeem(t, asBasic, s.getCode(t, basicID, appCB, "read", false)), "code").str("access_token"),
	} {
		t.Run(name, func(t *testing.T) {
			h, c := jwtParts(t, tok)
			if h["typ"] != "at+jwt" {
				t.Errorf("typ %v, want at+jwt", h["typ"])
			}
			if kid, _ := h["kid"].(string); kids[kid] == nil {
				t.Errorf("kid %v is not in the JWKS", h["kid"])
			}
			if h["alg"] == "none" || h["alg"] == "" {
				t.Errorf("alg %v", h["alg"])
			}
			for _, k := range []string{"iss", "sub", "aud", "client_id", "iat", "exp", "jti", "scope"} {
				if _, ok := c[k]; !ok {
					t.Errorf("claim %s missing: %v", k, c)
				}
			}
			if c["iss"] != s.url {
				t.Errorf("iss %v, want %s", c["iss"], s.url)
			}
			if exp, iat := c["exp"].(float64), c["iat"].(float64); exp <= iat {
				t.Errorf("exp %v not after iat %v", exp, iat)
			}
		})
	}
}

// jwksKeys fetches the JWKS and returns its keys by kid.
func jwksKeys(t *testing.T, s *server) map[string]map[string]any {
	t.Helper()
	a := s.do(t, http.MethodGet, "/jwks.json", nil, nil)
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if a.Status != http.StatusOK || json.Unmarshal(a.Body, &set) != nil || len(set.Keys) == 0 {
		t.Fatalf("/jwks.json: %s", a)
	}
	out := map[string]map[string]any{}
	for _, k := range set.Keys {
		kid, _ := k["kid"].(string)
		out[kid] = k
	}
	return out
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func jsonB64(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b64url(b)
}

func signRS256(t *testing.T, key *rsa.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	in := jsonB64(t, header) + "." + jsonB64(t, claims)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + b64url(sig)
}

func signHS256(t *testing.T, secret []byte, header, claims map[string]any) string {
	t.Helper()
	in := jsonB64(t, header) + "." + jsonB64(t, claims)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return in + "." + b64url(m.Sum(nil))
}

// wantRejected checks that every verifier of the server refuses tok.
func wantRejected(t *testing.T, s *server, tok string) {
	t.Helper()
	if s.active(t, tok) {
		t.Errorf("/introspect says active")
	}
	for _, path := range []string{"/protected", "/userinfo"} {
		a := s.do(t, http.MethodGet, path, http.Header{"Authorization": {"Bearer " + tok}}, nil)
		if a.Status != http.StatusUnauthorized || a.str("error") != "invalid_token" {
			t.Errorf("%s: %s, want 401 invalid_token", path, a)
		}
		if !strings.Contains(a.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate %q", path, a.Header.Get("WWW-Authenticate"))
		}
	}
}

func TestRule19_VerifiersRejectForgedTokens(t *testing.T) {
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "sign.pem")
	writeFile(t, keyPath, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	s := startServer(t, baseConfig, "--key", keyPath)

	good := s.passwordTokens(t, "read").str("access_token")
	if !s.active(t, good) {
		t.Fatal("a fresh token is not active")
	}
	h, c := jwtParts(t, good)
	with := func(m map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for kk, vv := range m {
			out[kk] = vv
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	jwk := jwksKeys(t, s)[h["kid"].(string)]
	jwkJSON, _ := json.Marshal(jwk)
	parts := strings.Split(good, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	flipped := append([]byte(nil), sig...)
	flipped[len(flipped)/2] ^= 0x01
	past := float64(time.Now().Add(-time.Hour).Unix())
	cases := map[string]string{
		"alg none":                       jsonB64(t, with(h, "alg", "none")) + "." + parts[1] + ".",
		"alg none, signature kept":       jsonB64(t, with(h, "alg", "none")) + "." + parts[1] + "." + parts[2],
		"alg NONE":                       jsonB64(t, with(h, "alg", "NONE")) + "." + parts[1] + ".",
		"HS256 keyed with the PEM":       signHS256(t, pubPEM, with(h, "alg", "HS256"), c),
		"HS256 keyed with the JWK":       signHS256(t, jwkJSON, with(h, "alg", "HS256"), c),
		"HS256 keyed with n":             signHS256(t, key.N.Bytes(), with(h, "alg", "HS256"), c),
		"missing exp":                    signRS256(t, key, h, with(c, "exp", nil)),
		"wrong iss":                      signRS256(t, key, h, with(c, "iss", "http://evil.example")),
		"iss with trailing slash":        signRS256(t, key, h, with(c, "iss", s.url+"/")),
		"wrong aud":                      signRS256(t, key, h, with(c, "aud", "https://other.example")),
		"aud list without ours":          signRS256(t, key, h, with(c, "aud", []string{"https://a.example", "https://b.example"})),
		"expired":                        signRS256(t, key, h, with(c, "exp", past)),
		"typ JWT (an ID token)":          signRS256(t, key, with(h, "typ", "JWT"), c),
		"unknown kid, another key":       signRS256(t, mustKey(t), with(h, "kid", "nope"), c),
		"truncated signature":            good[:len(good)-4],
		"truncated to two parts":         parts[0] + "." + parts[1],
		"bit-flipped signature":          parts[0] + "." + parts[1] + "." + b64url(flipped),
		"payload changed":                parts[0] + "." + jsonB64(t, with(c, "scope", "read write admin")) + "." + parts[2],
		"signature of another key":       signRS256(t, mustKey(t), h, c),
		"PS256 header, RS256 signature":  jsonB64(t, with(h, "alg", "PS256")) + "." + parts[1] + "." + parts[2],
		"extra part":                     good + ".x",
		"padded base64":                  good + "==",
		"garbage":                        "not-a-token",
		"8 KiB + 1 of a valid-looking":   good + strings.Repeat("A", 8<<10+1-len(good)),
		"exp as string":                  signRS256(t, key, h, with(c, "exp", "9999999999")),
		"nbf in the future":              signRS256(t, key, h, with(c, "nbf", float64(time.Now().Add(time.Hour).Unix()))),
		"critical header":                signRS256(t, key, with(h, "crit", []string{"x"}), with(c, "x", 1)),
		"jku header to elsewhere":        signRS256(t, mustKey(t), with(h, "jku", "https://evil.example/jwks.json"), c),
		"embedded jwk of another key":    signRS256(t, mustKey(t), with(h, "jwk", map[string]any{"kty": "RSA", "n": b64url(big.NewInt(3).Bytes()), "e": "AQAB"}), c),
		"expired and bit-flipped":        tamper(signRS256(t, key, h, with(c, "exp", past))),
		"client_credentials, wrong type": signRS256(t, key, with(h, "typ", "application/jwt"), c),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) { wantRejected(t, s, tok) })
	}
	t.Run("expired and badly signed is reported as badly signed", func(t *testing.T) {
		tok := tamper(signRS256(t, key, h, with(c, "exp", past)))
		cmd := exec.Command(suite.bin, "jwt", "verify", tok, "--jwks", s.url+"/jwks.json", "--iss", s.url, "--aud", c["aud"].(string))
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("jwt verify accepted it:\n%s", out)
		}
		if !strings.Contains(strings.ToLower(string(out)), "signature") || strings.Contains(strings.ToLower(string(out)), "expired") {
			t.Errorf("jwt verify says %q, want a signature error and no word of expiry", out)
		}
	})
	t.Run("the genuine token still passes", func(t *testing.T) {
		if !s.active(t, good) {
			t.Error("the good token is no longer active")
		}
	})
}

func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[0] ^= 0x80
	return parts[0] + "." + parts[1] + "." + b64url(sig)
}

func mustKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRule20_JWKSPublicMembersAndThumbprintKid(t *testing.T) {
	s := shared(t)
	a := s.do(t, http.MethodGet, "/jwks.json", nil, nil)
	if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/jwk-set+json") {
		t.Errorf("Content-Type %q", ct)
	}
	for kid, k := range jwksKeys(t, s) {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
			if _, ok := k[private]; ok {
				t.Errorf("key %s publishes the private member %q", kid, private)
			}
		}
		if k["kty"] != "RSA" {
			t.Fatalf("kty %v (the suite computes RSA thumbprints only)", k["kty"])
		}
		// RFC 7638 §3: members e, kty, n in lexicographic order, no spaces.
		canon := `{"e":"` + k["e"].(string) + `","kty":"RSA","n":"` + k["n"].(string) + `"}`
		sum := sha256.Sum256([]byte(canon))
		if want := b64url(sum[:]); kid != want {
			t.Errorf("kid %q, want the RFC 7638 thumbprint %q", kid, want)
		}
	}
}

func TestRule21_DiscoveryIssuerNeverFromHeaders(t *testing.T) {
	s := shared(t)
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		for name, h := range map[string]http.Header{
			"plain":             nil,
			"X-Forwarded-Host":  {"X-Forwarded-Host": {"evil.example"}, "X-Forwarded-Proto": {"https"}},
			"Forwarded":         {"Forwarded": {"host=evil.example;proto=https"}},
			"X-Forwarded-Port":  {"X-Forwarded-Port": {"444"}, "X-Forwarded-Prefix": {"/evil"}},
			"X-Original-Host":   {"X-Original-Host": {"evil.example"}, "X-Host": {"evil.example"}},
			"Host header":       {"Host": {"evil.example"}},
			"X-Forwarded-Proto": {"X-Forwarded-Proto": {"https"}},
		} {
			t.Run(path+" "+name, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
				for k, v := range h {
					req.Header[k] = v
				}
				if hv := h.Get("Host"); hv != "" {
					req.Host = hv
				}
				resp, err := httpc.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var md map[string]any
				if err := json.NewDecoder(resp.Body).Decode(&md); err != nil || resp.StatusCode != 200 {
					t.Fatalf("%d %v", resp.StatusCode, err)
				}
				raw, _ := json.Marshal(md)
				if strings.Contains(string(raw), "evil") {
					t.Errorf("metadata reflects a request header: %s", raw)
				}
				if md["issuer"] != s.url {
					t.Errorf("issuer %v, want %s", md["issuer"], s.url)
				}
				if m, _ := json.Marshal(md["code_challenge_methods_supported"]); string(m) != `["S256"]` {
					t.Errorf("code_challenge_methods_supported %s", m)
				}
				if md["authorization_response_iss_parameter_supported"] != true {
					t.Errorf("authorization_response_iss_parameter_supported %v", md["authorization_response_iss_parameter_supported"])
				}
				if g, _ := json.Marshal(md["grant_types_supported"]); strings.Contains(string(g), "device_code") || strings.Contains(string(g), "token-exchange") {
					t.Errorf("grant_types_supported %s lists a grant the server does not have", g)
				}
			})
		}
	}
	t.Run("only enabled grants and response types", func(t *testing.T) {
		s2 := startServer(t, "clients:\n  - {id: m, secret: s, grant_types: [client_credentials], scopes: [read]}\n")
		md := s2.do(t, http.MethodGet, "/.well-known/oauth-authorization-server", nil, nil).JSON
		if g, _ := json.Marshal(md["grant_types_supported"]); string(g) != `["client_credentials"]` {
			t.Errorf("grant_types_supported %s, want [\"client_credentials\"]", g)
		}
		if r, _ := json.Marshal(md["response_types_supported"]); strings.Contains(string(r), "token") || strings.Contains(string(r), "code") {
			t.Errorf("response_types_supported %s for a server without a browser client", r)
		}
	})
}
