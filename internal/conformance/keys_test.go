package conformance

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Rule 35: RSA below 2048 bits is refused by keygen and by serve; private
// keys are written 0600 and never overwritten without --force.
func TestRule35_SmallRSAKeysRefusedAndKeyFilesProtected(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(suite.bin, args...)
		cmd.Dir = dir
		cmd.Env = append(cmd.Environ(), "XDG_STATE_HOME="+filepath.Join(dir, "state"))
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}

	t.Run("keygen --bits 1024", func(t *testing.T) {
		code, out := run("keygen", "--bits", "1024", "--out-dir", "small")
		if code != 2 || !strings.Contains(out, "--bits 1024: RSA keys below 2048 bits are refused") {
			t.Fatalf("exit %d, output %q", code, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "small")); !os.IsNotExist(err) {
			t.Fatalf("keygen left %s behind (%v)", filepath.Join(dir, "small"), err)
		}
	})

	t.Run("serve --key with a 1024-bit key", func(t *testing.T) {
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "small.pem"), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
		code, out := run("serve", "--key", "small.pem", "--store", "memory", "--addr", "127.0.0.1:0")
		if code == 0 || !strings.Contains(out, "small.pem: RSA key too small: 1024 bits, at least 2048 required") {
			t.Fatalf("exit %d, output %q", code, out)
		}
		if strings.Contains(out, "ready") {
			t.Fatalf("serve started with a 1024-bit key:\n%s", out)
		}
	})

	t.Run("private key 0600, no overwrite without --force", func(t *testing.T) {
		if code, out := run("keygen", "--out-dir", "k"); code != 0 {
			t.Fatalf("keygen: exit %d %s", code, out)
		}
		priv := filepath.Join(dir, "k", "oauthkit.key.pem")
		st, err := os.Stat(priv)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v, want 0600", priv, st.Mode().Perm())
		}
		before, _ := os.ReadFile(priv)
		code, out := run("keygen", "--out-dir", "k")
		if code == 0 || !strings.Contains(out, "already exist (use --force to overwrite); nothing was written") {
			t.Fatalf("second keygen: exit %d, output %q", code, out)
		}
		after, _ := os.ReadFile(priv)
		if !bytes.Equal(before, after) {
			t.Fatal("the private key changed without --force")
		}
		if code, out := run("keygen", "--out-dir", "k", "--force"); code != 0 {
			t.Fatalf("keygen --force: exit %d %s", code, out)
		}
		if after, _ := os.ReadFile(priv); bytes.Equal(before, after) {
			t.Fatal("--force did not write a new key")
		}
	})
}
