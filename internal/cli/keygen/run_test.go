package keygen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/keys"
)

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func dirNames(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

func parseOne(t *testing.T, path string) *keys.Key {
	t.Helper()
	ks, err := keys.ParseFile(path)
	if err != nil || len(ks) != 1 {
		t.Fatalf("%s: %d keys, %v", path, len(ks), err)
	}
	return ks[0]
}

func TestKeygenWritesTheSet(t *testing.T) {
	tests := []struct {
		args      []string
		wantType  string
		wantAlg   string
		wantLabel string
		sizeJSON  string
	}{
		{[]string{"--private-jwk", "--pkcs1"}, "rsa", "RS256", "RSA 2048-bit", `"bits": 2048`},
		{[]string{"--type", "ec", "--curve", "P-384", "--alg", "ES384", "--private-jwk"}, "ec", "ES384", "EC P-384", `"curve": "P-384"`},
		{[]string{"--type", "ec", "--private-jwk"}, "ec", "ES256", "EC P-256", `"curve": "P-256"`},
		{[]string{"--type", "ed25519", "--kid", "2024-01", "--private-jwk"}, "ed25519", "EdDSA", "Ed25519", `"type": "ed25519"`},
	}
	for _, tt := range tests {
		t.Run(tt.wantLabel, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "new", "keys")
			args := append([]string{"--out-dir", dir, "--name", "iss"}, tt.args...)
			out, errOut, err := execKeygen(t, nil, args...)
			if err != nil {
				t.Fatal(err)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing without -o json", out)
			}
			if got := dirNames(t, dir); got != "iss.jwk.json iss.jwks.json iss.key.pem iss.private.jwk.json iss.pub.pem" {
				t.Errorf("files: %s", got)
			}
			if m := fileMode(t, dir); m != 0o700 {
				t.Errorf("created --out-dir mode %o, want 700", m)
			}
			for name, want := range map[string]os.FileMode{"iss.key.pem": 0o600, "iss.private.jwk.json": 0o600, "iss.pub.pem": 0o644, "iss.jwk.json": 0o644, "iss.jwks.json": 0o644} {
				if m := fileMode(t, filepath.Join(dir, name)); m != want {
					t.Errorf("%s mode %o, want %o", name, m, want)
				}
			}
			priv := parseOne(t, filepath.Join(dir, "iss.key.pem"))
			if !priv.IsPrivate() {
				t.Fatal("key.pem holds no private key")
			}
			pemData, _ := os.ReadFile(filepath.Join(dir, "iss.key.pem"))
			wantHeader := "-----BEGIN PRIVATE KEY-----\n"
			if tt.wantType == "rsa" {
				wantHeader = "-----BEGIN RSA PRIVATE KEY-----\n" // --pkcs1
			}
			if !strings.HasPrefix(string(pemData), wantHeader) {
				t.Errorf("key.pem starts %q, want %q", pemData[:30], wantHeader)
			}
			tp, _ := keys.Thumbprint(priv.Public)
			wantKID := tp
			if strings.Contains(strings.Join(tt.args, " "), "--kid") {
				wantKID = "2024-01"
			}
			pub := parseOne(t, filepath.Join(dir, "iss.pub.pem"))
			jwk := parseOne(t, filepath.Join(dir, "iss.jwk.json"))
			jwks := parseOne(t, filepath.Join(dir, "iss.jwks.json"))
			pjwk := parseOne(t, filepath.Join(dir, "iss.private.jwk.json"))
			for name, k := range map[string]*keys.Key{"pub.pem": pub, "jwk": jwk, "jwks": jwks, "private jwk": pjwk} {
				if got, _ := keys.Thumbprint(k.Public); got != tp {
					t.Errorf("%s holds another key", name)
				}
			}
			for name, k := range map[string]*keys.Key{"jwk": jwk, "jwks": jwks, "private jwk": pjwk} {
				if k.KID != wantKID || k.Alg != tt.wantAlg || k.Use != "sig" {
					t.Errorf("%s kid/alg/use = %q/%q/%q, want %q/%q/sig", name, k.KID, k.Alg, k.Use, wantKID, tt.wantAlg)
				}
			}
			if jwk.IsPrivate() || jwks.IsPrivate() || !pjwk.IsPrivate() {
				t.Error("public JWK files must hold only public keys, the private JWK a private one")
			}
			raw, _ := os.ReadFile(filepath.Join(dir, "iss.jwk.json"))
			if strings.Contains(string(raw), `"d"`) {
				t.Errorf("public JWK has private members: %s", raw)
			}
			for _, want := range []string{"Generated an " + tt.wantLabel + " key pair\n", "  kid:          " + wantKID + "\n", "  alg:          " + tt.wantAlg + "\n",
				"  private key:  " + filepath.Join(dir, "iss.key.pem"), "  private JWK:  " + filepath.Join(dir, "iss.private.jwk.json") + " (mode 0600)\n"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("summary %q lacks %q", errOut, want)
				}
			}
		})
	}
}

