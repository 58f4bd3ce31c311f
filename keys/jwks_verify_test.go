package keys

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

func TestParseVerificationSet(t *testing.T) {
	rsaJ := fixtureJWK(t, "rsa2048.pkcs8.pem")
	pub, err := PublicJWK(mustParse(t, "rsa2048.pkcs8.pem").Public)
	if err != nil {
		t.Fatal(err)
	}
	pub.Kid = "sig"
	enc := *pub
	enc.Kid, enc.Use = "enc-key", "enc"
	// PublicJWK refuses small keys, so build the 1024-bit JWK by hand.
	block, _ := pem.Decode(readTestdata(t, "rsa1024.pub.pem"))
	smallPub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	small := &JWK{Kty: "RSA", Kid: "old", N: b64(smallPub.(*rsa.PublicKey).N.Bytes()), E: "AQAB"}
	oct := &JWK{Kty: "oct", Kid: "h", K: "c2VjcmV0"}
	broken := *pub
	broken.Kid, broken.E = "broken", "!!"

	t.Run("skips what cannot sign", func(t *testing.T) {
		ks, skipped, err := ParseVerificationSet([]byte(marshal(t, JWKS{Keys: []*JWK{oct, &enc, small, pub}})))
		if err != nil {
			t.Fatal(err)
		}
		if len(ks) != 1 || ks[0].KID != "sig" || ks[0].IsPrivate() {
			t.Fatalf("keys %+v", ks)
		}
		want := []string{
			`key 1 of 4 (kid "h"): a symmetric key (kty "oct")`,
			`key 2 of 4 (kid "enc-key"): an encryption key ("use": "enc")`,
			`key 3 of 4 (kid "old"): RSA key too small: 1024 bits, at least 2048 required`,
		}
		if strings.Join(skipped, "\n") != strings.Join(want, "\n") {
			t.Fatalf("skipped\n%s\nwant\n%s", strings.Join(skipped, "\n"), strings.Join(want, "\n"))
		}
	})
	tests := []struct {
		name, data, want string
	}{
		{"malformed supported key", marshal(t, JWKS{Keys: []*JWK{pub, &broken}}), `JWKS key 2 of 2 (kid "broken"): `},
		{"only unusable", marshal(t, JWKS{Keys: []*JWK{oct}}), `the JWKS has no key this tool can verify with (1 skipped: key 1 of 1 (kid "h"): a symmetric key (kty "oct"))`},
		{"empty", `{"keys":[]}`, "the JWKS holds no keys"},
		{"no keys member", marshal(t, rsaJ), `invalid JWKS: no "keys" member`},
		{"null entry", `{"keys":[null]}`, "JWKS key 1 of 1: null instead of a JWK"},
		{"not JSON", `{"keys":`, "invalid JWKS: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, _, err := ParseVerificationSet([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) || ks != nil {
				t.Fatalf("err %v, keys %d; want an error containing %q", err, len(ks), tt.want)
			}
			if tt.name == "only unusable" && !errors.Is(err, ErrNotAKey) {
				t.Fatalf("%v is not ErrNotAKey", err)
			}
		})
	}
}

func mustParse(t *testing.T, file string) *Key {
	t.Helper()
	ks, err := Parse(readTestdata(t, file))
	if err != nil {
		t.Fatal(err)
	}
	return ks[0]
}
