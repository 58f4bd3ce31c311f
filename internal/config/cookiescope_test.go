package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cookieScopeFile = `issuer: http://127.0.0.1:8080
clients:
  - id: ok
    redirect_uris:
      - http://127.0.0.1/callback
      - http://localhost:9000/authorize/cb
  - id: bad
    redirect_uris:
      - http://127.0.0.1:9000/authorize/cb
`

func TestCookieScopeRefusedAtLoad(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(cookieScopeFile), "c.yaml")
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 {
		t.Fatalf("got %v, want exactly one error", err)
	}
	got := es[0].Error()
	for _, want := range []string{"c.yaml:9: clients[1].redirect_uris[0]: ", "http://127.0.0.1:9000/authorize/cb", "rule 39"} {
		if !strings.Contains(got, want) {
			t.Errorf("error %q lacks %q", got, want)
		}
	}
}

func TestCheckCookieScopeForAnIssuerNotInTheFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(strings.TrimPrefix(cookieScopeFile, "issuer: http://127.0.0.1:8080\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("without an issuer the file is valid: %v", err)
	}
	if err := cfg.CheckCookieScope("https://id.example.test"); err != nil {
		t.Errorf("another host: %v, want nil", err)
	}
	err = cfg.CheckCookieScope("http://127.0.0.1:4444")
	if err == nil || !strings.HasPrefix(err.Error(), path+":8: clients[1].redirect_uris[0]: ") {
		t.Errorf("got %v, want the file:line error of clients[1].redirect_uris[0]", err)
	}
}
