package fault_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testutil/servetest"
)

// The fault and load cases of issue 7 run the real `oauthkit` binary (from
// internal/testutil/servetest) as a separate process and speak only HTTP
// to it (plus signals and file modes from the outside). Every wait is
// bounded, and every server is stopped by t.Cleanup.

// binEnv carries the path of the binary TestMain found to the tests.
const binEnv = "OAUTHKIT_FAULT_BIN"

// startTimeout bounds how long a server may take to print its issuer (a new
// store generates an RSA key).
const startTimeout = 30 * time.Second

// Credentials of the test configuration (test-only secrets).
const (
	svcID, svcSecret = "svc", "svc-s3cret" // client_credentials
	appID, appSecret = "app", "app-s3cret" // authorization_code + refresh_token, auto-approved
	appRedirect      = "http://127.0.0.1/callback"
	appUser          = "alice"
)

// testConfig is the server configuration every test uses; the store comes
// from --store. alice's hash is bcrypt("looking-glass"); with auto-approve
// nobody types it.
const testConfig = `tokens:
  format: jwt
  access_token_ttl: 5m
  refresh_token_ttl: 1h
  code_ttl: 1m
scopes:
  read: Read your data
clients:
  - id: svc
    secret: svc-s3cret
    grant_types: [client_credentials]
    scopes: [read]
  - id: app
    secret: app-s3cret
    redirect_uris: [http://127.0.0.1/callback]
    grant_types: [authorization_code, refresh_token]
    scopes: [openid, read]
    auto_approve: true
users:
  - username: alice
    password_hash: "$2a$10$XQjS3n5/uVeoLSxGwLXPvubi5UFNd.olL8mlxTS8rM6VS8OxJ5KjS"
`

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain gets oauthkit from servetest (built once per source tree for
// every suite, or $OAUTHKIT_BIN), unless OAUTHKIT_FAULT_BIN already names
// a binary to test (a release build, say).
func runMain(m *testing.M) int {
	if bin := os.Getenv(binEnv); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			fmt.Fprintf(os.Stderr, "fault tests: %s: %v\n", binEnv, err)
			return 1
		}
		return m.Run()
	}
	began := time.Now()
	bin, err := servetest.Binary()
	if err != nil {
		fmt.Fprintf(os.Stderr, "fault tests: %v\n", err)
		return 1
	}
	if took := time.Since(began); took > 30*time.Second {
		fmt.Fprintf(os.Stderr, "fault tests: building oauthkit took %s\n", took.Round(time.Second))
	}
	if err := os.Setenv(binEnv, bin); err != nil {
		fmt.Fprintln(os.Stderr, "fault tests:", err)
		return 1
	}
	return m.Run()
}

// syncBuffer collects a child's output while the test reads it.
type syncBuffer = servetest.LockedBuffer

// server is one running `oauthkit serve`.
type server struct {
	*servetest.Server
	cmd    *exec.Cmd
	url    string // the issuer, the first line of stdout
	db     string // the sqlite store file
	stderr *syncBuffer
}

// serverDir makes a directory with the test configuration and returns it
// and the store path inside it.
func serverDir(t *testing.T) (dir, db string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "oauthkit.yaml"), []byte(testConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(dir, "oauthkit.db")
}

// newServer starts a server on a fresh directory and store.
func newServer(t *testing.T) *server {
	t.Helper()
	dir, db := serverDir(t)
	return startServer(t, dir, db)
}

// startServer runs `oauthkit serve --addr 127.0.0.1:0 --store sqlite:DB
// --config CFG` in dir (made by serverDir) and waits for the issuer line.
// Cleanup stops it with SIGTERM (SIGKILL if it does not exit in 10 s).
func startServer(t *testing.T, dir, db string) *server {
	t.Helper()
	return startServerAt(t, dir, db, "127.0.0.1:0")
}

// startServerAt is startServer listening on addr: a restart on the address
// of the server before keeps the issuer, which JWT access tokens name.
func startServerAt(t *testing.T, dir, db, addr string) *server {
	t.Helper()
	bin := os.Getenv(binEnv)
	if bin == "" {
		t.Fatal("TestMain did not build oauthkit")
	}
	p := servetest.Run(t, servetest.Options{
		Bin:          bin,
		Args:         []string{"--addr", addr, "--store", "sqlite:" + db, "--config", filepath.Join(dir, "oauthkit.yaml")},
		Dir:          dir,
		Env:          []string{"NO_COLOR=1", "XDG_STATE_HOME=" + filepath.Join(dir, "state")},
		StartTimeout: startTimeout,
		StopSignal:   syscall.SIGTERM,
		StopTimeout:  10 * time.Second,
	})
	return &server{Server: p, cmd: p.Cmd, url: p.URL, db: db, stderr: p.Stderr}
}

// kill9 sends SIGKILL and waits (bounded) until the process is gone.
func (s *server) kill9(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("serve still running 10 s after SIGKILL")
	}
	var ee *exec.ExitError
	if waitErr := s.WaitErr(); !errors.As(waitErr, &ee) || ee.ExitCode() != -1 {
		t.Fatalf("after SIGKILL: %v, want death by signal", waitErr)
	}
}

// rssKiB reads the resident set size of the server from /proc.
func (s *server) rssKiB(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("reading the server's VmRSS: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatalf("VmRSS line %q: %v", line, err)
			}
			return n
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", s.cmd.Process.Pid)
	return 0
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
