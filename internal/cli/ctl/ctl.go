// Package ctl implements `oauthkit ctl`: one subcommand per operation of
// the control API of `oauthkit serve --control` (docs/control.md).
package ctl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/cli/serve"
	"github.com/oauthkit/oauthkit/internal/control"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// Environment variables read when the flags are not given.
const (
	EnvIssuer       = "OAUTHKIT_ISSUER"
	EnvControlToken = "OAUTHKIT_CONTROL_TOKEN"
)

// Options are the flags every ctl verb shares.
type Options struct {
	Factory   *cmdutil.Factory
	Issuer    string
	TokenFile string
	Insecure  bool
	Timeout   time.Duration
}

// NewCmdCtl returns the `oauthkit ctl` command group.
func NewCmdCtl(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "ctl <command>",
		Short: "Steer a running 'oauthkit serve --control' from a test",
		Long: `Steer a server started with 'oauthkit serve --control' through its control
API (docs/control.md): make the next requests to an endpoint fail, tamper
with answers to test a client, approve the next login as a user, add
claims, skew the clock, rotate keys, revoke tokens in bulk, and read the
log of the requests an application made.

The server is --issuer (env OAUTHKIT_ISSUER). The control token is read
from --control-token-file, else from the environment variable
OAUTHKIT_CONTROL_TOKEN (its value), else from the control-token file in the
default state directory, where 'oauthkit serve --control' keeps it. The
token is never taken as an argument.

The result goes to standard output (-o json for scripts); errors are one
line on standard error. The exit codes are those of 'oauthkit help
exit-codes': a bad command line is 2, a call the server refused (wrong
token, bad value, unknown user) 3, a server that cannot be reached 4.`,
		Example: `  oauthkit serve --store memory --addr 127.0.0.1:0 --control > issuer.txt &
  export OAUTHKIT_ISSUER=$(head -1 issuer.txt)
  oauthkit ctl fail --endpoint token --error invalid_grant
  oauthkit ctl login-as bob
  oauthkit ctl claims --user alice --set department=qa
  oauthkit ctl clock --skew 1h
  oauthkit ctl requests --endpoint token -o json
  oauthkit ctl reset`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&opts.Issuer, "issuer", "", "issuer URL of the server (env "+EnvIssuer+")")
	pf.StringVar(&opts.TokenFile, "control-token-file", "", "read the control token from this `FILE` (else env "+EnvControlToken+", else the state directory's control-token)")
	pf.BoolVar(&opts.Insecure, "insecure", false, "allow a plain http issuer that is not loopback (the token crosses the network unencrypted)")
	pf.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "time limit of the call")
	cmd.AddCommand(
		newCmdFail(opts), newCmdTamper(opts), newCmdLoginAs(opts), newCmdClaims(opts), newCmdClock(opts),
		newCmdRotateKeys(opts), newCmdRetireKey(opts), newCmdKeys(opts), newCmdRevoke(opts),
		newCmdRequests(opts), newCmdReset(opts), newCmdState(opts),
	)
	return cmd
}

// client checks the common flags and reads the token (usage errors, exit 2).
func (o *Options) client() (*control.Client, error) {
	getenv := o.Factory.Getenv
	issuer, name := o.Issuer, "--issuer"
	if issuer == "" {
		issuer, name = getenv(EnvIssuer), EnvIssuer
	}
	if issuer == "" {
		return nil, cmdutil.UsageErrorf("name the server: --issuer URL or %s", EnvIssuer)
	}
	if err := flow.CheckURL(name, issuer, o.Insecure); err != nil {
		return nil, cmdutil.UsageErrorf("%v", err)
	}
	if o.Timeout <= 0 {
		return nil, cmdutil.UsageErrorf("--timeout must be positive, got %s", o.Timeout)
	}
	token, err := o.token()
	if err != nil {
		return nil, err
	}
	hc := *o.Factory.HTTPClient()
	hc.Timeout = o.Timeout
	return &control.Client{Issuer: issuer, Token: token, HTTP: &hc}, nil
}

// token finds the control token: the file, the environment, the default
// state directory's file.
func (o *Options) token() (string, error) {
	if o.TokenFile != "" {
		return readTokenFile(o.TokenFile)
	}
	if tok := o.Factory.Getenv(EnvControlToken); tok != "" {
		return tok, nil
	}
	path, err := serve.DefaultControlTokenFile(o.Factory.Getenv)
	if err != nil {
		return "", cmdutil.UsageErrorf("no control token: use --control-token-file FILE or %s (%v)", EnvControlToken, err)
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return "", cmdutil.UsageErrorf("no control token: use --control-token-file FILE or %s (%s does not exist: was the server started with --control and the default state directory?)", EnvControlToken, path)
	}
	return readTokenFile(path)
}

func readTokenFile(path string) (string, error) {
	tok, err := control.ReadTokenFile(path)
	if err == nil {
		return tok, nil
	}
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
		return "", cmdutil.UnreadableInput(err)
	}
	return "", cmdutil.UsageErrorf("--control-token-file: %v", err)
}

// call runs one control call with the client and maps its error to an
// exit code: refused 3, unreachable 4, timed out 5.
func (o *Options) call(fn func(ctx context.Context, c *control.Client) error) error {
	c, err := o.client()
	if err != nil {
		return err
	}
	return mapError(fn(context.Background(), c))
}

func mapError(err error) error {
	var (
		ee *cmdutil.ExitError
		re *control.RefusedError
		ue *control.UnreachableError
		ne net.Error
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		return err
	case errors.As(err, &re):
		return cmdutil.OAuthError(err)
	case errors.As(err, &ue) && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()):
		return cmdutil.TimeoutError(err)
	case errors.As(err, &ue):
		return cmdutil.NetworkError(err)
	}
	return cmdutil.Failf("%v", err)
}

// addTimes adds --times and --always to a verb that queues something.
func addTimes(cmd *cobra.Command, times *int, always *bool, what string) {
	cmd.Flags().IntVar(times, "times", 1, "how many matching requests "+what)
	cmd.Flags().BoolVar(always, "always", false, "every matching request until 'ctl reset'")
	cmd.MarkFlagsMutuallyExclusive("times", "always")
}

// wireTimes is the wire's times for the flags.
func wireTimes(times int, always bool) (int, error) {
	if always {
		return control.TimesAlways, nil
	}
	if times < 1 {
		return 0, cmdutil.UsageErrorf("--times %d: give 1 or more (--always: every request until reset)", times)
	}
	return times, nil
}

// timesText reads a queued entry's times for people.
func timesText(n int) string {
	switch n {
	case control.TimesAlways:
		return "every time until reset"
	case 1:
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// forClient is " for client ID" or "".
func forClient(id string) string {
	if id == "" {
		return ""
	}
	return " for client " + id
}

// printResult writes v as JSON (-o json) or the line.
func (o *Options) printResult(output string, v any, line string) error {
	out := o.Factory.IOStreams.Out
	if output == "json" {
		return cmdutil.WriteJSON(out, v)
	}
	_, err := fmt.Fprintln(out, line)
	return err
}

// addOutput adds -o text|json and returns a check for it.
func addOutput(cmd *cobra.Command, target *string, formats ...string) {
	if len(formats) == 0 {
		formats = []string{"text", "json"}
	}
	cmdutil.AddOutputFlag(cmd, target, formats...)
	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		if err := cmdutil.CheckOutput(*target, formats...); err != nil {
			return err
		}
		if prev != nil {
			return prev(c, args)
		}
		return nil
	}
}
