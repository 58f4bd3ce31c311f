package main

// Setup shared by the interop tests (interop_*_test.go): the repository
// root, the npm peers, a Node script run against an issuer, the
// oidc-provider preamble and its sign-in pages in headless Chromium.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// interopRoot is the repository root: the Node scripts and
// `oauthkit serve` run there.
func interopRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// requireInteropPackage skips the test, or fails it under CI=true, when
// the npm package pkg is not installed in testdata/interop.
func requireInteropPackage(t *testing.T, root, pkg string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(root, interopDir, "node_modules", pkg, "package.json")); err != nil {
		interopMissing(t, filepath.Join(interopDir, "node_modules", pkg)+" is missing; run `npm ci --prefix testdata/interop`")
	}
}

// writeInteropFile writes data to path, readable by its owner only.
func writeInteropFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// interopScriptRun is one run of a Node script of testdata/interop as
// `node SCRIPT ISSUER` from the repository root.
type interopScriptRun struct {
	node, root string
	script     string        // file name in testdata/interop
	issuer     string        // the script's only argument
	env        []string      // besides NO_COLOR=1
	timeout    time.Duration // 2 minutes when zero
	want       []string      // every line of standard output, in order
}

// check runs the script and demands exit 0 and exactly the lines want on
// standard output (one "ok NAME" per check the script passed).
func (s interopScriptRun) check(t *testing.T) {
	t.Helper()
	timeout := s.timeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.node, filepath.Join(interopDir, s.script), s.issuer)
	cmd.Dir = s.root
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), s.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	want := strings.Join(s.want, "\n") + "\n"
	if runErr != nil || stdout.String() != want {
		t.Errorf("node %s %s: %v\nstdout:\n%s\nstderr:\n%s\nwant stdout:\n%s",
			s.script, s.issuer, runErr, stdout.String(), stderr.String(), want)
	}
}

// startInteropOIDCProvider is the preamble of the tests against
// oidc-provider: node and the peers (oidc-provider among them), the
// oauthkit binary and a running oidc-provider.mjs. A missing dependency
// skips the test locally and fails it under CI=true.
func startInteropOIDCProvider(t *testing.T) (bin string, op oidcProvider) {
	t.Helper()
	root := interopRoot(t)
	node := requireInteropPeers(t, filepath.Join(root, interopDir))
	requireInteropPackage(t, root, "oidc-provider")
	bin = buildInteropBinary(t)
	return bin, startOIDCProvider(t, node, root)
}

// opClientArgs writes the provider's confidential client's secret to a
// file and returns the flags that name that client.
func opClientArgs(t *testing.T, op oidcProvider) []string {
	t.Helper()
	secretFile := writeInteropFile(t, filepath.Join(t.TempDir(), "client-secret"), []byte(op.ClientSecret+"\n"))
	return []string{"--issuer", op.Issuer, "--client-id", op.ClientID, "--client-secret-file", secretFile}
}

// opSignIn fills in oidc-provider's devInteractions login form (any login
// and password do) and waits for its consent page.
func opSignIn(t *testing.T, ctx context.Context) {
	t.Helper()
	opBrowserStep(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), "alice"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "any-password"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`input[name="prompt"][value="consent"]`)))
}

// opLoginAndConsent opens authURL in the browser, signs in as alice and
// consents on oidc-provider's pages.
func opLoginAndConsent(t *testing.T, ctx context.Context, authURL string) {
	t.Helper()
	opBrowserStep(t, ctx, "login page", chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`)))
	opSignIn(t, ctx)
	opBrowserStep(t, ctx, "consent", chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
}
