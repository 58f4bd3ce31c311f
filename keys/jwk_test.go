package keys

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

// rfc7638Key is the RSA key of RFC 7638 §3.1.
const rfc7638Key = `{
  "kty": "RSA",
  "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
  "e": "AQAB",
  "alg": "RS256",
  "kid": "2011-04-29"
}`

func TestThumbprintRFC7638(t *testing.T) {
	k, err := ParseJWK([]byte(rfc7638Key))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Thumbprint(k.Public)
	if err != nil {
		t.Fatal(err)
	}
	if want := "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("Thumbprint = %s, want %s", got, want)
	}
	if k.KeyID() != "2011-04-29" || k.Algorithm() != "RS256" {
		t.Errorf("KeyID/Algorithm = %q/%q, want the JWK's", k.KeyID(), k.Algorithm())
	}
	k.KID = ""
	if k.KeyID() != got {
		t.Errorf("KeyID without kid = %q, want the thumbprint", k.KeyID())
	}
	canon, _ := CanonicalJWK(k.Public)
	if !strings.HasPrefix(string(canon), `{"e":"AQAB","kty":"RSA","n":"0vx7agoeb`) || strings.ContainsAny(string(canon), " \n") {
		t.Errorf("CanonicalJWK = %s", canon)
	}
}

