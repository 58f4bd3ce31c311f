package clientopts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/keys"
)

func writeKey(t *testing.T, spec keys.Spec, private bool) string {
	t.Helper()
	k, err := keys.Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	var pem []byte
	if private {
		pem, err = keys.EncodePKCS8(k.Private)
	} else {
		pem, err = keys.EncodePublicPEM(k.Public)
	}
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "k.pem")
	if err := os.WriteFile(p, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDPoPSigner(t *testing.T) {
	f := &cmdutil.Factory{Now: time.Now}
	if s, err := (DPoPOptions{}).Signer(f); s != nil || err != nil {
		t.Fatalf("without --dpop: %v, %v; want no signer", s, err)
	}
	s, err := (DPoPOptions{Enabled: true}).Signer(f)
	if err != nil || s == nil || s.Key.Algorithm() != "ES256" || len(s.JKT()) != 43 {
		t.Fatalf("--dpop: %+v, %v; want an ephemeral ES256 key", s, err)
	}
	other, _ := (DPoPOptions{Enabled: true}).Signer(f)
	if other.JKT() == s.JKT() {
		t.Error("two runs with --dpop got the same key")
	}
	for _, c := range []struct {
		name string
		file string
		want string
	}{
		{"public key only", writeKey(t, keys.Spec{Type: keys.TypeEC}, false), "want one private key"},
		{"P-384", writeKey(t, keys.Spec{Type: keys.TypeEC, Curve: "P-384"}, true), "ES384"},
		{"missing file", filepath.Join(t.TempDir(), "none.pem"), "--dpop-key"},
	} {
		_, err := (DPoPOptions{KeyFile: c.file}).Signer(f)
		if err == nil || !strings.Contains(err.Error(), c.want) || cmdutil.ExitCode(err) != 2 {
			t.Errorf("%s: %v (exit %d), want a usage error containing %q", c.name, err, cmdutil.ExitCode(err), c.want)
		}
	}
	ed, err := (DPoPOptions{KeyFile: writeKey(t, keys.Spec{Type: keys.TypeEd25519}, true)}).Signer(f)
	if err != nil || ed.Key.Algorithm() != "EdDSA" {
		t.Errorf("Ed25519 key: %v", err)
	}
}
