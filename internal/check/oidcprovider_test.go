package check_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/check"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// TestOIDCProviderRecordedResults runs the whole catalogue against
// oidc-provider 9.13.3 with its test configuration
// (testdata/interop/oidc-provider.mjs; its login and consent pages driven by
// testdata/interop/check-login.mjs through the --login contract) and
// compares every result with the table recorded in docs/check.md, where
// each failure is explained. A change on either side is noticed here.
// Without node or the installed peers the test skips loudly, and fails
// under CI=true.
func TestOIDCProviderRecordedResults(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	missing := func(what string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("*** oidc-provider check test FAILED (CI=true): %s; run `npm ci --prefix testdata/interop` ***", what)
		}
		t.Skipf("*** oidc-provider check test SKIPPED: %s; run `npm ci --prefix testdata/interop` ***", what)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(root, "testdata", "interop", "node_modules", "oidc-provider", "package.json")); err != nil {
		missing("testdata/interop/node_modules/oidc-provider is missing")
	}
	want := recordedResults(t, filepath.Join(root, "docs", "check.md"))

	op := startOIDCProvider(t, node, root)
	cfg := check.Config{
		Issuer: op.Issuer, HTTP: &http.Client{Timeout: 20 * time.Second}, Now: time.Now,
		Client:      check.Client{ID: op.ClientID, Secret: op.ClientSecret, AuthMethod: flow.AuthBasic},
		RedirectURI: "http://127.0.0.1/callback", Scopes: []string{"openid", "offline_access", "api:read"},
		AuthParams: url.Values{"prompt": {"consent"}},
		Login:      &check.ScriptLogin{Path: filepath.Join(root, "testdata", "interop", "check-login.mjs"), Stderr: io.Discard, Timeout: time.Minute},
	}
	reports := runAll(t, cfg)
	got := map[string]string{}
	for _, r := range reports {
		word := string(r.Result)
		if r.Warning != "" {
			word = "warn"
		}
		got[r.ID] = word
		if w, ok := want[r.ID]; !ok {
			t.Errorf("%s: %s, but docs/check.md records no result for it", r.ID, word)
		} else if w != word {
			t.Errorf("%s: %s, docs/check.md records %s (reason: %s%s)\n%s", r.ID, word, w, r.Reason, r.Warning, r.Evidence)
		}
	}
	for id := range want {
		if _, ok := got[id]; !ok {
			t.Errorf("docs/check.md records %s, which is not in the catalogue", id)
		}
	}
}

// recordedResults reads the table between the oidc-provider result
// markers of docs/check.md: | `ID` | result | why |.
func recordedResults(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok1 := strings.Cut(string(data), "<!-- oidc-provider results: begin -->")
	block, _, ok2 := strings.Cut(rest, "<!-- oidc-provider results: end -->")
	if !ok1 || !ok2 {
		t.Fatalf("%s has no oidc-provider results block", path)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9.-]+)` \\| (pass|fail|skip|warn) \\|")
	out := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(block, -1) {
		out[m[1]] = m[2]
	}
	if len(out) == 0 {
		t.Fatalf("%s: no result rows in the oidc-provider block", path)
	}
	return out
}

type oidcProvider struct {
	Issuer       string `json:"issuer"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// startOIDCProvider runs oidc-provider.mjs and reads its JSON line; it is
// stopped (SIGTERM, stdin closed) when the test ends.
func startOIDCProvider(t *testing.T, node, root string) oidcProvider {
	t.Helper()
	cmd := exec.Command(node, filepath.Join("testdata", "interop", "oidc-provider.mjs"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stderr strings.Builder
	cmd.Stderr = &lockedWriter{w: &stderr}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting oidc-provider.mjs: %v", err)
	}
	exited := make(chan struct{})
	first := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		first <- line
		_, _ = io.Copy(io.Discard, r)
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("stopping oidc-provider: %v", err)
		}
		_ = stdin.Close()
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("oidc-provider still running 20 s after SIGTERM; killed")
		}
	})
	var op oidcProvider
	select {
	case line := <-first:
		if err := json.Unmarshal([]byte(line), &op); err != nil || op.Issuer == "" || op.ClientSecret == "" {
			t.Fatalf("oidc-provider.mjs printed %q (%v)", line, err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("oidc-provider.mjs printed nothing within 60 s")
	}
	return op
}
