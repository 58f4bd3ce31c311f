package keys

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// checkParsed asserts what must hold for every key Parse accepts.
func checkParsed(t *testing.T, ks []*Key) {
	t.Helper()
	for _, k := range ks {
		if err := checkPublic(k.Public); err != nil {
			t.Fatalf("accepted a key that fails checkPublic: %v", err)
		}
		tp, err := Thumbprint(k.Public)
		if err != nil {
			t.Fatalf("accepted key without thumbprint: %v", err)
		}
		if k.Private != nil && !publicEqual(k.Private.Public(), k.Public) {
			t.Fatal("private key does not match public key")
		}
		j, err := k.PublicJWK()
		if err != nil {
			t.Fatalf("PublicJWK: %v", err)
		}
		if j.IsPrivate() {
			t.Fatal("PublicJWK has private members")
		}
		b, _ := json.Marshal(j)
		back, err := Parse(b)
		if err != nil || len(back) != 1 {
			t.Fatalf("re-parsing %s: %v", b, err)
		}
		if tp2, _ := Thumbprint(back[0].Public); tp2 != tp {
			t.Fatal("thumbprint changed through the JWK")
		}
		if _, err := EncodePublicPEM(k.Public); err != nil {
			t.Fatalf("EncodePublicPEM: %v", err)
		}
	}
}

func FuzzParseJWK(f *testing.F) {
	f.Add([]byte(rfc7638Key))
	f.Add([]byte(`{"kty":"oct","k":"c2VjcmV0"}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":[null,{}]}`))
	for _, file := range []string{"p256.pkcs8.pem", "ed25519.pkcs8.pem"} {
		ks, err := Parse(mustRead(f, file))
		if err != nil {
			f.Fatal(err)
		}
		j, _ := ks[0].PrivateJWK()
		b, _ := json.Marshal(j)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := Parse(data)
		if err != nil {
			if ks != nil {
				t.Fatal("keys returned with an error")
			}
			return
		}
		checkParsed(t, ks)
	})
}

func FuzzParsePEM(f *testing.F) {
	for _, file := range []string{"rsa2048.pkcs1pub.pem", "p256.sec1.pem", "ed25519.pkcs8.pem", "ed25519.pub.pem", "p256.encrypted.pem", "rsa2048.cert.pem"} {
		f.Add(mustRead(f, file))
	}
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("-----BEGIN FOO-----\n-----END FOO-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := Parse(data)
		if err != nil {
			if ks != nil {
				t.Fatal("keys returned with an error")
			}
			return
		}
		checkParsed(t, ks)
	})
}

func mustRead(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}
