package keys

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

// fixture is a key written by openssl, in the keys package's testdata.
func fixture(name string) string { return filepath.Join("..", "..", "..", "keys", "testdata", name) }

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(fixture(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rfc7638JWK is the example key of RFC 7638 §3.1.
const rfc7638JWK = `{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`

const rfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

// runKeys runs `oauthkit keys ARGS` with stdin and returns stdout, stderr and the error.
func runKeys(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	f := cmdutil.NewFactory(ios, func(string) string { return "" })
	cmd := NewCmdKeys(f)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	_, err := cmd.ExecuteC()
	return out.String(), errOut.String(), err
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestThumbprint(t *testing.T) {
	rfc := writeTemp(t, "rfc.jwk.json", rfc7638JWK)
	set := writeTemp(t, "set.json", `{"keys":[`+rfc7638JWK+`,`+rfc7638JWK+`]}`)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"jwk file", "", []string{rfc}, rfc7638Thumbprint + "\n"},
		{"stdin", rfc7638JWK, []string{"-"}, rfc7638Thumbprint + "\n"},
		{"jwks, one line per key", "", []string{set}, rfc7638Thumbprint + "\n" + rfc7638Thumbprint + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runKeys(t, tt.stdin, append([]string{"thumbprint"}, tt.args...)...)
			if err != nil || out != tt.want || errOut != "" {
				t.Errorf("got %q, stderr %q, err %v; want %q", out, errOut, err, tt.want)
			}
		})
	}
	// Private and public PEM of one key, and the certificate, give one thumbprint.
	var prints []string
	for _, f := range []string{"rsa2048.pkcs8.pem", "rsa2048.pkcs1.pem", "rsa2048.pub.pem", "rsa2048.pkcs1pub.pem", "rsa2048.cert.pem"} {
		out, _, err := runKeys(t, "", "thumbprint", fixture(f))
		if err != nil || len(out) != 44 {
			t.Fatalf("%s: %q, %v", f, out, err)
		}
		prints = append(prints, out)
	}
	for _, p := range prints[1:] {
		if p != prints[0] {
			t.Errorf("thumbprints differ: %q", prints)
		}
	}
}

func TestPublic(t *testing.T) {
	// The public PEM of each private fixture is byte for byte openssl's.
	for priv, pub := range map[string]string{
		"rsa2048.pkcs8.pem": "rsa2048.pub.pem", "rsa2048.pkcs1.pem": "rsa2048.pub.pem",
		"p256.sec1.pem": "p256.pub.pem", "p384.pkcs8.pem": "p384.pub.pem",
		"p521.pkcs8.pem": "p521.pub.pem", "ed25519.pkcs8.pem": "ed25519.pub.pem",
		"rsa2048.cert.pem": "rsa2048.pub.pem",
	} {
		out, _, err := runKeys(t, "", "public", fixture(priv))
		if err != nil || out != readFixture(t, pub) {
			t.Errorf("public %s = %q, %v; want the content of %s", priv, out, err, pub)
		}
	}

	out, _, err := runKeys(t, rfc7638JWK, "public", "-", "-o", "jwk")
	want := `{
  "kty": "RSA",
  "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
  "e": "AQAB",
  "kid": "2011-04-29",
  "alg": "RS256"
}
`
	if err != nil || out != want {
		t.Errorf("public --format jwk = %q, %v\nwant %q", out, err, want)
	}

	// A private EC key: the JWK has kid = thumbprint, alg ES256, no "d".
	out, _, err = runKeys(t, "", "public", fixture("p256.pkcs8.pem"), "--format", "jwk")
	if err != nil {
		t.Fatal(err)
	}
	var j map[string]string
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	tp, _, _ := runKeys(t, "", "thumbprint", fixture("p256.pub.pem"))
	if j["kid"]+"\n" != tp || j["alg"] != "ES256" || j["crv"] != "P-256" || j["kty"] != "EC" || len(j) != 6 {
		t.Errorf("EC public JWK = %v (thumbprint %s)", j, tp)
	}
}

func TestJWKSMerge(t *testing.T) {
	ed := readFixture(t, "ed25519.pkcs8.pem")
	both := writeTemp(t, "both.pem", readFixture(t, "p256.pkcs8.pem")+ed)
	edAgain := writeTemp(t, "ed.pem", readFixture(t, "ed25519.pub.pem"))
	rfc := writeTemp(t, "rfc.json", rfc7638JWK)
	out, errOut, err := runKeys(t, rfc7638JWK, "jwks", both, "-", edAgain, rfc)
	if err != nil || errOut != "" {
		t.Fatalf("jwks: %v, stderr %q", err, errOut)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal([]byte(out), &set); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range set.Keys {
		got = append(got, k["kty"]+"/"+k["alg"])
		for _, priv := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[priv]; ok {
				t.Errorf("JWKS key %s carries private member %q", k["kid"], priv)
			}
		}
	}
	if strings.Join(got, " ") != "EC/ES256 OKP/EdDSA RSA/RS256" {
		t.Errorf("keys = %v, want EC, OKP, RSA once each in file order", got)
	}
	if set.Keys[2]["kid"] != "2011-04-29" {
		t.Errorf("the JWK's own kid was not kept: %v", set.Keys[2])
	}

	// Same kid for two different keys: refused.
	clash := writeTemp(t, "clash.json", `{"keys":[`+strings.Replace(rfc7638JWK, `"kid":"2011-04-29"`, `"kid":"k1"`, 1)+`]}`)
	otherJWK, _, _ := runKeys(t, "", "public", fixture("rsa2048.pub.pem"), "--format", "jwk")
	other := writeTemp(t, "other.json", strings.Replace(otherJWK, `"kid": "`, `"kid": "k1", "x-old": "`, 1))
	_, _, err = runKeys(t, "", "jwks", clash, other)
	if err == nil || err.Error() != `kid "k1" names two different keys (in `+clash+` and `+other+`)` {
		t.Errorf("error = %v", err)
	}
}

