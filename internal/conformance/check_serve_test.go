package conformance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oauthkit check (the real binary) against oauthkit serve (the real binary,
// SQLite store, --auto-approve) with the suite's clients — the Basic
// client's secret has the characters RFC 6749 §2.3.1 form-encodes — passes
// every check of the catalogue, strict, none skipped, each within the
// request bound; the JUnit file says the same (issue 21).
func TestCheckAgainstServePassesEverything(t *testing.T) {
	s := startServer(t, baseConfig, "--auto-approve", userName)
	dir := t.TempDir()
	secret := filepath.Join(dir, "basic-secret")
	other := filepath.Join(dir, "other-secret")
	if err := os.WriteFile(secret, []byte(basicSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, []byte(otherSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	junit := filepath.Join(dir, "check.xml")
	code, out, stderr := runCLI(t, "check", "--issuer", s.url, "--client-id", basicID, "--client-secret-file", secret,
		"--redirect-uri", loopbackCB, "--public-client-id", publicID, "--other-client-id", otherID,
		"--other-client-secret-file", other, "--scope", "openid read", "--strict", "-o", "json", "--junit", junit)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	if strings.Contains(out+stderr, basicSecret) || strings.Contains(out+stderr, otherSecret) {
		t.Errorf("a client secret was printed")
	}
	var reports []struct {
		ID, Result, Reason, Warning, Evidence string
		Requests                              int
	}
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatalf("-o json: %v\n%s", err, out)
	}
	if len(reports) != 40 {
		t.Errorf("%d checks, want the catalogue's 40", len(reports))
	}
	for _, r := range reports {
		if r.Result != "pass" || r.Warning != "" {
			t.Errorf("%s: %s %s%s\n%s", r.ID, r.Result, r.Reason, r.Warning, r.Evidence)
		}
		if r.Requests > 64 {
			t.Errorf("%s sent %d requests, more than 64", r.ID, r.Requests)
		}
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `tests="40" failures="0" errors="0" skipped="0"`) {
		t.Errorf("the JUnit file does not report 40 passed tests:\n%.600s", data)
	}
}