// fixtureJWKs converts the PEM fixtures to private JWKs (with our encoder).
func fixtureJWK(t *testing.T, file string) *JWK {
	t.Helper()
	ks, err := Parse(readTestdata(t, file))
	if err != nil {
		t.Fatal(err)
	}
	j, err := PrivateJWK(ks[0].Private)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestJWKRoundTrip(t *testing.T) {
	for _, file := range []string{"rsa2048.pkcs8.pem", "p256.pkcs8.pem", "p384.pkcs8.pem", "p521.pkcs8.pem", "ed25519.pkcs8.pem"} {
		t.Run(file, func(t *testing.T) {
			orig, err := Parse(readTestdata(t, file))
			if err != nil {
				t.Fatal(err)
			}
			k := orig[0]
			k.Use = "sig"
			priv, err := k.PrivateJWK()
			if err != nil {
				t.Fatal(err)
			}
			pub, err := k.PublicJWK()
			if err != nil {
				t.Fatal(err)
			}
			if pub.IsPrivate() || strings.Contains(marshal(t, pub), `"d"`) {
				t.Errorf("public JWK carries private members: %s", marshal(t, pub))
			}
			if pub.Kid != k.KeyID() || pub.Alg != DefaultAlg(k.Public) || pub.Use != "sig" {
				t.Errorf("public JWK kid/alg/use = %q/%q/%q", pub.Kid, pub.Alg, pub.Use)
			}
			for name, j := range map[string]*JWK{"private": priv, "public": pub} {
				ks, err := Parse([]byte(marshal(t, j)))
				if err != nil {
					t.Fatalf("%s JWK: %v", name, err)
				}
				back := ks[0]
				if !publicEqual(back.Public, k.Public) {
					t.Errorf("%s JWK: public key changed", name)
				}
				if (back.Private != nil) != (name == "private") {
					t.Errorf("%s JWK: private = %v", name, back.Private != nil)
				}
				if back.Private != nil && !publicEqual(back.Private.Public(), k.Public) {
					t.Errorf("%s JWK: private key does not match", name)
				}
				if back.KID != k.KeyID() || back.Use != "sig" || back.Alg != DefaultAlg(k.Public) {
					t.Errorf("%s JWK: kid/alg/use = %q/%q/%q", name, back.KID, back.Alg, back.Use)
				}
			}
			// PEM round trip of what came back from the JWK.
			p8, err := EncodePKCS8(k.Private)
			if err != nil {
				t.Fatal(err)
			}
			spki, err := EncodePublicPEM(k.Public)
			if err != nil {
				t.Fatal(err)
			}
			both, err := Parse(append(p8, spki...))
			if err != nil || len(both) != 2 || !publicEqual(both[0].Public, k.Public) || !publicEqual(both[1].Public, k.Public) {
				t.Errorf("PEM round trip: %d keys, %v", len(both), err)
			}
		})
	}
}

func TestParseJWKS(t *testing.T) {
	rsaJ := fixtureJWK(t, "rsa2048.pkcs8.pem")
	edJ := fixtureJWK(t, "ed25519.pkcs8.pem")
	edJ.Kid = "ed"
	set := marshal(t, JWKS{Keys: []*JWK{rsaJ, edJ}})
	ks, err := Parse([]byte(set))
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 2 || ks[1].KID != "ed" || ks[0].KID != "" {
		t.Fatalf("got %d keys, kids %q", len(ks), []string{ks[0].KID, ks[1].KID})
	}
	if typ, _, _ := Info(ks[0].Public); typ != "rsa" {
		t.Errorf("first key is %s, want rsa", typ)
	}
}

func TestParseJWKErrors(t *testing.T) {
	p256 := fixtureJWK(t, "p256.pkcs8.pem")
	rsaJ := fixtureJWK(t, "rsa2048.pkcs8.pem")
	ed := fixtureJWK(t, "ed25519.pkcs8.pem")
	small := fixtureJWK(t, "rsa2048.pkcs8.pem")
	// PublicJWK refuses small keys, so build the 1024-bit JWK by hand.
	block, _ := pem.Decode(readTestdata(t, "rsa1024.pub.pem"))
	smallPub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sp := smallPub.(*rsa.PublicKey)
	sj := &JWK{Kty: "RSA", N: b64(sp.N.Bytes()), E: "AQAB"}
	small.N, small.E, small.D, small.P, small.Q, small.DP, small.DQ, small.QI = sj.N, sj.E, "", "", "", "", "", ""

	mod := func(j *JWK, f func(c *JWK)) string {
		c := *j
		f(&c)
		return marshal(t, &c)
	}
	flip := func(s string) string { // change the first character, staying valid base64url
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	tests := []struct {
		name    string
		input   string
		wantErr error
		wantMsg string
	}{
		{"oct", `{"kty":"oct","k":"c2VjcmV0"}`, ErrSymmetricKey, `symmetric keys (kty "oct") are not supported`},
		{"oct in JWKS", `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`, ErrSymmetricKey, `JWKS key 1 of 1: symmetric keys`},
		{"no kty", `{"n":"AQAB"}`, nil, `invalid JWK: missing "kty"`},
		{"unknown kty", `{"kty":"XYZ"}`, ErrUnsupported, `JWK kty "XYZ"`},
		{"rsa 1024", marshal(t, sj), ErrKeyTooSmall, "RSA key too small: 1024 bits"},
		{"rsa 1024 private members dropped", mod(small, func(c *JWK) {}), ErrKeyTooSmall, "1024 bits"},
		{"bad base64 n", mod(rsaJ, func(c *JWK) { c.N = "abc+/def" }), nil, `"n" is not base64url without padding`},
		{"padded base64", mod(p256, func(c *JWK) { c.X += "=" }), nil, `"x" is not base64url without padding`},
		{"missing e", mod(rsaJ, func(c *JWK) { c.E = "" }), nil, `missing "e"`},
		{"even e", mod(rsaJ, func(c *JWK) {
			c.E = "AQAA"
			c.D = ""
			c.P = ""
			c.Q = ""
			c.DP = ""
			c.DQ = ""
			c.QI = ""
		}), ErrUnsupported, "invalid RSA public exponent 65536"},
		{"huge e", mod(rsaJ, func(c *JWK) { c.E = "AQAAAAAAAAAA" }), nil, "RSA exponent"},
		{"rsa wrong d", mod(rsaJ, func(c *JWK) { c.D = flip(c.D) }), nil, "invalid JWK: RSA private key"},
		{"rsa wrong p", mod(rsaJ, func(c *JWK) { c.P = flip(c.P) }), nil, `"p" × "q" is not "n"`},
		{"rsa wrong dp", mod(rsaJ, func(c *JWK) { c.DP = flip(c.DP) }), nil, `RSA "dp" does not match`},
		{"rsa d only", mod(rsaJ, func(c *JWK) { c.P, c.Q = "", "" }), nil, `needs "d", "p" and "q"`},
		{"point not on curve", mod(p256, func(c *JWK) { c.Y = flip(c.Y); c.D = "" }), nil, "the point (x, y) is not on P-256"},
		{"ec short x", mod(p256, func(c *JWK) { c.X = c.X[:40] }), nil, `"x" is 30 bytes, want 32`},
		{"ec wrong d", mod(p256, func(c *JWK) { c.D = flip(c.D) }), nil, `EC "d" does not match`},
		{"ec bad curve", mod(p256, func(c *JWK) { c.Crv = "P-192" }), ErrUnsupported, `EC curve "P-192"`},
		{"ec no crv", mod(p256, func(c *JWK) { c.Crv = "" }), nil, `missing "crv"`},
		{"ec with n", mod(p256, func(c *JWK) { c.N = "AQAB" }), nil, "EC key with RSA or oct members"},
		{"ed wrong d", mod(ed, func(c *JWK) { c.D = flip(c.D) }), nil, `Ed25519 "d" does not match "x"`},
		{"ed short x", mod(ed, func(c *JWK) { c.X = "AQAB" }), nil, `"x" is 3 bytes, want 32`},
		{"x25519", mod(ed, func(c *JWK) { c.Crv = "X25519" }), ErrUnsupported, `OKP curve "X25519"`},
		{"wrong member type", `{"kty":"RSA","n":5}`, nil, `invalid JWK: member "n" must be a string, not a number`},
		{"not an object", `{"keys":"x"}`, nil, `invalid JWKS: member "keys" must be a []*keys.JWK`},
		{"truncated", `{"kty":"RSA"`, nil, "invalid JSON"},
		{"empty JWKS", `{"keys":[]}`, ErrNotAKey, "the JWKS holds no keys"},
		{"null in JWKS", `{"keys":[null]}`, nil, "JWKS key 1 of 1: null instead of a JWK"},
		{"second JWKS key bad", `{"keys":[` + marshal(t, rsaJ) + `,{"kty":"oct","k":"AA"}]}`, ErrSymmetricKey, "JWKS key 2 of 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := Parse([]byte(tt.input))
			if err == nil {
				t.Fatalf("Parse succeeded with %d keys, want an error", len(ks))
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
		})
	}
}

// RFC 8037 Appendix A: the Ed25519 key pair and its thumbprint (A.3).
func TestRFC8037Ed25519(t *testing.T) {
	const jwk = `{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`
	k, err := ParseJWK([]byte(jwk))
	if err != nil {
		t.Fatal(err)
	}
	if !k.IsPrivate() {
		t.Error("the private key was not read")
	}
	if got := k.KeyID(); got != "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" {
		t.Errorf("thumbprint %s, want RFC 8037 A.3's", got)
	}
	back, err := PrivateJWK(k.Private)
	if err != nil {
		t.Fatal(err)
	}
	if back.D != "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A" || back.X != "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" {
		t.Errorf("PrivateJWK = %+v", back)
	}
}
