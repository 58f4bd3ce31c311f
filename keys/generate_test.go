package keys

import (
	"crypto"
	"errors"
	"strings"
	"testing"
)

func TestGenerateRoundTrip(t *testing.T) {
	tests := []struct {
		spec      Spec
		wantType  string
		wantBits  int
		wantCurve string
		wantAlg   string
	}{
		{Spec{Type: TypeRSA}, "rsa", 2048, "", "RS256"},
		{Spec{Type: TypeRSA, Bits: 3072}, "rsa", 3072, "", "RS256"},
		{Spec{Type: TypeEC}, "ec", 256, "P-256", "ES256"},
		{Spec{Type: TypeEC, Curve: "P-384"}, "ec", 384, "P-384", "ES384"},
		{Spec{Type: TypeEC, Curve: "P-521"}, "ec", 521, "P-521", "ES512"},
		{Spec{Type: TypeEd25519}, "ed25519", 256, "", "EdDSA"},
	}
	for _, tt := range tests {
		t.Run(tt.wantType+tt.wantCurve, func(t *testing.T) {
			k, err := Generate(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			typ, bits, curve := Info(k.Public)
			if typ != tt.wantType || bits != tt.wantBits || curve != tt.wantCurve {
				t.Fatalf("Info = %q %d %q", typ, bits, curve)
			}
			if k.Algorithm() != tt.wantAlg {
				t.Errorf("Algorithm = %q, want %q", k.Algorithm(), tt.wantAlg)
			}
			var encoded [][]byte
			p8, err := EncodePKCS8(k.Private)
			if err != nil {
				t.Fatal(err)
			}
			encoded = append(encoded, p8)
			spki, err := EncodePublicPEM(k.Public)
			if err != nil {
				t.Fatal(err)
			}
			encoded = append(encoded, spki)
			p1, err := EncodePKCS1(k.Private)
			if typ == "rsa" {
				if err != nil || !strings.HasPrefix(string(p1), "-----BEGIN RSA PRIVATE KEY-----\n") {
					t.Fatalf("EncodePKCS1 = %q, %v", p1, err)
				}
				encoded = append(encoded, p1)
			} else if err == nil || !strings.Contains(err.Error(), "PKCS#1 holds RSA keys only") {
				t.Errorf("EncodePKCS1 of %s: err = %v", typ, err)
			}
			if !strings.HasPrefix(string(p8), "-----BEGIN PRIVATE KEY-----\n") || !strings.HasPrefix(string(spki), "-----BEGIN PUBLIC KEY-----\n") {
				t.Errorf("PEM types wrong:\n%s\n%s", p8, spki)
			}
			pj, _ := k.PublicJWK()
			sj, _ := k.PrivateJWK()
			encoded = append(encoded, []byte(marshal(t, pj)), []byte(marshal(t, sj)))
			for i, e := range encoded {
				ks, err := Parse(e)
				if err != nil {
					t.Fatalf("encoding %d: %v", i, err)
				}
				if !publicEqual(ks[0].Public, k.Public) {
					t.Errorf("encoding %d: different public key", i)
				}
				if ks[0].KeyID() != k.KeyID() {
					t.Errorf("encoding %d: kid %q, want %q", i, ks[0].KeyID(), k.KeyID())
				}
				wantPriv := i != 1 && i != len(encoded)-2
				if ks[0].IsPrivate() != wantPriv {
					t.Errorf("encoding %d: private = %v, want %v", i, ks[0].IsPrivate(), wantPriv)
				}
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		spec    Spec
		wantErr error
		wantMsg string
	}{
		{Spec{Type: TypeRSA, Bits: 1024}, ErrKeyTooSmall, "1024 bits, at least 2048 required"},
		{Spec{Type: TypeRSA, Bits: 2047}, ErrKeyTooSmall, "2047 bits"},
		{Spec{Type: TypeRSA, Bits: 5000}, nil, "RSA size 5000 not supported (use 2048, 3072 or 4096)"},
		{Spec{Type: TypeRSA, Curve: "P-256"}, nil, "a curve only applies to EC keys"},
		{Spec{Type: TypeEC, Bits: 2048}, nil, "a size in bits only applies to RSA keys"},
		{Spec{Type: TypeEC, Curve: "P-192"}, ErrUnsupported, `EC curve "P-192"`},
		{Spec{Type: "dsa"}, ErrUnsupported, `key type "dsa" (use rsa, ec or ed25519)`},
	}
	for _, tt := range tests {
		t.Run(tt.wantMsg, func(t *testing.T) {
			_, err := Generate(tt.spec)
			if err == nil {
				t.Fatal("Generate succeeded")
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

func TestAlgs(t *testing.T) {
	pub := func(file string) crypto.PublicKey { return publicOf(t, file).Public }
	rsaK, p256, p384, p521, ed := pub("rsa2048.pub.pem"), pub("p256.pub.pem"), pub("p384.pub.pem"), pub("p521.pub.pem"), pub("ed25519.pub.pem")
	tests := []struct {
		pub     crypto.PublicKey
		alg     string
		wantErr string
	}{
		{rsaK, "RS256", ""}, {rsaK, "RS384", ""}, {rsaK, "RS512", ""},
		{rsaK, "PS256", ""}, {rsaK, "PS384", ""}, {rsaK, "PS512", ""},
		{rsaK, "ES256", `alg "ES256" cannot be used with an RSA key (allowed: RS256, RS384, RS512, PS256, PS384, PS512)`},
		{rsaK, "HS256", `alg "HS256" cannot be used with an RSA key`},
		{rsaK, "none", `alg "none" cannot be used`},
		{rsaK, "rs256", `alg "rs256" cannot be used`},
		{p256, "ES256", ""},
		{p256, "ES384", `alg "ES384" cannot be used with an EC P-256 key (allowed: ES256)`},
		{p384, "ES384", ""}, {p521, "ES512", ""},
		{p521, "ES256", `allowed: ES512`},
		{ed, "EdDSA", ""},
		{ed, "Ed25519", `alg "Ed25519" cannot be used with an Ed25519 key (allowed: EdDSA)`},
		{"not a key", "RS256", "unsupported key: type string"},
	}
	for _, tt := range tests {
		err := CheckAlg(tt.pub, tt.alg)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if (tt.wantErr == "") != (got == "") || !strings.Contains(got, tt.wantErr) {
			t.Errorf("CheckAlg(%T, %q) = %q, want %q", tt.pub, tt.alg, got, tt.wantErr)
		}
	}
	for pub, want := range map[*crypto.PublicKey]string{&rsaK: "RS256", &p256: "ES256", &p384: "ES384", &p521: "ES512", &ed: "EdDSA"} {
		if got := DefaultAlg(*pub); got != want {
			t.Errorf("DefaultAlg(%T) = %q, want %q", *pub, got, want)
		}
	}
	if DefaultAlg("x") != "" {
		t.Error("DefaultAlg of a non-key is not empty")
	}
}
