package jwt

import (
	"fmt"
	"io"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/internal/tui/jwtview"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// InspectOptions of `oauthkit jwt inspect`.
type InspectOptions struct {
	Factory  *cmdutil.Factory
	Token    string // the argument: a token, "Bearer <token>" or "-"
	JWKS     string
	KeyFile  string
	Algs     []string
	Timeout  time.Duration
	Insecure bool
	NoTUI    bool
	// RunTUI runs the screen on the terminal (stderr); tests replace it.
	RunTUI func(m tea.Model, out io.Writer) error
}

// NewCmdInspect returns `oauthkit jwt inspect`; runF replaces the run in tests.
func NewCmdInspect(f *cmdutil.Factory, runF func(*InspectOptions) error) *cobra.Command {
	opts := &InspectOptions{Factory: f, RunTUI: runProgram}
	cmd := &cobra.Command{
		Use:   "inspect <token>|- [--jwks URL|FILE | --key FILE]",
		Short: "Look at a JWT: header, claims, times and a live expiry countdown",
		Long: `Show a JWT for a person: its header and claims (token order), the time
claims (exp, nbf, iat, auth_time) as dates and relative times ("in 12m",
"3m ago"), and how long until it expires. With --key or --jwks the token is
also verified exactly as 'oauthkit jwt verify' does (signature, then exp,
nbf and iat) and the result is shown.

On a terminal (standard output and standard error both terminals, TERM not
dumb) this is a live screen on standard error, without colour under NO_COLOR:
the countdown runs; q, Esc or Ctrl-C quits; the arrow keys and page keys
scroll. Otherwise (a pipe, a file, TERM=dumb, or --no-tui) the same
information is printed once as plain text on standard output, without colour
or escape sequences.

The exit code is 1 when --key/--jwks was given and the token does not verify
(the reason also goes to standard error), else 0. Use 'oauthkit jwt decode
-o json' or 'oauthkit jwt verify -o json' for machine-readable output.`,
		Example: `  oauthkit jwt inspect "$TOKEN"
  oauthkit jwt inspect - --key keys/oauthkit.pub.pem < token.txt
  oauthkit jwt inspect "$TOKEN" --jwks http://127.0.0.1:8080/jwks.json --no-tui`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.JWKS != "" && opts.KeyFile != "" {
				return cmdutil.UsageErrorf("give at most one of --jwks or --key")
			}
			for _, a := range opts.Algs {
				if err := token.CheckAlgName(a); err != nil {
					return cmdutil.UsageErrorf("--alg: %v", err)
				}
			}
			if opts.Timeout <= 0 {
				return cmdutil.UsageErrorf("--timeout must be positive, got %s", opts.Timeout)
			}
			opts.Token = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runInspect(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.JWKS, "jwks", "", "also verify with this JWKS: an https:// URL or a file")
	fl.StringVar(&opts.KeyFile, "key", "", "also verify with this key file: PEM, JWK or JWKS")
	fl.StringSliceVar(&opts.Algs, "alg", nil, "accepted algorithms, comma-separated (default: each key's own)")
	fl.DurationVar(&opts.Timeout, "timeout", 10*time.Second, "time limit for fetching a JWKS URL")
	fl.BoolVar(&opts.Insecure, "insecure", false, "allow a plain http:// JWKS URL to any host and skip TLS certificate checks (unsafe)")
	fl.BoolVar(&opts.NoTUI, "no-tui", false, "print plain text once, even on a terminal")
	return cmd
}

func runInspect(opts *InspectOptions) error {
	f := opts.Factory
	tok, err := readToken(f, opts.Token)
	if err != nil {
		return err
	}
	d, err := token.Decode(tok)
	if err != nil {
		return tokenError(err)
	}
	info, err := jwtview.FromDecoded(d)
	if err != nil {
		return cmdutil.Failf("%v", err)
	}
	verr, err := inspectVerify(opts, tok, &info)
	if err != nil {
		return err
	}
	ios := f.IOStreams
	if useInspectTUI(opts) {
		m := jwtview.New(info, f.Now, theme.New(ios.ErrOut, ios.ColorEnabled()))
		if err := opts.RunTUI(m, ios.ErrOut); err != nil {
			return cmdutil.Failf("terminal screen: %v", err)
		}
	} else if _, err := fmt.Fprintln(ios.Out, jwtview.Body(info, f.Now(), theme.Plain(), 0)); err != nil {
		return err
	}
	return verr
}

// useInspectTUI: a live screen only when standard output is a terminal too
// (a pipe gets the plain text), a screen can run (IOStreams.CanRunTUI) and
// --no-tui is not given.
func useInspectTUI(opts *InspectOptions) bool {
	ios := opts.Factory.IOStreams
	return !opts.NoTUI && ios.IsStdoutTTY() && ios.CanRunTUI()
}

// inspectVerify verifies tok when keys were given and records the result in
// info. A token that does not verify is returned as verr (exit 1, after the
// information is shown); err is a failure to load the keys.
func inspectVerify(opts *InspectOptions, tok string, info *jwtview.Info) (verr, err error) {
	if opts.JWKS == "" && opts.KeyFile == "" {
		return nil, nil
	}
	vo := &VerifyOptions{Factory: opts.Factory, JWKS: opts.JWKS, KeyFile: opts.KeyFile, Timeout: opts.Timeout, Insecure: opts.Insecure}
	ks, err := loadVerifyKeys(vo)
	if err != nil {
		return nil, err
	}
	v := &token.Verifier{Keys: ks, Algs: opts.Algs, Now: opts.Factory.Now}
	got, err := v.Verify(tok)
	if err != nil {
		info.Verify = jwtview.Verification{Checked: true, Detail: err.Error()}
		return tokenError(err), nil
	}
	info.Verify = jwtview.Verification{Checked: true, OK: true, Detail: fmt.Sprintf("%s signature by key %s", got.Alg, keyName(got.Key.KeyID()))}
	return nil, nil
}

func keyName(kid string) string {
	if kid == "" {
		return "(no kid)"
	}
	return kid
}

// runProgram runs m full screen-less on out, reading keys from the
// terminal itself (standard input may have carried the token).
func runProgram(m tea.Model, out io.Writer) error {
	_, err := tea.NewProgram(m, tea.WithOutput(out), tea.WithInputTTY()).Run()
	return err
}
