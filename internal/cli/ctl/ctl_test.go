package ctl

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
	"github.com/oauthkit/oauthkit/internal/iostreams"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

// server starts a real authorization server with the control API guarded
// by token, and a user alice.
func server(t *testing.T, token string) string {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC, Curve: "P-256"})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := authserver.NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	issuer := "http://" + ts.Listener.Addr().String()
	srv, err := authserver.New(authserver.Settings{Issuer: issuer, AccessTokenTTL: time.Hour, RefreshTokenTTL: time.Hour, CodeTTL: time.Minute},
		authserver.Options{Store: st, Keys: ks, RequestLog: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Mount(authserver.ControlPathPrefix, control.NewHandler(srv.Control(), token))
	ts.Config = authserver.NewHTTPServer(srv.Handler(), slog.New(slog.DiscardHandler))
	ts.Start()
	t.Cleanup(ts.Close)
	if err := st.Users().Put(context.Background(), store.User{Username: "alice", Subject: "alice"}); err != nil {
		t.Fatal(err)
	}
	return issuer
}

// run runs `ctl ARGS` with the environment env and returns stdout,
// stderr and the exit code.
func run(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := cmdutil.NewFactory(ios, func(k string) string { return env[k] })
	cmd := NewCmdCtl(f)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), cmdutil.ExitCode(err)
}

// The token comes from --control-token-file, else OAUTHKIT_CONTROL_TOKEN,
// else the default state directory's control-token file.
func TestTokenSources(t *testing.T) {
	issuer := server(t, "the-right-token")
	dir := t.TempDir()
	right := filepath.Join(dir, "right.txt")
	if err := os.WriteFile(right, []byte("the-right-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	if err := os.MkdirAll(filepath.Join(state, "oauthkit"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		args  []string
		code  int
		inErr string
	}{
		{"file", map[string]string{EnvControlToken: "wrong"}, []string{"--control-token-file", right}, 0, ""},
		{"env", map[string]string{EnvControlToken: "the-right-token"}, nil, 0, ""},
		{"wrong env", map[string]string{EnvControlToken: "wrong"}, nil, 3, "refused (HTTP 401): unauthorized"},
		{"nothing", map[string]string{"XDG_STATE_HOME": state}, nil, 2, "no control token: use --control-token-file FILE or OAUTHKIT_CONTROL_TOKEN (" + filepath.Join(state, "oauthkit", "control-token") + " does not exist"},
	} {
		tc.env[EnvIssuer] = issuer
		out, errOut, code := run(t, tc.env, append([]string{"login-as", "alice"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.inErr) {
			t.Errorf("%s: exit %d %q, want %d with %q", tc.name, code, errOut, tc.code, tc.inErr)
		}
		if code == 0 && out != "queued: login as alice, once\n" {
			t.Errorf("%s: stdout %q", tc.name, out)
		}
	}
	if err := os.WriteFile(filepath.Join(state, "oauthkit", "control-token"), []byte("the-right-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := run(t, map[string]string{EnvIssuer: issuer, "XDG_STATE_HOME": state}, "clock"); code != 0 || !strings.HasPrefix(out, "skew 0s, server time ") {
		t.Errorf("default state directory: exit %d %q %q", code, out, errOut)
	}
}

func TestExitCodes(t *testing.T) {
	issuer := server(t, "tok")
	env := map[string]string{EnvIssuer: issuer, EnvControlToken: "tok"}
	for _, tc := range []struct {
		args  []string
		code  int
		inErr string
	}{
		{[]string{"login-as", "carol"}, 3, "control POST login-as refused (HTTP 404): not_found: no user 'carol'"},
		{[]string{"fail", "--endpoint", "token", "--error", "x", "--times", "-3"}, 2, "--times -3: give 1 or more"},
		{[]string{"fail", "--endpoint", "token", "--delay", "-1s"}, 2, "--delay -1s: give a positive duration"},
		{[]string{"claims", "--set", "=x"}, 2, `--set "=x": write NAME=VALUE`},
		{[]string{"requests", "--clear", "--limit", "3"}, 2, "--clear takes no --limit"},
		{[]string{"revoke"}, 2, "say what to revoke"},
		{[]string{"clock", "--timeout", "0s"}, 2, "--timeout must be positive"},
		{[]string{"reset", "--issuer", "http://127.0.0.1:1"}, 4, "POST http://127.0.0.1:1/_oauthkit/control/reset: "},
	} {
		_, errOut, code := run(t, env, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.inErr) || strings.Contains(errOut, "\n") {
			t.Errorf("%v: exit %d %q, want %d with %q on one line", tc.args, code, errOut, tc.code, tc.inErr)
		}
	}
}
