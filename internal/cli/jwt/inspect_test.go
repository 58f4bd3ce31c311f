package jwt

import (
	"errors"
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/oauthkit/oauthkit/internal/tui/jwtview"
)

func TestInspectPlain(t *testing.T) {
	e := newEnv(t)
	ed := e.writeKey(t, "ed25519")
	ec := e.writeKey(t, "ec256")
	tok := e.sign(t, "--key", ed.priv, "--kid", "k1", "--jti", "j1", "--sub", "alice", "--exp", "12m")
	body := func(verify string) string {
		return "JWT · EdDSA · kid k1 · typ JWT\n" +
			"expires in 12m (2026-11-23T10:12:00Z)\n" + verify + "\n\n" +
			"Header\n  alg  \"EdDSA\"\n  kid  \"k1\"\n  typ  \"JWT\"\n\n" +
			"Claims\n" +
			"  exp  1795428720  2026-11-23T10:12:00Z (in 12m)\n" +
			"  iat  1795428000  2026-11-23T10:00:00Z (now)\n" +
			"  jti  \"j1\"\n" +
			"  nbf  1795428000  2026-11-23T10:00:00Z (now)\n" +
			"  sub  \"alice\"\n"
	}
	tests := []struct {
		name       string
		args       []string
		stdin      string
		tty        [3]bool
		code       int
		stdout     string
		stderrHave string
	}{
		{"pipe", []string{"inspect", tok}, "", [3]bool{}, 0, body("signature not verified (give --key or --jwks to check it)"), ""},
		{"stdin", []string{"inspect", "-"}, "Bearer " + tok + "\n", [3]bool{}, 0, body("signature not verified (give --key or --jwks to check it)"), ""},
		{"stdout a terminal, stderr not", []string{"inspect", tok}, "", [3]bool{true, true, false}, 0, body("signature not verified (give --key or --jwks to check it)"), ""},
		{"--no-tui on a terminal", []string{"inspect", tok, "--no-tui"}, "", [3]bool{true, true, true}, 0, body("signature not verified (give --key or --jwks to check it)"), ""},
		{"verified", []string{"inspect", tok, "--key", ed.pub}, "", [3]bool{}, 0, body("✓ verified: EdDSA signature by key " + ed.key.KeyID()), ""},
		{"wrong key", []string{"inspect", tok, "--key", ec.pub}, "", [3]bool{}, 1,
			body("✗ invalid: alg EdDSA is not allowed for the EC P-256 key \"" + ec.key.KeyID() + "\" (allowed: ES256)"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.in.Reset()
			e.in.WriteString(tt.stdin)
			e.f.IOStreams.SetTTY(tt.tty[0], tt.tty[1], tt.tty[2])
			code, err := e.run(tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %v", code, tt.code, err)
			}
			if e.out.String() != tt.stdout {
				t.Errorf("stdout\n got: %q\nwant: %q", e.out, tt.stdout)
			}
			if strings.Contains(e.out.String()+e.errOut.String(), "\x1b[") {
				t.Errorf("an escape sequence in plain output")
			}
		})
	}
}

func TestInspectWrongKeyError(t *testing.T) {
	e := newEnv(t)
	ed := e.writeKey(t, "ed25519")
	rsa := e.writeKey(t, "rsa")
	tok := e.sign(t, "--key", ed.priv, "--exp", "-5m")
	for _, tt := range []struct {
		name, key, kind string
	}{{"expired", ed.pub, "token_expired"}, {"other key", rsa.pub, "token_algorithm"}} {
		t.Run(tt.name, func(t *testing.T) {
			code, err := e.run("inspect", tok, "--key", tt.key)
			if code != 1 || errorKind(err) != tt.kind {
				t.Fatalf("exit %d kind %q, want 1 %q: %v", code, errorKind(err), tt.kind, err)
			}
			if want := "✗ invalid: " + err.Error() + "\n"; !strings.Contains(e.out.String(), want) {
				t.Errorf("stdout lacks %q:\n%s", want, e.out)
			}
		})
	}
}

func TestInspectTUIOnTerminal(t *testing.T) {
	e := newEnv(t)
	ed := e.writeKey(t, "ed25519")
	tok := e.sign(t, "--key", ed.priv, "--sub", "alice", "--exp", "12m")
	e.f.IOStreams.SetTTY(true, true, true)
	var ran tea.Model
	var ranOn io.Writer
	tuiErr := error(nil)
	run := func(args ...string) error {
		e.out.Reset()
		e.errOut.Reset()
		cmd := NewCmdInspect(e.f, func(o *InspectOptions) error {
			o.RunTUI = func(m tea.Model, out io.Writer) error { ran, ranOn = m, out; return tuiErr }
			return runInspect(o)
		})
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		return cmd.Execute()
	}
	if err := run(tok, "--key", ed.pub); err != nil {
		t.Fatal(err)
	}
	m, ok := ran.(jwtview.Model)
	if !ok {
		t.Fatalf("the screen was not run (got %T)", ran)
	}
	if ranOn != e.f.IOStreams.ErrOut {
		t.Error("the screen is not drawn on standard error")
	}
	if e.out.Len() != 0 {
		t.Errorf("stdout must stay empty under the screen, got %q", e.out)
	}
	if v := m.View(); !strings.Contains(v, "✓ verified: EdDSA signature by key") || !strings.Contains(v, `sub  "alice"`) {
		t.Errorf("screen:\n%s", v)
	}

	tuiErr = errors.New("could not open /dev/tty")
	if err := run(tok); err == nil || err.Error() != "terminal screen: could not open /dev/tty" {
		t.Errorf("error = %v", err)
	}
}

func TestInspectUsage(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"both key sources", []string{"inspect", "x", "--key", "a", "--jwks", "b"}, 2, "give at most one of --jwks or --key"},
		{"bad alg", []string{"inspect", "x", "--key", "a", "--alg", "HS256"}, 2, "--alg: "},
		{"no argument", []string{"inspect"}, 2, ""},
		{"not a token", []string{"inspect", "abc"}, 1, ""},
		{"empty stdin", []string{"inspect", "-"}, 1, "no token given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.in.Reset()
			code, err := e.run(tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %v", code, tt.code, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q lacks %q", err, tt.msg)
			}
			if e.out.Len() != 0 {
				t.Errorf("stdout %q", e.out)
			}
		})
	}
}
