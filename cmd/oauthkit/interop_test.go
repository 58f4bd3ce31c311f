package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testutil/servetest"
)

// interopDir holds the npm peers, their scripts and the server's
// configuration, relative to the repository root.
const interopDir = "testdata/interop"

// interopScripts are the Node scripts and the exact lines each prints when
// every check passes (one "ok NAME" per check, in order).
var interopScripts = []struct {
	script string
	want   []string
}{
	{"openid-client.mjs", []string{
		"ok discovery",
		"ok discovery openid-configuration",
		"ok discovery client_secret_post",
		"ok client_credentials",
		"ok client_credentials client_secret_post",
		"ok client_credentials wrong secret",
		"ok password",
		"ok password wrong password",
		"ok refresh_token",
		"ok userinfo",
		"ok protected resource",
		"ok introspection",
		"ok introspection client_secret_post",
		"ok revocation",
		"ok revocation access_token",
		"ok revocation unknown token",
		"ok refresh_token rotation refuses the old token",
		"ok refresh_token of another client",
		"ok oidc discovery",
		"ok oidc authorization code with PKCE and ID token validation",
		"ok oidc userinfo",
		"ok oidc wrong nonce refused by the client",
		"ok oidc refresh_token returns a new ID token",
	}},
	{"jose.mjs", []string{
		"ok jwks",
		"ok jwtVerify client_credentials token",
		"ok jwtVerify password token",
		"ok tampered payload refused",
		"ok tampered signature refused",
		"ok unknown kid refused",
		"ok wrong audience refused",
		"ok wrong issuer refused",
		"ok wrong typ refused",
	}},
}

// TestInterop runs independent npm clients (openid-client, jose) against a
// real `oauthkit serve` with the interop configuration, and (for the OpenID
// Connect checks of openid-client.mjs, whose issuer is passed in
// OAUTHKIT_DEMO_ISSUER) against the zero-config `oauthkit serve
// --auto-approve demo`. The peers are installed by
// `npm ci --prefix testdata/interop`; without them (or without node) the
// test skips locally and fails under CI=true.
func TestInterop(t *testing.T) {
	root := interopRoot(t)
	node := requireInteropPeers(t, filepath.Join(root, interopDir))
	bin := buildInteropBinary(t)
	issuer := startInteropServe(t, bin, root, "--config", interopDir+"/oauthkit.yaml")
	demoIssuer := startInteropServe(t, bin, root, "--auto-approve", "demo")

	for _, tc := range interopScripts {
		t.Run(strings.TrimSuffix(tc.script, ".mjs"), func(t *testing.T) {
			interopScriptRun{node: node, root: root, script: tc.script, issuer: issuer,
				env: []string{"OAUTHKIT_DEMO_ISSUER=" + demoIssuer}, want: tc.want}.check(t)
		})
	}
}

// requireInteropPeers returns the node executable, or skips (fails under
// CI=true) when node or the installed peers are missing.
func requireInteropPeers(t *testing.T, dir string) string {
	t.Helper()
	missing := func(what string) {
		msg := "*** interop tests SKIPPED: " + what + "; install node and run `npm ci --prefix testdata/interop` ***"
		if os.Getenv("CI") == "true" {
			t.Fatal(strings.Replace(msg, "SKIPPED", "FAILED (CI=true)", 1))
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	for _, pkg := range []string{"openid-client", "jose"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			missing(filepath.Join(interopDir, "node_modules", pkg) + " is missing")
		}
	}
	return node
}

// buildInteropBinary returns the oauthkit binary: $OAUTHKIT_BIN, or the
// one built from these sources (once per source tree, for every suite).
func buildInteropBinary(t *testing.T) string {
	t.Helper()
	bin, err := servetest.Binary()
	if err != nil {
		t.Fatalf("building oauthkit: %v", err)
	}
	return bin
}

// interopBuffer is a bytes.Buffer safe to read while a process writes to it.
type interopBuffer = servetest.LockedBuffer

// startInteropServe starts `oauthkit serve ARGS` with a memory store on a
// free loopback port and returns the issuer, read from the first line of
// standard output. Cleanup stops the server with SIGINT and demands a clean
// exit; the server's log is shown when the test failed.
func startInteropServe(t *testing.T, bin, root string, args ...string) string {
	t.Helper()
	p := servetest.Run(t, servetest.Options{
		Bin:           bin,
		Args:          append([]string{"--store", "memory", "--addr", "127.0.0.1:0"}, args...),
		Dir:           root,
		Env:           []string{"NO_COLOR=1"},
		StartTimeout:  60 * time.Second,
		StopSignal:    syscall.SIGINT,
		StopTimeout:   20 * time.Second,
		WantCleanExit: true,
	})
	if !strings.HasPrefix(p.URL, "http://127.0.0.1:") {
		t.Fatalf("first line of oauthkit serve is %q, want the issuer http://127.0.0.1:PORT\nstderr:\n%s", p.URL, p.Stderr.String())
	}
	return p.URL
}
