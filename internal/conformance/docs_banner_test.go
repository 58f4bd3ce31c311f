package conformance

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The Quick start of docs/serve.md shows what a first zero-config start
// prints: the issuer on standard output, then the banner. It must be the
// real banner line for line; only the values that differ from run to run
// (port, state directory, key ID, secret, password) are put in as the
// document shows them.
func TestDocs_ServeQuickStartBanner(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "serve.md"))
	if err != nil {
		t.Fatal(err)
	}
	const start = "```console\n$ oauthkit serve\n"
	doc := string(raw)
	i := strings.Index(doc, start)
	if i < 0 {
		t.Fatalf("docs/serve.md has no %q block", start)
	}
	block, _, ok := strings.Cut(doc[i+len(start):], "```\n")
	if !ok {
		t.Fatal("the Quick start block of docs/serve.md does not end")
	}
	docValue := func(re string) string {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(block)
		if m == nil {
			t.Fatalf("the Quick start banner of docs/serve.md has no match for %s", re)
		}
		return m[1]
	}

	dir := t.TempDir()
	s := startIn(t, dir, "", "--addr", "127.0.0.1:0") // state in dir/state/oauthkit
	deadline := time.Now().Add(startTimeout)
	for !strings.Contains(s.stderr.String(), "\nready; press Ctrl-C to stop\n") {
		if time.Now().After(deadline) {
			t.Fatalf("no banner within %s:\n%s", startTimeout, s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	banner, _, _ := strings.Cut(s.stderr.String(), "\nready; press Ctrl-C to stop\n")
	real := s.stdout.String() + banner + "\nready; press Ctrl-C to stop\n"
	for _, r := range []struct{ re, doc string }{
		{`secret (\S+)\n`, docValue(`secret (\S+)\n`)},
		{`password (\S+)\n`, docValue(`password (\S+)\n`)},
		{`kid=(\S+) `, docValue(`kid=(\S+) `)},
	} {
		m := regexp.MustCompile(r.re).FindStringSubmatch(real)
		if m == nil {
			t.Fatalf("the real banner has no match for %s:\n%s", r.re, real)
		}
		real = strings.ReplaceAll(real, m[1], r.doc)
	}
	real = strings.ReplaceAll(real, s.url, "http://127.0.0.1:8080")
	real = strings.ReplaceAll(real, filepath.Join(dir, "state", "oauthkit"), "/home/you/.local/state/oauthkit")
	if real != block {
		t.Errorf("the Quick start banner of docs/serve.md is not what serve prints.\ndocs/serve.md:\n%s\nserve (values replaced):\n%s", block, real)
	}
}
