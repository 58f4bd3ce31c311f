package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := cmdutil.NewFactory(ios, func(string) string { return "" })
	f.Now = func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }
	code = MainWithFactory(args, f)
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		stderr   string
		noStdout bool
	}{
		{"ok", []string{"version"}, 0, "", false},
		{"unknown command", []string{"frobnicate"}, 2, `oauthkit: unknown command "frobnicate" for "oauthkit"`, true},
		{"unknown flag", []string{"version", "--frob"}, 2, "oauthkit: unknown flag: --frob (see 'oauthkit version --help')", true},
		{"extra argument", []string{"version", "x"}, 2, `oauthkit: oauthkit version takes no arguments, got "x"`, true},
		{"bad output", []string{"version", "-o", "xml"}, 2, `oauthkit: --output "xml" is not one of text, json`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.HasPrefix(errOut, tt.stderr) {
				t.Errorf("stderr %q, want prefix %q", errOut, tt.stderr)
			}
			if tt.stderr != "" && strings.Count(errOut, "\n") != 1 {
				t.Errorf("stderr should be one line, got %q", errOut)
			}
			if tt.noStdout && out != "" {
				t.Errorf("stdout should be empty on error, got %q", out)
			}
		})
	}
}

func TestJSONErrorOnStderr(t *testing.T) {
	code, out, errOut := runCLI(t, "version", "-o", "json", "extra")
	if code != 2 || out != "" {
		t.Fatalf("code %d stdout %q", code, out)
	}
	for _, want := range []string{`"kind": "usage"`, `"exit_code": 2`, `"message": "oauthkit version takes no arguments`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
}

func TestExitCodesTopic(t *testing.T) {
	code, out, _ := runCLI(t, "help", "exit-codes")
	if code != 0 {
		t.Fatalf("code %d", code)
	}
	for _, want := range []string{"0    success", "2    usage error", "3    the authorization server", "4    network", "5    timed out", "130  cancelled"} {
		if !strings.Contains(out, want) {
			t.Errorf("exit-codes help lacks %q", want)
		}
	}
}
