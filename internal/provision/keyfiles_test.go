package provision

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/keys"
)

func TestLoadKeyFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // not subject to the umask
			t.Fatal(err)
		}
		return path
	}
	newKey := func(spec keys.Spec) (*keys.Key, []byte, []byte) {
		k, err := keys.Generate(spec)
		if err != nil {
			t.Fatal(err)
		}
		priv, err := keys.EncodePKCS8(k.Private)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := keys.EncodePublicPEM(k.Public)
		if err != nil {
			t.Fatal(err)
		}
		return k, priv, pub
	}
	rsaKey, rsaPriv, rsaPub := newKey(keys.Spec{Type: "rsa", Bits: 2048})
	ecKey, ecPriv, _ := newKey(keys.Spec{Type: "ec", Curve: "P-256"})
	signer := write("signer.pem", rsaPriv, 0o600)
	loose := write("loose.pem", ecPriv, 0o644)
	public := write("public.pem", rsaPub, 0o644)
	garbage := write("garbage.pem", []byte("not a key\n"), 0o600)
	missing := filepath.Join(dir, "missing.pem")

	tests := []struct {
		name       string
		files      []string
		wantErr    string // the whole error message
		wantWarn   string
		wantKIDs   []string
		wantSigner string
	}{
		{name: "one private key", files: []string{signer},
			wantKIDs: []string{rsaKey.KeyID()}, wantSigner: rsaKey.KeyID()},
		{name: "the first signs, all are published; a loose mode is warned about", files: []string{signer, loose},
			wantWarn: "warning: private key " + loose + " is readable by others (mode 0644); chmod 600 it\n",
			wantKIDs: []string{rsaKey.KeyID(), ecKey.KeyID()}, wantSigner: rsaKey.KeyID()},
		{name: "a public key may follow, without a warning", files: []string{loose, public},
			wantWarn: "warning: private key " + loose + " is readable by others (mode 0644); chmod 600 it\n",
			wantKIDs: []string{ecKey.KeyID(), rsaKey.KeyID()}, wantSigner: ecKey.KeyID()},
		{name: "a public key cannot sign", files: []string{public, signer},
			wantErr: "signing key " + public + ": the first key signs, so it must be a private key"},
		{name: "missing file", files: []string{signer, missing},
			wantErr: "signing key: open " + missing + ": no such file or directory"},
		{name: "not a key", files: []string{garbage},
			wantErr: "signing key: " + garbage + ": not a key: expected PEM, a JWK or a JWKS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var warn bytes.Buffer
			set, source, err := KeyFiles(tt.files, &warn)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if warn.String() != tt.wantWarn {
				t.Errorf("warnings %q, want %q", warn.String(), tt.wantWarn)
			}
			if want := "key file " + tt.files[0]; source != want {
				t.Errorf("source %q, want %q", source, want)
			}
			if got := set.Signer().KeyID(); got != tt.wantSigner {
				t.Errorf("signer %s, want %s", got, tt.wantSigner)
			}
			var kids []string
			for _, k := range set.JWKS().Keys {
				kids = append(kids, k.Kid)
			}
			if strings.Join(kids, " ") != strings.Join(tt.wantKIDs, " ") {
				t.Errorf("published kids %v, want %v", kids, tt.wantKIDs)
			}
		})
	}
}
