package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// docs/security.md rule 54: a state directory holds the store with the
// private signing key and the demo credentials. One that group or others
// can write to is refused with one line that says how to fix it (as a
// store file others can read is, rule 28): exit 1, nothing created in it,
// its mode left alone. One they can only read or enter is made 0700 with a
// note, then used. A private one is used as it is; a new one is 0700.
func TestRule54_StateDirModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes on Windows")
	}
	refused := func(t *testing.T, state string, mode os.FileMode, args []string, env ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, suite.bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
		cmd.Env = append(os.Environ(), append([]string{"NO_COLOR=1"}, env...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("serve with a state directory of mode %04o: %v, want exit 1\nstdout:\n%s\nstderr:\n%s", mode.Perm(), err, stdout.String(), stderr.String())
		}
		want := regexp.MustCompile(fmt.Sprintf(`^oauthkit: state directory %s has mode %04o: other users could replace .*; check its files, then run chmod 700 %s \(docs/security\.md rule 54\)\n$`,
			regexp.QuoteMeta(state), mode.Perm(), regexp.QuoteMeta(state)))
		if stdout.Len() != 0 || !want.MatchString(stderr.String()) {
			t.Errorf("stdout %q, stderr %q; want nothing on stdout and one line matching %s", stdout.String(), stderr.String(), want)
		}
		entries, _ := os.ReadDir(state)
		if len(entries) != 0 {
			t.Errorf("serve created %d files in the refused state directory (%s ...)", len(entries), entries[0].Name())
		}
		if info, err := os.Stat(state); err != nil || info.Mode()&(os.ModePerm|os.ModeSticky) != mode {
			t.Errorf("the state directory's mode changed: %v %v, want %v", info.Mode(), err, mode)
		}
	}
	loose := func(t *testing.T, dir string, mode os.FileMode) string {
		t.Helper()
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return dir
	}
	for _, mode := range []os.FileMode{0o777, 0o770, 0o702, os.ModeSticky | 0o777} {
		t.Run(fmt.Sprintf("--state-dir %v refused", mode), func(t *testing.T) {
			state := loose(t, filepath.Join(t.TempDir(), "state"), mode)
			refused(t, state, mode, []string{"--state-dir", state})
		})
	}
	for _, mode := range []os.FileMode{0o755, 0o750, 0o701} {
		t.Run(fmt.Sprintf("--state-dir %v made private", mode), func(t *testing.T) {
			dir := t.TempDir()
			state := loose(t, filepath.Join(dir, "state"), mode)
			s := startIn(t, dir, "", "--state-dir", state, "--addr", "127.0.0.1:0")
			note := fmt.Sprintf("note: state directory %s had mode %04o; changed it to 0700 (docs/security.md rule 54)\n", state, mode.Perm())
			if !strings.HasPrefix(s.stderr.String(), note) {
				t.Errorf("stderr starts %q, want the note %q", tail(s.stderr.String(), 300), note)
			}
			if info, err := os.Stat(state); err != nil || info.Mode().Perm() != 0o700 {
				t.Errorf("state directory afterwards: %v %v, want mode 0700", info.Mode(), err)
			}
			if a := s.do(t, "GET", "/healthz", nil, nil); a.Status != 200 {
				t.Errorf("/healthz: %s", a)
			}
		})
	}
	t.Run("XDG_STATE_HOME/oauthkit 0777", func(t *testing.T) {
		xdg := t.TempDir()
		state := loose(t, filepath.Join(xdg, "oauthkit"), 0o777)
		refused(t, state, 0o777, nil, "XDG_STATE_HOME="+xdg)
	})
	t.Run("0700 is used", func(t *testing.T) {
		dir := t.TempDir()
		state := loose(t, filepath.Join(dir, "state"), 0o700)
		s := startIn(t, dir, "", "--state-dir", state, "--addr", "127.0.0.1:0")
		if strings.Contains(s.stderr.String(), "note: state directory") {
			t.Errorf("a note about a private state directory:\n%s", s.stderr.String())
		}
		if a := s.do(t, "GET", "/healthz", nil, nil); a.Status != 200 {
			t.Fatalf("/healthz: %s", a)
		}
		if _, err := os.Stat(filepath.Join(state, "oauthkit.db")); err != nil {
			t.Errorf("no store in the private state directory: %v", err)
		}
	})
	t.Run("a new state directory is 0700", func(t *testing.T) {
		dir := t.TempDir()
		startIn(t, dir, "", "--addr", "127.0.0.1:0") // XDG_STATE_HOME=dir/state (launchIn)
		info, err := os.Stat(filepath.Join(dir, "state", "oauthkit"))
		if err != nil || info.Mode().Perm() != 0o700 {
			t.Errorf("new state directory: %v %v, want mode 0700", info, err)
		}
	})
}
