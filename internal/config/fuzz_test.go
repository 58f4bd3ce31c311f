package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, returns a config or Errors but
// never both, and that every error names the file.
func FuzzParse(f *testing.F) {
	if example, err := os.ReadFile("../../testdata/oauthkit.example.yaml"); err == nil {
		f.Add(string(example))
	}
	f.Add("clients:\n  - id: a\n    redirect_uris: [http://127.0.0.1/cb#x]\n")
	f.Add("users:\n  - username: a\n    password_hash: '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'\n")
	f.Add("tokens: {code_ttl: -1s, hashing: {algorithm: x}}\nkeys: a\n")
	f.Add("a: &x [*x]\n")
	f.Fuzz(func(t *testing.T, data string) {
		cfg, err := Parse([]byte(data), "f.yaml")
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v: want exactly one", cfg, err)
		}
		if err == nil {
			return
		}
		var es Errors
		if !errors.As(err, &es) || len(es) == 0 {
			t.Fatalf("error %T %v is not a non-empty Errors", err, err)
		}
		for _, e := range es {
			if e.File != "f.yaml" || !strings.HasPrefix(e.Error(), "f.yaml") {
				t.Fatalf("error %q does not name the file", e)
			}
		}
	})
}
