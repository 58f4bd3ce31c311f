package cli

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

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
	// -o json given explicitly: the error is one compact JSON line.
	code, out, errOut := runCLI(t, "version", "-o", "json", "extra")
	if code != 2 || out != "" {
		t.Fatalf("code %d stdout %q", code, out)
	}
	want := `{"error":{"kind":"usage","message":"oauthkit version takes no arguments, got \"extra\" (see 'oauthkit version --help')","exit_code":2}}` + "\n"
	if errOut != want {
		t.Errorf("stderr\n%s\nwant\n%s", errOut, want)
	}
}

// Issue 14 item 5: one line unless JSON was asked for, with --error-format
// json or an explicit -o json; a command whose default output is JSON
// (token introspect) still prints a text error.
func TestErrorFormat(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"default -o json is not asked for", []string{"token", "introspect", "x"}, 2,
			"oauthkit: --client-id is required\n"},
		{"--error-format json", []string{"--error-format", "json", "keys", "thumbprint", "/nonexistent/k.pem"}, 2,
			`{"error":{"kind":"usage","message":"/nonexistent/k.pem: no such file or directory","exit_code":2}}` + "\n"},
		{"--error-format json after the command", []string{"keys", "thumbprint", "/nonexistent/k.pem", "--error-format=json"}, 2,
			`{"error":{"kind":"usage","message":"/nonexistent/k.pem: no such file or directory","exit_code":2}}` + "\n"},
		{"--error-format text wins over -o json", []string{"version", "-o", "json", "--error-format", "text", "x"}, 2,
			"oauthkit: oauthkit version takes no arguments, got \"x\" (see 'oauthkit version --help')\n"},
		{"bad --error-format", []string{"--error-format", "yaml", "version"}, 2,
			"oauthkit: invalid argument \"yaml\" for \"--error-format\" flag: \"yaml\" is not one of text, json (see 'oauthkit version --help')\n"},
		{"json for an unknown command", []string{"--error-format", "json", "jwt", "verfy", "t"}, 2,
			`{"error":{"kind":"usage","message":"unknown command \"verfy\" for \"oauthkit jwt\"; did you mean \"verify\"? (see 'oauthkit jwt --help')","exit_code":2}}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.code || out != "" || errOut != tt.stderr {
				t.Errorf("exit %d, stdout %q, stderr\n%s\nwant exit %d, stderr\n%s", code, out, errOut, tt.code, tt.stderr)
			}
		})
	}
}

// Issue 14 item 1: a word that names no subcommand of a group is a usage
// error naming the group, with a suggestion, before any flag is looked at.
func TestUnknownSubcommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"jwt", "verfy", "tok"}, `unknown command "verfy" for "oauthkit jwt"; did you mean "verify"? (see 'oauthkit jwt --help')`},
		{[]string{"jwt", "verfy", "tok", "--key", "x"}, `unknown command "verfy" for "oauthkit jwt"; did you mean "verify"?`},
		{[]string{"token", "instrospect", "x"}, `unknown command "instrospect" for "oauthkit token"; did you mean "introspect"?`},
		{[]string{"completion", "fsh"}, `unknown command "fsh" for "oauthkit completion"; did you mean "bash" or "fish" or "zsh"?`},
		{[]string{"help", "nothing"}, `unknown command "nothing" for "oauthkit" (see 'oauthkit --help')`},
		{[]string{"help", "jwt", "verfy"}, `unknown command "verfy" for "oauthkit jwt"; did you mean "verify"?`},
		{[]string{"keys", "thumbprnt", "k.pem"}, `unknown command "thumbprnt" for "oauthkit keys"; did you mean "thumbprint"?`},
		{[]string{"basic", "encod", "id"}, `unknown command "encod" for "oauthkit basic"; did you mean "encode"?`},
		{[]string{"flow", "refesh", "--client-id", "x"}, `unknown command "refesh" for "oauthkit flow"; did you mean "refresh"?`},
		{[]string{"serve", "x"}, ``}, // not a group: its own argument check
		{[]string{"--error-format", "text", "verson"}, `unknown command "verson" for "oauthkit"; did you mean "version"?`},
		{[]string{"frobnicate"}, `unknown command "frobnicate" for "oauthkit" (see 'oauthkit --help')`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2, one line on stderr and nothing on stdout", code, out, errOut)
			}
			if tt.want != "" && !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q, want %q", errOut, tt.want)
			}
		})
	}
}

// A group named alone or asked for help still shows its help, exit 0.
func TestGroupHelp(t *testing.T) {
	for _, args := range [][]string{{"jwt"}, {"help", "jwt"}, {"jwt", "--help"}, {"help", "jwt", "verify"}, {"help"}} {
		code, out, errOut := runCLI(t, args...)
		if code != 0 || !strings.Contains(out, "Usage:") || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	code, out, errOut := runCLI(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "oauthkit ") || strings.Count(out, "\n") != 1 || errOut != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestExitCodesTopic(t *testing.T) {
	code, out, _ := runCLI(t, "help", "exit-codes")
	if code != 0 {
		t.Fatalf("code %d", code)
	}
	// Every row of the table, in order, with its name.
	rest := out
	for _, c := range cmdutil.ExitCodes() {
		row := fmt.Sprintf("\n  %-4d %s", c.Code, strings.Fields(c.Meaning)[0])
		i := strings.Index(rest, row)
		if i < 0 {
			t.Fatalf("exit-codes help lacks the row %q (or it is out of order):\n%s", row, out)
		}
		rest = rest[i+len(row):]
		if !strings.Contains(rest, "["+c.Name+"]") {
			t.Errorf("row %d lacks its name [%s]", c.Code, c.Name)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 80 {
			t.Errorf("line longer than 80 columns: %q", line)
		}
	}
}

// The help examples that use the demo confidential client give its secret
// (issue 14 item 17: `flow --help`'s refresh example lacked it).
func TestHelpExamplesGiveTheDemoSecret(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewRootCmd(cmdutil.NewFactory(ios, func(string) string { return "" }))
	var walk func(*cobra.Command)
	checked := 0
	walk = func(c *cobra.Command) {
		for _, line := range strings.Split(c.Example, "\n") {
			if strings.Contains(line+" ", "--client-id oauthkit-demo ") {
				checked++
				if !strings.Contains(line, "--client-secret") && !strings.Contains(line, "OAUTHKIT_CLIENT_SECRET") {
					t.Errorf("%s: the example %q uses the confidential demo client without its secret", c.CommandPath(), strings.TrimSpace(line))
				}
			}
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	if checked == 0 {
		t.Fatal("no example uses the demo client: is the check still looking at the right thing?")
	}
}

// A help text that lists exit codes lists exactly the table's (issue 14
// item 6: the help, the docs and the code cannot drift apart).
func TestHelpExitCodesMatchTable(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewRootCmd(cmdutil.NewFactory(ios, func(string) string { return "" }))
	var want []string
	for _, c := range cmdutil.ExitCodes() {
		want = append(want, fmt.Sprint(c.Code))
	}
	listRE := regexp.MustCompile(`(?s)Exit codes:(.*?)\.`)
	codeRE := regexp.MustCompile(`(?:^|,)\s*(\d+) `)
	found := 0
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if m := listRE.FindStringSubmatch(c.Long); m != nil {
			found++
			var got []string
			for _, cm := range codeRE.FindAllStringSubmatch(m[1], -1) {
				got = append(got, cm[1])
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s --help lists the exit codes %v, the table has %v", c.CommandPath(), got, want)
			}
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	if found == 0 {
		t.Fatal("no help text lists exit codes: is the check still looking at the right thing?")
	}
}

// Issue 14 item 16: the root's examples start with the server and a flow.
func TestRootExamplesIncludeServeAndFlow(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewRootCmd(cmdutil.NewFactory(ios, func(string) string { return "" }))
	for _, want := range []string{"\n  oauthkit serve", "\n  oauthkit flow client-credentials --issuer "} {
		if !strings.Contains("\n"+root.Example, want) {
			t.Errorf("oauthkit --help examples lack %q:\n%s", strings.TrimSpace(want), root.Example)
		}
	}
}

// Every command group, present and future, refuses an unknown subcommand
// (issue 14 item 1): found by walking the tree, not listed by hand.
func TestEveryGroupRefusesAnUnknownSubcommand(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewRootCmd(cmdutil.NewFactory(ios, func(string) string { return "" }))
	var groups [][]string
	var walk func(*cobra.Command, []string)
	walk = func(c *cobra.Command, path []string) {
		if c.HasSubCommands() {
			groups = append(groups, path)
		}
		for _, s := range c.Commands() {
			walk(s, append(append([]string{}, path...), s.Name()))
		}
	}
	walk(root, nil)
	if len(groups) < 6 {
		t.Fatalf("only %d command groups found: %v", len(groups), groups)
	}
	for _, g := range groups {
		args := append(append([]string{}, g...), "zzqx", "arg", "--no-such-flag", "x")
		code, out, errOut := runCLI(t, args...)
		want := fmt.Sprintf("oauthkit: unknown command \"zzqx\" for %q", strings.Join(append([]string{"oauthkit"}, g...), " "))
		if code != 2 || out != "" || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", args, code, out, errOut, want)
		}
	}
}
