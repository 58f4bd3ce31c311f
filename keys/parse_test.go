package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// publicOf parses a public-key-only fixture (written by openssl).
func publicOf(t *testing.T, name string) *Key {
	t.Helper()
	ks, err := Parse(readTestdata(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	if len(ks) != 1 || ks[0].Private != nil {
		t.Fatalf("Parse(%s): want one public key, got %d keys", name, len(ks))
	}
	return ks[0]
}

func TestParsePEMFormats(t *testing.T) {
	tests := []struct {
		file        string
		wantType    string
		wantBits    int
		wantCurve   string
		wantPrivate bool
		samePublic  string // fixture holding the same public key
	}{
		{"rsa2048.pkcs8.pem", "rsa", 2048, "", true, "rsa2048.pub.pem"},
		{"rsa2048.pkcs1.pem", "rsa", 2048, "", true, "rsa2048.pub.pem"},
		{"rsa2048.pub.pem", "rsa", 2048, "", false, "rsa2048.pub.pem"},
		{"rsa2048.pkcs1pub.pem", "rsa", 2048, "", false, "rsa2048.pub.pem"},
		{"rsa2048.cert.pem", "rsa", 2048, "", false, "rsa2048.pub.pem"},
		{"p256.sec1.pem", "ec", 256, "P-256", true, "p256.pub.pem"},
		{"p256.pkcs8.pem", "ec", 256, "P-256", true, "p256.pub.pem"},
		{"p256.pub.pem", "ec", 256, "P-256", false, "p256.pub.pem"},
		{"p384.pkcs8.pem", "ec", 384, "P-384", true, "p384.pub.pem"},
		{"p521.pkcs8.pem", "ec", 521, "P-521", true, "p521.pub.pem"},
		{"ed25519.pkcs8.pem", "ed25519", 256, "", true, "ed25519.pub.pem"},
		{"ed25519.pub.pem", "ed25519", 256, "", false, "ed25519.pub.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ks, err := Parse(readTestdata(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(ks) != 1 {
				t.Fatalf("got %d keys, want 1", len(ks))
			}
			k := ks[0]
			typ, bits, curve := Info(k.Public)
			if typ != tt.wantType || bits != tt.wantBits || curve != tt.wantCurve {
				t.Errorf("Info = %q, %d, %q; want %q, %d, %q", typ, bits, curve, tt.wantType, tt.wantBits, tt.wantCurve)
			}
			if k.IsPrivate() != tt.wantPrivate {
				t.Errorf("IsPrivate = %v, want %v", k.IsPrivate(), tt.wantPrivate)
			}
			if k.Private != nil && !publicEqual(k.Private.Public(), k.Public) {
				t.Error("Private.Public() differs from Public")
			}
			want := publicOf(t, tt.samePublic)
			if !publicEqual(k.Public, want.Public) {
				t.Errorf("public key differs from %s", tt.samePublic)
			}
			if k.KID != "" || k.Alg != "" || k.Use != "" {
				t.Errorf("PEM key has KID/Alg/Use %q/%q/%q, want empty", k.KID, k.Alg, k.Use)
			}
		})
	}
}

func publicEqual(a, b any) bool {
	switch p := a.(type) {
	case *rsa.PublicKey:
		return p.Equal(b)
	case *ecdsa.PublicKey:
		return p.Equal(b)
	case ed25519.PublicKey:
		return p.Equal(b)
	}
	return false
}

func TestParseMultiplePEMBlocks(t *testing.T) {
	data := "# comment before\n" + string(readTestdata(t, "rsa2048.pub.pem")) + "text between\n" +
		string(readTestdata(t, "ed25519.pkcs8.pem")) + string(readTestdata(t, "p384.pub.pem"))
	ks, err := Parse([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range ks {
		typ, _, _ := Info(k.Public)
		got = append(got, typ)
	}
	if strings.Join(got, ",") != "rsa,ed25519,ec" {
		t.Errorf("types = %v, want rsa,ed25519,ec in input order", got)
	}
	if !ks[1].IsPrivate() || ks[0].IsPrivate() {
		t.Error("only the second key is private")
	}
}

func TestParseErrors(t *testing.T) {
	rsaPub := string(readTestdata(t, "rsa2048.pub.pem"))
	tests := []struct {
		name    string
		input   string
		wantErr error  // errors.Is target, or nil
		wantMsg string // substring of the message
	}{
		{"empty", "", ErrNotAKey, "the input is empty"},
		{"blank", " \n\t", ErrNotAKey, "the input is empty"},
		{"garbage", "hello world", ErrNotAKey, "not a key: expected PEM, a JWK or a JWKS"},
		{"binary garbage", "\x00\x01\x02\xff", ErrNotAKey, "not a key"},
		{"broken PEM", "-----BEGIN PUBLIC KEY-----\nnot base64!!\n-----END PUBLIC KEY-----\n", ErrNotAKey, "no PEM key block found"},
		{"PEM with bad DER", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", nil, "invalid public key: malformed DER data"},
		{"cert with bad DER", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", nil, "invalid certificate: malformed certificate"},
		{"PKCS8 bad DER", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", nil, "invalid PKCS#8 private key"},
		{"rsa 1024 private", string(readTestdata(t, "rsa1024.pkcs8.pem")), ErrKeyTooSmall, "RSA key too small: 1024 bits, at least 2048 required"},
		{"rsa 1024 public", string(readTestdata(t, "rsa1024.pub.pem")), ErrKeyTooSmall, "1024 bits"},
		{"encrypted PKCS8", string(readTestdata(t, "p256.encrypted.pem")), ErrEncrypted, "encrypted private keys are not supported"},
		{"legacy encrypted", string(readTestdata(t, "rsa2048.legacy-encrypted.pem")), ErrEncrypted, "decrypt it first"},
		{"secp256k1", string(readTestdata(t, "secp256k1.pkcs8.pem")), ErrUnsupported, "unsupported key: EC curve not supported (supported: P-256, P-384, P-521)"},
		{"x25519", string(readTestdata(t, "x25519.pkcs8.pem")), ErrUnsupported, "unsupported key: X25519 key, which cannot sign"},
		{"csr", string(readTestdata(t, "p256.csr.pem")), ErrUnsupported, `PEM block "CERTIFICATE REQUEST" is not a key`},
		{"second block bad", rsaPub + string(readTestdata(t, "rsa1024.pub.pem")), ErrKeyTooSmall, "PEM block 2 of 2: RSA key too small"},
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
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans several lines", err)
			}
		})
	}
}

func TestParseFile(t *testing.T) {
	ks, err := ParseFile(filepath.Join("testdata", "p384.pub.pem"))
	if err != nil || len(ks) != 1 {
		t.Fatalf("ParseFile = %d keys, %v", len(ks), err)
	}
	_, err = ParseFile(filepath.Join("testdata", "rsa1024.pub.pem"))
	if err == nil || !strings.HasPrefix(err.Error(), "testdata/rsa1024.pub.pem: RSA key too small") {
		t.Errorf("error = %v, want it to name the file", err)
	}
	_, err = ParseFile(filepath.Join(t.TempDir(), "missing.pem"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want not-exist", err)
	}
	big := filepath.Join(t.TempDir(), "big.pem")
	if err := os.WriteFile(big, make([]byte, maxFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseFile(big); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("error = %v, want a size error", err)
	}
}
