package keys

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
)

// canonicalThumbprint is RFC 7638 §3 computed by the test from a JWK's
// members: the required members in lexicographic order, no whitespace,
// SHA-256, base64url.
func canonicalThumbprint(t *testing.T, j *JWK) string {
	t.Helper()
	q := func(s string) string {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	var canon string
	switch j.Kty {
	case "RSA":
		canon = `{"e":` + q(j.E) + `,"kty":"RSA","n":` + q(j.N) + `}`
	case "EC":
		canon = `{"crv":` + q(j.Crv) + `,"kty":"EC","x":` + q(j.X) + `,"y":` + q(j.Y) + `}`
	case "OKP":
		canon = `{"crv":` + q(j.Crv) + `,"kty":"OKP","x":` + q(j.X) + `}`
	default:
		t.Fatalf("re-encoded JWK has kty %q", j.Kty)
	}
	sum := sha256.Sum256([]byte(canon))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// reparse marshals j and parses it back as a single JWK.
func reparse(t *testing.T, j *JWK) (*Key, []byte) {
	t.Helper()
	if j.K != "" {
		t.Fatal("re-encoded JWK carries a symmetric secret")
	}
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseJWK(b)
	if err != nil {
		t.Fatalf("re-encoded JWK does not parse: %v\n%s", err, b)
	}
	return k, b
}

// FuzzJWKRoundTrip: any JWK that parses re-encodes (public, and private
// when it has a private half) to a JWK that parses to the same public key,
// the same RFC 7638 thumbprint (checked against the test's own canonical
// form), the same kid, alg and use, and the same private key; encoding the
// result again gives the same bytes.
func FuzzJWKRoundTrip(f *testing.F) {
	f.Add([]byte(rfc7638Key))
	f.Add([]byte(`{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1","use":"sig","alg":"ES256"}`))
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	f.Add([]byte(`{"kty":"RSA","n":"AA","e":"AQAB"}`))
	f.Add([]byte(`{"kty":"oct","k":"c2VjcmV0"}`))
	for _, file := range []string{"p256.pkcs8.pem", "p384.pkcs8.pem", "p521.pkcs8.pem", "ed25519.pkcs8.pem", "rsa2048.pkcs8.pem"} {
		ks, err := Parse(mustRead(f, file))
		if err != nil {
			f.Fatal(err)
		}
		ks[0].Use = "sig"
		for _, enc := range []func() (*JWK, error){ks[0].PublicJWK, ks[0].PrivateJWK} {
			j, err := enc()
			if err != nil {
				f.Fatal(err)
			}
			b, _ := json.Marshal(j)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseJWK(data)
		if err != nil {
			return
		}
		tp, err := Thumbprint(k.Public)
		if err != nil {
			t.Fatalf("parsed key has no thumbprint: %v", err)
		}
		pub, err := k.PublicJWK()
		if err != nil {
			t.Fatalf("PublicJWK: %v", err)
		}
		if pub.IsPrivate() {
			t.Fatal("PublicJWK has private members")
		}
		if got := canonicalThumbprint(t, pub); got != tp {
			t.Fatalf("Thumbprint %s, RFC 7638 over the re-encoded members gives %s", tp, got)
		}
		encodings := []*JWK{pub}
		if k.Private != nil {
			priv, err := k.PrivateJWK()
			if err != nil {
				t.Fatalf("PrivateJWK: %v", err)
			}
			encodings = append(encodings, priv)
		}
		for _, j := range encodings {
			k2, b := reparse(t, j)
			if !k2.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public) {
				t.Fatalf("public key changed through %s", b)
			}
			if tp2, err := Thumbprint(k2.Public); err != nil || tp2 != tp {
				t.Fatalf("thumbprint %s became %s (%v)", tp, tp2, err)
			}
			if k2.KeyID() != k.KeyID() || k2.Algorithm() != k.Algorithm() || k2.Use != k.Use {
				t.Fatalf("kid/alg/use %q/%q/%q became %q/%q/%q", k.KeyID(), k.Algorithm(), k.Use, k2.KeyID(), k2.Algorithm(), k2.Use)
			}
			switch {
			case j.IsPrivate() && k2.Private == nil:
				t.Fatalf("private JWK parsed without its private key: %s", b)
			case j.IsPrivate() && !k2.Private.(interface{ Equal(crypto.PrivateKey) bool }).Equal(k.Private):
				t.Fatalf("private key changed through %s", b)
			case !j.IsPrivate() && k2.Private != nil:
				t.Fatalf("public JWK parsed with a private key: %s", b)
			}
			again := pub
			if j.IsPrivate() {
				if again, err = k2.PrivateJWK(); err != nil {
					t.Fatal(err)
				}
			} else if again, err = k2.PublicJWK(); err != nil {
				t.Fatal(err)
			}
			if b2, _ := json.Marshal(again); !bytes.Equal(b, b2) {
				t.Fatalf("encoding is not stable:\n%s\n%s", b, b2)
			}
		}
	})
}