func TestKeygenJSON(t *testing.T) {
	dir := t.TempDir()
	out, errOut, err := execKeygen(t, nil, "--out-dir", dir, "--type", "ec", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	if errOut != "" {
		t.Errorf("stderr = %q, want nothing with -o json", errOut)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	tp, _ := keys.Thumbprint(parseOne(t, filepath.Join(dir, "oauthkit.pub.pem")).Public)
	want := map[string]any{
		"kid": tp, "alg": "ES256", "type": "ec", "curve": "P-256",
		"files": map[string]any{
			"private_key": filepath.Join(dir, "oauthkit.key.pem"), "public_key": filepath.Join(dir, "oauthkit.pub.pem"),
			"jwk": filepath.Join(dir, "oauthkit.jwk.json"), "jwks": filepath.Join(dir, "oauthkit.jwks.json"),
		},
	}
	gotJSON, _ := json.Marshal(res)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("-o json = %s\nwant %s", gotJSON, wantJSON)
	}
}

func TestKeygenTencent(t *testing.T) {
	dir := t.TempDir()
	out, _, err := execKeygen(t, nil, "--layout", "tencent", "--out-dir", dir, "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, dir); got != "priv_pem public public_pem" {
		t.Fatalf("files: %s", got)
	}
	if fileMode(t, filepath.Join(dir, "priv_pem")) != 0o600 || fileMode(t, filepath.Join(dir, "public")) != 0o644 {
		t.Error("modes wrong")
	}
	priv := parseOne(t, filepath.Join(dir, "priv_pem"))
	bare, _ := os.ReadFile(filepath.Join(dir, "public"))
	var j map[string]string
	if err := json.Unmarshal(bare, &j); err != nil {
		t.Fatal(err)
	}
	want, _ := keys.PublicJWK(priv.Public)
	if len(j) != 3 || j["kty"] != "RSA" || j["e"] != "AQAB" || j["n"] != want.N {
		t.Errorf("public = %s, want only e, kty, n of the key", bare)
	}
	if !strings.HasPrefix(string(bare), `{"e":"AQAB","kty":"RSA","n":"`) || !strings.HasSuffix(string(bare), "\"}\n") {
		t.Errorf("public = %s, want the compact {\"e\",\"kty\",\"n\"} form", bare)
	}
	if !strings.Contains(out, `"jwk": "`+filepath.Join(dir, "public")+`"`) || strings.Contains(out, "jwks") {
		t.Errorf("-o json = %s", out)
	}
}

func TestKeygenRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	pub := filepath.Join(dir, "oauthkit.pub.pem")
	if err := os.WriteFile(pub, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := execKeygen(t, nil, "--out-dir", dir, "--type", "ed25519")
	if err == nil || cmdutil.ExitCode(err) != 1 {
		t.Fatalf("err = %v, want exit 1", err)
	}
	if err.Error() != pub+" already exists (use --force to overwrite); nothing was written" {
		t.Errorf("error = %q", err)
	}
	if out != "" || errOut != "" {
		t.Errorf("stdout %q stderr %q, want nothing (the caller prints the error)", out, errOut)
	}
	if got := dirNames(t, dir); got != "oauthkit.pub.pem" {
		t.Errorf("files: %s, want only the existing one", got)
	}
	if data, _ := os.ReadFile(pub); string(data) != "keep me" {
		t.Errorf("existing file changed: %q", data)
	}

	if _, _, err := execKeygen(t, nil, "--out-dir", dir, "--type", "ed25519", "--force"); err != nil {
		t.Fatal(err)
	}
	if k := parseOne(t, pub); k.IsPrivate() {
		t.Error("pub.pem holds a private key")
	}
	if got := dirNames(t, dir); got != "oauthkit.jwk.json oauthkit.jwks.json oauthkit.key.pem oauthkit.pub.pem" {
		t.Errorf("files after --force: %s", got)
	}
}

// A failed write leaves no file and removes the --out-dir it created.
func TestKeygenFailureRemovesCreatedDir(t *testing.T) {
	base := t.TempDir()
	blocker := filepath.Join(base, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := execKeygen(t, nil, "--out-dir", filepath.Join(blocker, "keys"), "--type", "ed25519")
	if err == nil || err.Error() != "creating --out-dir "+filepath.Join(blocker, "keys")+": "+blocker+" is not a directory" {
		t.Errorf("error = %v", err)
	}
	if got := dirNames(t, base); got != "file" {
		t.Errorf("files: %s", got)
	}
}

func TestEnsureDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b", "c")
	created, err := ensureDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{dir, filepath.Join(base, "a", "b"), filepath.Join(base, "a")}
	if strings.Join(created, " ") != strings.Join(want, " ") {
		t.Errorf("created %v, want %v (deepest first)", created, want)
	}
	for _, d := range want {
		if m := fileMode(t, d); m != 0o700 {
			t.Errorf("%s mode %o, want 700", d, m)
		}
	}
	if again, err := ensureDir(dir); err != nil || len(again) != 0 {
		t.Errorf("second ensureDir = %v, %v; want nothing created", again, err)
	}
	removeDirs(created)
	if got := dirNames(t, base); got != "" {
		t.Errorf("after removeDirs: %q", got)
	}
}
