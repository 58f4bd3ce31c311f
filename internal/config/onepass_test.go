package config

import (
	"errors"
	"testing"
)

// problems parses y and returns every problem as "line: path: message".
func problems(t *testing.T, y string) []string {
	t.Helper()
	_, err := Parse([]byte(y), "c.yaml")
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("Parse: %v, want Errors", err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Error())
	}
	return out
}

func wantProblems(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d problems %q, want %q", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("problem %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// Issue 14 item 19: unknown keys and semantic errors are reported together,
// in file order, in one pass.
func TestEveryProblemInOnePass(t *testing.T) {
	got := problems(t, `issuer: ftp://x
tokens:
  acess_token_ttl: 5m
  refresh_token_ttl: -1s
clients:
  - id: web
    secret: s3cret-0123456789abcdef
    scope: [read]
  - id: spa
    redirect_uris: ["javascript:x"]
users:
  - username: alice
`)
	wantProblems(t, got,
		`c.yaml:1: issuer: "ftp://x" is not an absolute http or https URL`,
		`c.yaml:3: tokens.acess_token_ttl: unknown key`,
		`c.yaml:8: clients[0].scope: unknown key`,
		`c.yaml:10: clients[1].redirect_uris[0]: "javascript:x" uses the javascript: scheme, which can run code in the browser (RFC 6819 §5.2.3.5)`,
		`c.yaml:12: users[0]: needs a password or a password_hash`,
	)
}

// The line of a mis-indented key is the key's own line, not the start of
// the block around it.
func TestBadIndentLine(t *testing.T) {
	for name, tt := range map[string]struct {
		yaml string
		want string
	}{
		"key less indented than its item": {"clients:\n  - id: web\n    secret: s3cret-0123456789abcdef\n   scopes: [read]\n",
			"c.yaml:4: did not find expected '-' indicator"},
		"key more indented than its item": {"clients:\n  - id: web\n    secret: s3cret-0123456789abcdef\n     scopes: [read]\n",
			"c.yaml:4: mapping values are not allowed in this context"},
		"item key at the list's indent": {"issuer: http://127.0.0.1:8080\nclients:\n  - id: web\n  secret: x\n",
			"c.yaml:4: did not find expected '-' indicator"},
	} {
		t.Run(name, func(t *testing.T) {
			wantProblems(t, problems(t, tt.yaml), tt.want)
		})
	}
}

// docs/security.md rule 53 (issue 13 item 15): a client ID equal to a
// username is refused, since both would be the same sub.
func TestClientIDEqualsUsername(t *testing.T) {
	got := problems(t, `clients:
  - id: alice
    secret: s3cret-0123456789abcdef
    grant_types: [client_credentials]
users:
  - username: bob
    password: pw
  - username: alice
    password: pw
`)
	wantProblems(t, got, `c.yaml:8: users[1].username: "alice" is also the id of clients[0]: a user and a client must not share a subject (sub) (RFC 9700 §4.15)`)
}

// docs/security.md rule 55: a configured secret under 16 characters is a
// warning (the server still starts), with its file and line.
func TestShortSecretWarning(t *testing.T) {
	cfg, err := Parse([]byte("clients:\n  - id: a\n    secret: short\n    grant_types: [client_credentials]\n  - id: b\n    secret: long-enough-0123456789\n    grant_types: [client_credentials]\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := "c.yaml:3: clients[0].secret: the secret is shorter than 16 characters; use a long random one (docs/security.md rule 55)"
	if len(cfg.Warnings) != 1 || cfg.Warnings[0] != want {
		t.Errorf("warnings %q, want [%q]", cfg.Warnings, want)
	}
}
