package basic

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

// run executes `basic ARGS` and returns stdout, stderr and the exit code.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	f := cmdutil.NewFactory(ios, func(k string) string { return env[k] })
	cmd := NewCmdBasic(f)
	return execute(t, cmd, out, errOut, args)
}

func execute(t *testing.T, cmd *cobra.Command, out, errOut *bytes.Buffer, args []string) (string, string, int) {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	for _, c := range cmd.Commands() {
		c.SilenceErrors, c.SilenceUsage = true, true
	}
	_, err := cmd.ExecuteC()
	if err != nil {
		errOut.WriteString("ERROR: " + err.Error() + "\n")
	}
	return out.String(), errOut.String(), cmdutil.ExitCode(err)
}

func TestEncodeFlags(t *testing.T) {
	tests := []struct {
		args []string
		want EncodeOptions
	}{
		{[]string{"web"}, EncodeOptions{ClientID: "web", Output: "text"}},
		{[]string{"web", ""}, EncodeOptions{ClientID: "web", SecretArg: true, Output: "text"}},
		{[]string{"web", "s", "--raw", "--header", "-o", "json"}, EncodeOptions{ClientID: "web", Secret: "s", SecretArg: true, Raw: true, Header: true, Output: "json"}},
		{[]string{"--secret-file", "-", "web"}, EncodeOptions{ClientID: "web", SecretFile: "-", Output: "text"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			var got *EncodeOptions
			cmd := NewCmdEncode(cmdutil.NewFactory(ios, nil), func(o *EncodeOptions) error { got = o; return nil })
			if _, _, code := execute(t, cmd, out, errOut, tt.args); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			got.Factory = nil
			if *got != tt.want {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestDecodeFlags(t *testing.T) {
	ios, _, out, errOut := iostreams.Test()
	var got *DecodeOptions
	cmd := NewCmdDecode(cmdutil.NewFactory(ios, nil), func(o *DecodeOptions) error { got = o; return nil })
	if _, _, code := execute(t, cmd, out, errOut, []string{"-", "--raw", "-o", "json"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got.Value != "-" || !got.Raw || got.Output != "json" {
		t.Errorf("options = %+v", *got)
	}
}

func TestEncode(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret.txt")
	if err := os.WriteFile(secretFile, []byte("p@ss:w+rd %x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(emptyFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	const (
		form = "bXktY2xpZW50OnAlNDBzcyUzQXclMkJyZCslMjV4" // my-client:p%40ss%3Aw%2Brd+%25x
		raw  = "bXktY2xpZW50OnBAc3M6dytyZCAleA=="         // my-client:p@ss:w+rd %x
	)
	env := map[string]string{SecretEnvVar: "p@ss:w+rd %x"}
	// Issue 14 item 15: a secret given as an argument is warned about, as
	// --client-secret is; a file, standard input or the variable are not.
	const argvWarning = "warning: the CLIENT_SECRET argument is visible to other users of this machine (process list, shell history); use --secret-file FILE (- for standard input) or OAUTHKIT_CLIENT_SECRET\n"
	tests := []struct {
		name   string
		env    map[string]string
		stdin  string
		args   []string
		stdout string
		stderr string
		code   int
	}{
		{name: "argv", args: []string{"encode", "my-client", "p@ss:w+rd %x"}, stderr: argvWarning, stdout: form + "\n"},
		{name: "raw", args: []string{"encode", "my-client", "p@ss:w+rd %x", "--raw"}, stderr: argvWarning, stdout: raw + "\n"},
		{name: "header", args: []string{"encode", "my-client", "p@ss:w+rd %x", "--header"}, stderr: argvWarning, stdout: "Authorization: Basic " + form + "\n"},
		{name: "json", args: []string{"encode", "my-client", "p@ss:w+rd %x", "--raw", "-o", "json"}, stderr: argvWarning,
			stdout: "{\n  \"value\": \"" + raw + "\",\n  \"header\": \"Authorization: Basic " + raw + "\"\n}\n"},
		{name: "file", args: []string{"encode", "my-client", "--secret-file", secretFile}, stdout: form + "\n"},
		{name: "stdin", stdin: "p@ss:w+rd %x\r\n", args: []string{"encode", "my-client", "--secret-file", "-"}, stdout: form + "\n"},
		{name: "env", env: env, args: []string{"encode", "my-client"}, stdout: form + "\n"},
		{name: "argv beats env", env: env, args: []string{"encode", "web", ""}, stderr: argvWarning, stdout: "d2ViOg==\n"},
		{name: "file beats env", env: env, args: []string{"encode", "web", "--secret-file", emptyFile}, stdout: "d2ViOg==\n"},

		{name: "no secret", args: []string{"encode", "web"}, code: 2,
			stderr: "ERROR: no client secret: give it as the CLIENT_SECRET argument, with --secret-file FILE (- for standard input), or in OAUTHKIT_CLIENT_SECRET\n"},
		{name: "argv and file", args: []string{"encode", "web", "s", "--secret-file", secretFile}, code: 2,
			stderr: "ERROR: give the secret either as the CLIENT_SECRET argument or with --secret-file, not both\n"},
		{name: "missing file", args: []string{"encode", "web", "--secret-file", filepath.Join(dir, "nope")}, code: 2,
			stderr: "ERROR: " + filepath.Join(dir, "nope") + ": no such file or directory\n"},
		{name: "no args", args: []string{"encode"}, code: 2,
			stderr: "ERROR: basic encode takes 1 to 2 argument(s), got 0 (see 'basic encode --help')\n"},
		{name: "bad output", args: []string{"encode", "web", "s", "-o", "yaml"}, code: 2,
			stderr: "ERROR: --output \"yaml\" is not one of text, json\n"},
		{name: "empty id", args: []string{"encode", "", "s"}, code: 1,
			stderr: argvWarning + "ERROR: client_id is empty (RFC 6749 §2.3.1)\n"},
		{name: "colon raw", args: []string{"encode", "a:b", "s", "--raw"}, code: 1,
			stderr: argvWarning + "ERROR: client_id contains a ':', which raw HTTP Basic cannot carry (RFC 7617 §2); the RFC 6749 §2.3.1 form-encoding can; drop --raw to form-encode it\n"},
		{name: "control char", args: []string{"encode", "web", "a\nb"}, code: 1,
			stderr: argvWarning + "ERROR: client_secret contains a control character (U+000A at byte 1); RFC 6749 Appendix A allows none\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := run(t, tt.env, tt.stdin, tt.args...)
			if stdout != tt.stdout || stderr != tt.stderr || code != tt.code {
				t.Errorf("got exit %d\nstdout %q\nstderr %q\nwant exit %d\nstdout %q\nstderr %q", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	const form = "bXktY2xpZW50OnAlNDBzcyUzQXclMkJyZCslMjV4" // my-client:p%40ss%3Aw%2Brd+%25x
	const note = "note: form-decoded as RFC 6749 §2.3.1 requires; --raw shows the text as sent (e.g. by curl -u)\n"
	tests := []struct {
		name   string
		stdin  string
		args   []string
		stdout string
		stderr string
		code   int
	}{
		{name: "value", args: []string{"decode", "d2ViOnMzY3JldA=="}, stdout: "client_id: web\nclient_secret: s3cret\n"},
		{name: "form", args: []string{"decode", form}, stdout: "client_id: my-client\nclient_secret: p@ss:w+rd %x\n", stderr: note},
		{name: "raw", args: []string{"decode", "Basic " + form, "--raw"}, stdout: "client_id: my-client\nclient_secret: p%40ss%3Aw%2Brd+%25x\n"},
		{name: "header json", args: []string{"decode", "Authorization: Basic " + form, "-o", "json"},
			stdout: "{\n  \"client_id\": \"my-client\",\n  \"client_secret\": \"p@ss:w+rd %x\"\n}\n", stderr: note},
		{name: "stdin", stdin: "authorization: basic d2ViOnMzY3JldA==\n", args: []string{"decode", "-"}, stdout: "client_id: web\nclient_secret: s3cret\n"},

		{name: "bearer", args: []string{"decode", "Bearer abc"}, code: 1,
			stderr: "ERROR: authorization scheme is \"Bearer\", not \"Basic\" (RFC 7617 §2)\n"},
		{name: "not base64", args: []string{"decode", "web:s3cret"}, code: 1,
			stderr: "ERROR: credentials are not valid base64 (RFC 7617 §2); the value contains a ':', was it given before encoding?\n"},
		{name: "bad escape", args: []string{"decode", "d2ViOiV6eiE="}, code: 1,
			stderr: "ERROR: client_secret is not form-urlencoded as RFC 6749 §2.3.1 requires: the '%' at byte 0 is not followed by two hex digits (use --raw if the credentials were not form-encoded)\n"},
		{name: "empty stdin", args: []string{"decode", "-"}, code: 1, stderr: "ERROR: no credentials: the value is empty\n"},
		{name: "two args", args: []string{"decode", "a", "b"}, code: 2,
			stderr: "ERROR: basic decode takes 1 argument(s), got 2 (see 'basic decode --help')\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := run(t, nil, tt.stdin, tt.args...)
			if stdout != tt.stdout || stderr != tt.stderr || code != tt.code {
				t.Errorf("got exit %d\nstdout %q\nstderr %q\nwant exit %d\nstdout %q\nstderr %q", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}
