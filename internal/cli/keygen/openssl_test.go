package keygen

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	keyscmd "github.com/oauthkit/oauthkit/internal/cli/keys"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

// opensslPath returns the openssl binary; missing it fails under CI=true
// and skips loudly elsewhere.
func opensslPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI: openssl is required by the interop tests but is not on PATH")
		}
		t.Skip("SKIPPED: openssl is not on PATH; the openssl interop tests did not run")
	}
	return p
}

func openssl(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(opensslPath(t), args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// opensslPub returns the public key bytes openssl prints with -text: the
// "pub:" hex dump (04||X||Y for EC, the 32 bytes for Ed25519).
func opensslPub(t *testing.T, pubPEM string) []byte {
	t.Helper()
	text := openssl(t, "pkey", "-pubin", "-in", pubPEM, "-noout", "-text")
	m := regexp.MustCompile(`(?s)pub:\s*\n((?:\s+[0-9a-f:]+\n)+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no pub: in openssl output:\n%s", text)
	}
	h := strings.NewReplacer(":", "", " ", "", "\n", "").Replace(m[1])
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// opensslModulus returns the RSA modulus openssl reads from a key file.
func opensslModulus(t *testing.T, args ...string) []byte {
	t.Helper()
	out := openssl(t, append([]string{"rsa", "-noout", "-modulus"}, args...)...)
	h, ok := strings.CutPrefix(strings.TrimSpace(out), "Modulus=")
	if !ok {
		t.Fatalf("openssl rsa -modulus: %q", out)
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func b64d(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// thumbprintFrom computes an RFC 7638 thumbprint by hand from raw members.
func thumbprintFrom(canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func b64e(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// TestKeygenOpenSSLInterop: openssl reads every file keygen writes, and
// the JWK members and kid agree with what openssl sees in the PEM files.
func TestKeygenOpenSSLInterop(t *testing.T) {
	opensslPath(t)
	tests := []struct {
		name string
		args []string
	}{
		{"rsa2048", []string{"--type", "rsa"}},
		{"rsa2048-pkcs1", []string{"--type", "rsa", "--pkcs1"}},
		{"ec-p256", []string{"--type", "ec", "--curve", "P-256"}},
		{"ec-p384", []string{"--type", "ec", "--curve", "P-384"}},
		{"ed25519", []string{"--type", "ed25519"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, _, err := execKeygen(t, nil, append([]string{"--out-dir", dir, "--name", "k"}, tt.args...)...); err != nil {
				t.Fatal(err)
			}
			keyPEM, pubPEM := filepath.Join(dir, "k.key.pem"), filepath.Join(dir, "k.pub.pem")
			openssl(t, "pkey", "-in", keyPEM, "-noout")
			openssl(t, "pkey", "-pubin", "-in", pubPEM, "-noout")

			var jwk map[string]string
			raw, _ := os.ReadFile(filepath.Join(dir, "k.jwk.json"))
			if err := json.Unmarshal(raw, &jwk); err != nil {
				t.Fatal(err)
			}
			var canonical string
			switch jwk["kty"] {
			case "RSA":
				openssl(t, "rsa", "-in", keyPEM, "-noout", "-check") // PKCS#1 and PKCS#8 both open with openssl rsa
				mod := opensslModulus(t, "-in", keyPEM)
				if hex.EncodeToString(mod) != hex.EncodeToString(b64d(t, jwk["n"])) {
					t.Errorf("openssl modulus %x\n differs from the JWK n %x", mod, b64d(t, jwk["n"]))
				}
				if pubMod := opensslModulus(t, "-pubin", "-in", pubPEM); string(pubMod) != string(mod) {
					t.Error("the public PEM holds another modulus")
				}
				canonical = fmt.Sprintf(`{"e":"AQAB","kty":"RSA","n":"%s"}`, b64e(mod))
			case "EC":
				point := opensslPub(t, pubPEM)
				size := (len(point) - 1) / 2
				if point[0] != 4 || b64e(point[1:1+size]) != jwk["x"] || b64e(point[1+size:]) != jwk["y"] {
					t.Errorf("openssl point %x differs from JWK x=%s y=%s", point, jwk["x"], jwk["y"])
				}
				openssl(t, "ec", "-in", keyPEM, "-noout", "-check")
				canonical = fmt.Sprintf(`{"crv":"%s","kty":"EC","x":"%s","y":"%s"}`, jwk["crv"], b64e(point[1:1+size]), b64e(point[1+size:]))
			case "OKP":
				pub := opensslPub(t, pubPEM)
				if b64e(pub) != jwk["x"] {
					t.Errorf("openssl public key %x differs from the JWK x %s", pub, jwk["x"])
				}
				canonical = fmt.Sprintf(`{"crv":"Ed25519","kty":"OKP","x":"%s"}`, b64e(pub))
			}
			if want := thumbprintFrom(canonical); jwk["kid"] != want {
				t.Errorf("kid %s, want the thumbprint of openssl's key %s", jwk["kid"], want)
			}
		})
	}
}

// TestOpenSSLKeysParse: keys generated by openssl genpkey parse, and
// `oauthkit keys thumbprint` gives the kid computed from openssl's view of
// the public key.
func TestOpenSSLKeysParse(t *testing.T) {
	opensslPath(t)
	tests := []struct {
		name string
		args []string
	}{
		{"rsa", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}},
		{"p256", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}},
		{"p521", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"}},
		{"ed25519", []string{"-algorithm", "ED25519"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			keyPEM, pubPEM := filepath.Join(dir, "key.pem"), filepath.Join(dir, "pub.pem")
			openssl(t, append([]string{"genpkey", "-out", keyPEM}, tt.args...)...)
			openssl(t, "pkey", "-in", keyPEM, "-pubout", "-out", pubPEM)

			var canonical string
			switch tt.name {
			case "rsa":
				canonical = fmt.Sprintf(`{"e":"AQAB","kty":"RSA","n":"%s"}`, b64e(opensslModulus(t, "-in", keyPEM)))
			case "p256", "p521":
				point := opensslPub(t, pubPEM)
				size := (len(point) - 1) / 2
				crv := map[string]string{"p256": "P-256", "p521": "P-521"}[tt.name]
				canonical = fmt.Sprintf(`{"crv":"%s","kty":"EC","x":"%s","y":"%s"}`, crv, b64e(point[1:1+size]), b64e(point[1+size:]))
			case "ed25519":
				canonical = fmt.Sprintf(`{"crv":"Ed25519","kty":"OKP","x":"%s"}`, b64e(opensslPub(t, pubPEM)))
			}
			want := thumbprintFrom(canonical) + "\n"
			for _, file := range []string{keyPEM, pubPEM} {
				ios, _, out, _ := iostreams.Test()
				cmd := keyscmd.NewCmdKeys(cmdutil.NewFactory(ios, func(string) string { return "" }))
				cmd.SetArgs([]string{"thumbprint", file})
				cmd.SilenceErrors, cmd.SilenceUsage = true, true
				if err := cmd.Execute(); err != nil {
					t.Fatal(err)
				}
				if out.String() != want {
					t.Errorf("keys thumbprint %s = %q, want %q", filepath.Base(file), out, want)
				}
			}
		})
	}
}
