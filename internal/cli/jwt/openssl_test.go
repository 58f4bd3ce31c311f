package jwt

import (
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needOpenSSL returns the openssl path; missing openssl fails under CI=true
// and skips (loudly) elsewhere.
func needOpenSSL(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl is required for the cross-checks (CI=true) but is not installed")
		}
		t.Skip("SKIPPED: openssl not found on PATH; the independent JWT cross-checks did not run")
	}
	return p
}

func openssl(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// ecdsaSig is the DER form of an ECDSA signature.
type ecdsaSig struct{ R, S *big.Int }

// TestSignVerifiesWithOpenSSL: tokens from `jwt sign` verify with openssl.
func TestSignVerifiesWithOpenSSL(t *testing.T) {
	bin := needOpenSSL(t)
	e := newEnv(t)
	rsa, ec, ed := e.writeKey(t, "rsa"), e.writeKey(t, "ec256"), e.writeKey(t, "ed25519")
	tests := []struct {
		alg    string
		key    keyFiles
		verify func(pub, input, sig string) []string
		toDER  bool
	}{
		{"RS256", rsa, func(pub, input, sig string) []string {
			return []string{"dgst", "-sha256", "-verify", pub, "-signature", sig, input}
		}, false},
		{"PS256", rsa, func(pub, input, sig string) []string {
			return []string{"dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest", "-verify", pub, "-signature", sig, input}
		}, false},
		{"ES256", ec, func(pub, input, sig string) []string {
			return []string{"dgst", "-sha256", "-verify", pub, "-signature", sig, input}
		}, true},
		{"EdDSA", ed, func(pub, input, sig string) []string {
			return []string{"pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", input, "-sigfile", sig}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			tok := e.sign(t, "--key", tt.key.priv, "--alg", tt.alg, "--sub", "alice")
			i := strings.LastIndexByte(tok, '.')
			sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
			if err != nil {
				t.Fatal(err)
			}
			if tt.toDER {
				if len(sig) != 64 {
					t.Fatalf("ES256 signature of %d bytes, want 64 (r||s)", len(sig))
				}
				sig, err = asn1.Marshal(ecdsaSig{new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])})
				if err != nil {
					t.Fatal(err)
				}
			}
			dir := t.TempDir()
			input, sigFile := filepath.Join(dir, "input"), filepath.Join(dir, "sig.bin")
			os.WriteFile(input, []byte(tok[:i]), 0o600)
			os.WriteFile(sigFile, sig, 0o600)
			out := openssl(t, bin, tt.verify(tt.key.pub, input, sigFile)...)
			if !strings.Contains(out, "Verified Successfully") && !strings.Contains(out, "Verified OK") {
				t.Fatalf("openssl: %s", out)
			}
			// And a flipped byte makes openssl refuse it.
			sig[len(sig)/2] ^= 0x01
			os.WriteFile(sigFile, sig, 0o600)
			if out, err := exec.Command(bin, tt.verify(tt.key.pub, input, sigFile)...).CombinedOutput(); err == nil {
				t.Fatalf("openssl accepted a flipped signature: %s", out)
			}
		})
	}
}

// TestOpenSSLTokensVerify: tokens built and signed by openssl verify with
// `jwt verify`, and fail once one byte of the signature flips.
func TestOpenSSLTokensVerify(t *testing.T) {
	bin := needOpenSSL(t)
	e := newEnv(t)
	dir := t.TempDir()
	rsaKey, ecKey := filepath.Join(dir, "rsa.pem"), filepath.Join(dir, "ec.pem")
	openssl(t, bin, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsaKey)
	openssl(t, bin, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ecKey)
	rsaPub, ecPub := filepath.Join(dir, "rsa.pub.pem"), filepath.Join(dir, "ec.pub.pem")
	openssl(t, bin, "pkey", "-in", rsaKey, "-pubout", "-out", rsaPub)
	openssl(t, bin, "pkey", "-in", ecKey, "-pubout", "-out", ecPub)
	claims := seg(`{"iss":"https://openssl.test","sub":"alice","aud":"api","iat":1795427900,"exp":1795428600}`)
	tests := []struct {
		alg, key, pub string
		signArgs      []string
		fromDER       bool
		verifyArgs    []string
	}{
		{"RS256", rsaKey, rsaPub, nil, false, nil},
		{"PS256", rsaKey, rsaPub, []string{"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"}, false, []string{"--alg", "PS256"}},
		{"ES256", ecKey, ecPub, nil, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			input := seg(`{"alg":"`+tt.alg+`","typ":"JWT"}`) + "." + claims
			inFile, sigFile := filepath.Join(dir, tt.alg+".in"), filepath.Join(dir, tt.alg+".sig")
			os.WriteFile(inFile, []byte(input), 0o600)
			args := append([]string{"dgst", "-sha256", "-sign", tt.key}, tt.signArgs...)
			openssl(t, bin, append(args, "-out", sigFile, inFile)...)
			sig, err := os.ReadFile(sigFile)
			if err != nil {
				t.Fatal(err)
			}
			if tt.fromDER {
				var s ecdsaSig
				if _, err := asn1.Unmarshal(sig, &s); err != nil {
					t.Fatal(err)
				}
				sig = make([]byte, 64)
				s.R.FillBytes(sig[:32])
				s.S.FillBytes(sig[32:])
			}
			tok := input + "." + base64.RawURLEncoding.EncodeToString(sig)
			verify := append([]string{"verify", tok, "--key", tt.pub, "--iss", "https://openssl.test", "--aud", "api"}, tt.verifyArgs...)
			if code, err := e.run(verify...); code != 0 {
				t.Fatalf("jwt verify of an openssl token: exit %d: %v", code, err)
			}
			if !strings.Contains(e.out.String(), `"iss": "https://openssl.test"`) {
				t.Fatalf("stdout %q", e.out)
			}
			sig[7] ^= 0x04
			verify[1] = input + "." + base64.RawURLEncoding.EncodeToString(sig)
			code, err := e.run(verify...)
			if code != 1 || err == nil || !strings.HasPrefix(err.Error(), "token signature is invalid (alg "+tt.alg) {
				t.Fatalf("flipped byte: exit %d, err %v", code, err)
			}
		})
	}
}
