package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/oauthkit/oauthkit/keys"
)

// writeKey writes a new key of spec to dir/name: the private key, or only
// its public half.
func writeKey(t *testing.T, dir, name string, spec keys.Spec, private bool) {
	t.Helper()
	k, err := keys.Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	var pemBytes []byte
	if private {
		pemBytes, err = keys.EncodePKCS8(k.Private)
	} else {
		pemBytes, err = keys.EncodePublicPEM(k.Public)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
}

const algClients = `keys: [%s]
clients:
  - id: web
    secret: web-secret-0123456789
    grant_types: [client_credentials]
  - id: api
    secret: api-secret-0123456789
    grant_types: [client_credentials]
    access_token_signing_alg: ES256
`

func writeConfig(t *testing.T, dir, keyList string) string {
	t.Helper()
	path := filepath.Join(dir, "oauthkit.yaml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(algClients, keyList)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A client's access_token_signing_alg is accepted when the keys list holds
// a private key of that algorithm (relative paths from the file's
// directory), and refused with file:line otherwise.
func TestAccessTokenSigningAlgKeys(t *testing.T) {
	dir := t.TempDir()
	writeKey(t, dir, "rsa.pem", keys.Spec{Type: keys.TypeRSA}, true)
	writeKey(t, dir, "ec.pem", keys.Spec{Type: keys.TypeEC}, true)
	writeKey(t, dir, "ec.pub.pem", keys.Spec{Type: keys.TypeEC}, false)

	cfg, err := Load(writeConfig(t, dir, "rsa.pem, ec.pem"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := cfg.AccessTokenAlgs(), map[string]string{"api": "ES256"}; !maps.Equal(got, want) {
		t.Fatalf("AccessTokenAlgs %v, want %v", got, want)
	}
	if cfg.Clients[0].AccessTokenSigningAlg != "" {
		t.Fatalf("web has alg %q, want none", cfg.Clients[0].AccessTokenSigningAlg)
	}

	for list, want := range map[string]string{
		"rsa.pem":             "oauthkit.yaml:9: clients[1].access_token_signing_alg: ES256 needs a private key of that algorithm in keys (the keys list has private keys for RS256); make one with oauthkit keygen",
		"rsa.pem, ec.pub.pem": "oauthkit.yaml:9: clients[1].access_token_signing_alg: ES256 needs a private key of that algorithm in keys (the keys list has private keys for RS256); make one with oauthkit keygen",
	} {
		path := writeConfig(t, dir, list)
		_, err := Load(path)
		var errs Errors
		if !errors.As(err, &errs) || len(errs) != 1 {
			t.Fatalf("keys [%s]: %v, want one error", list, err)
		}
		if got := errs[0].Error(); got != filepath.Join(dir, want) {
			t.Errorf("keys [%s]:\n got %s\nwant %s", list, got, filepath.Join(dir, want))
		}
	}

	// An unreadable key file is serve's to report, not a missing algorithm.
	if _, err := Load(writeConfig(t, dir, "rsa.pem, missing.pem")); err != nil {
		t.Fatalf("a missing key file: %v, want it left to serve", err)
	}
}