func TestInspect(t *testing.T) {
	tp, _, _ := runKeys(t, "", "thumbprint", fixture("p384.pub.pem"))
	tp = strings.TrimSpace(tp)
	out, _, err := runKeys(t, "", "inspect", fixture("p384.pkcs8.pem"))
	want := "type:        ec\ncurve:       P-384\nkid:         " + tp + "\nthumbprint:  " + tp + "\nalg:         ES384\nprivate:     yes\n"
	if err != nil || out != want {
		t.Errorf("inspect = %q, %v\nwant %q", out, err, want)
	}

	out, _, err = runKeys(t, rfc7638JWK, "inspect", "-", "-o", "json")
	want = `[
  {
    "type": "rsa",
    "bits": 2048,
    "kid": "2011-04-29",
    "thumbprint": "` + rfc7638Thumbprint + `",
    "alg": "RS256",
    "private": false
  }
]
`
	if err != nil || out != want {
		t.Errorf("inspect -o json = %q, %v\nwant %q", out, err, want)
	}

	two := writeTemp(t, "two.pem", readFixture(t, "rsa2048.pub.pem")+readFixture(t, "ed25519.pkcs8.pem"))
	out, _, err = runKeys(t, "", "inspect", two)
	if err != nil || !strings.HasPrefix(out, "key 1 of 2\ntype:        rsa\nbits:        2048\n") ||
		!strings.Contains(out, "private:     no\n\nkey 2 of 2\ntype:        ed25519\n") || !strings.HasSuffix(out, "alg:         EdDSA\nprivate:     yes\n") {
		t.Errorf("inspect of two keys = %q, %v", out, err)
	}
}

func TestKeysErrors(t *testing.T) {
	dir := t.TempDir()
	notKey := writeTemp(t, "notes.txt", "hello")
	oct := writeTemp(t, "oct.json", `{"kty":"oct","k":"c2VjcmV0"}`)
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"missing file", "", []string{"thumbprint", filepath.Join(dir, "nope.pem")}, 2, filepath.Join(dir, "nope.pem") + ": no such file or directory"},
		{"not a key", "", []string{"inspect", notKey}, 1, notKey + ": not a key: expected PEM, a JWK or a JWKS"},
		{"symmetric", "", []string{"public", oct}, 1, oct + `: symmetric keys (kty "oct") are not supported: use an RSA, EC or Ed25519 key pair`},
		{"small RSA", "", []string{"jwks", fixture("rsa1024.pub.pem")}, 1, fixture("rsa1024.pub.pem") + ": RSA key too small: 1024 bits, at least 2048 required"},
		{"encrypted", "", []string{"thumbprint", fixture("p256.encrypted.pem")}, 1, "encrypted private keys are not supported"},
		{"empty stdin", "", []string{"thumbprint", "-"}, 1, "standard input: not a key: expected PEM, a JWK or a JWKS (the input is empty)"},
		{"no args", "", []string{"thumbprint"}, 2, "keys thumbprint takes 1 argument(s), got 0"},
		{"two args", "", []string{"inspect", "a", "b"}, 2, "keys inspect takes 1 argument(s), got 2"},
		{"jwks no args", "", []string{"jwks"}, 2, "keys jwks needs at least 1 argument(s), got 0"},
		{"stdin twice", "", []string{"jwks", "-", "-"}, 2, "standard input (-) can be read only once"},
		{"bad format", "", []string{"public", notKey, "-o", "der"}, 2, `--output "der" is not one of pem, jwk`},
		{"bad output", "", []string{"inspect", notKey, "-o", "yaml"}, 2, `--output "yaml" is not one of text, json`},
		{"jwk of two keys", "", []string{"public", "-o", "jwk", fixture("p256.sec1.pem"), "x"}, 2, "takes 1 argument(s), got 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runKeys(t, tt.stdin, tt.args...)
			if err == nil {
				t.Fatalf("succeeded with %q", out)
			}
			if got := cmdutil.ExitCode(err); got != tt.wantCode {
				t.Errorf("exit code %d, want %d (%v)", got, tt.wantCode, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line containing %q", err, tt.wantMsg)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
	two := writeTemp(t, "two.pem", readFixture(t, "rsa2048.pub.pem")+readFixture(t, "p256.pub.pem"))
	_, _, err := runKeys(t, "", "public", two, "-o", "jwk")
	if err == nil || err.Error() != two+" holds 2 keys: -o jwk prints one key (use 'oauthkit keys jwks' for a set)" {
		t.Errorf("error = %v", err)
	}
}
