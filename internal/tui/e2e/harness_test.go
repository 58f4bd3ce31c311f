package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testutil/servetest"
)

// pollTimeout bounds every wait on the screen, a file or a server.
const pollTimeout = 30 * time.Second

// buildOauthkit returns the real binary: $OAUTHKIT_BIN, or the one built
// from these sources (once per source tree, shared by every suite).
func buildOauthkit(t *testing.T) string {
	t.Helper()
	bin, err := servetest.Binary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// startServe runs `oauthkit serve --addr 127.0.0.1:0 --store memory
// extra...` until the test ends and returns its issuer (the first line of
// its standard output).
func startServe(t *testing.T, bin string, extra ...string) string {
	t.Helper()
	issuer, _ := startServeLogged(t, bin, extra...)
	return issuer
}

// demoSecretLine is the line of serve's standard error with the demo
// confidential client's generated secret.
var demoSecretLine = regexp.MustCompile(`(?m)^  confidential client  oauthkit-demo  secret (\S+)$`)

// startServeDemo is startServe that also returns the secret of the demo
// confidential client oauthkit-demo, read from serve's standard error.
func startServeDemo(t *testing.T, bin string, extra ...string) (issuer, secret string) {
	t.Helper()
	issuer, stderrPath := startServeLogged(t, bin, extra...)
	waitFor(t, "the demo client's secret on oauthkit serve's standard error", func() (bool, string) {
		b, _ := os.ReadFile(stderrPath)
		if m := demoSecretLine.FindSubmatch(b); m != nil {
			secret = string(m[1])
			return true, ""
		}
		return false, string(b)
	})
	return issuer, secret
}

// startServeLogged is startServe that also returns the file serve's
// standard error goes to.
func startServeLogged(t *testing.T, bin string, extra ...string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	stdout, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	// Closed after serve stops (cleanups run last-in first-out): the
	// harness copies the output into them.
	t.Cleanup(func() { stdout.Close() })
	stderrPath := filepath.Join(dir, "stderr")
	stderr, err := os.Create(stderrPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stderr.Close() })
	p := servetest.Run(t, servetest.Options{
		Bin:          bin,
		Args:         append([]string{"--addr", "127.0.0.1:0", "--store", "memory"}, extra...),
		Env:          []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"), "NO_COLOR=1"},
		Stdout:       stdout,
		Stderr:       stderr,
		StartTimeout: pollTimeout,
		StopSignal:   syscall.SIGINT,
		StopTimeout:  10 * time.Second,
	})
	issuer := p.URL
	if !strings.HasPrefix(issuer, "http://127.0.0.1:") {
		t.Fatalf("oauthkit serve printed %q first, want the issuer URL", issuer)
	}
	return issuer, stderrPath
}

// waitFor polls cond until it holds, at most pollTimeout; cond also
// returns what to show when it never does.
func waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(pollTimeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s; last state:\n%s", pollTimeout, what, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tmuxServer is a private tmux server (its own socket and configuration):
// the test never touches the tmux of the person running it.
type tmuxServer struct {
	t      *testing.T
	path   string
	socket string
	conf   string
}

// startTmux finds tmux (t.Fatal under CI=true when it is missing, else
// t.Skip loudly) and kills the private server when the test ends.
func startTmux(t *testing.T) *tmuxServer {
	t.Helper()
	path, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is not installed; CI needs it for the terminal end-to-end test (apt-get install tmux)")
		}
		t.Skip("SKIPPED: tmux is not installed, so the TUI is NOT checked in a real terminal (apt-get install tmux)")
	}
	conf := filepath.Join(t.TempDir(), "tmux.conf")
	// No status line: the pane is the whole 80x24 window.
	if err := os.WriteFile(conf, []byte("set -g status off\nset -g history-limit 5000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &tmuxServer{t: t, path: path, socket: fmt.Sprintf("oauthkit-test-%d", os.Getpid()), conf: conf}
	t.Cleanup(func() {
		// tmux leaves its socket file behind: remove it too.
		sock, err := s.try("display-message", "-p", "#{socket_path}")
		_, _ = s.try("kill-server")
		if sock = strings.TrimSpace(sock); err == nil && strings.HasSuffix(sock, "/"+s.socket) {
			_ = os.Remove(sock)
		}
	})
	return s
}

func (s *tmuxServer) try(args ...string) (string, error) {
	cmd := exec.Command(s.path, append([]string{"-L", s.socket, "-f", s.conf}, args...)...)
	// Inside a tmux of its own, tmux would refuse to nest.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TMUX=") && !strings.HasPrefix(kv, "TMUX_PANE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (s *tmuxServer) run(args ...string) string {
	s.t.Helper()
	out, err := s.try(args...)
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// session starts script (sh) in a new detached 80x24 session.
func (s *tmuxServer) session(name, script string) {
	s.t.Helper()
	s.run("new-session", "-d", "-x", "80", "-y", "24", "-s", name, "sh "+shellQuote(script))
}

// screen is the visible pane, or with history the scrollback too; lines
// the terminal wrapped are joined, trailing blanks dropped.
func (s *tmuxServer) screen(name string, history bool) string {
	s.t.Helper()
	args := []string{"capture-pane", "-p", "-J", "-t", name}
	if history {
		args = append(args, "-S", "-")
	}
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(s.run(args...)))
	for sc.Scan() {
		b.WriteString(strings.TrimRight(sc.Text(), " ") + "\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
