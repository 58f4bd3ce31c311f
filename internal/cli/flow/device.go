package flow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/termtext"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/internal/tui/flowprogress"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// defaultDeviceTimeout bounds the whole device grant; the code's
// expires_in usually ends it first.
const defaultDeviceTimeout = 15 * time.Minute

// deviceRequestTimeout bounds each request: a poll that times out is
// retried at a doubled interval (RFC 8628 §3.5) instead of hanging.
const deviceRequestTimeout = 30 * time.Second

// DeviceOptions are the options of `oauthkit flow device`.
type DeviceOptions struct {
	clientopts.CommonOptions
	DeviceAuthorizationURL string
	NoBrowser              bool
	NoTUI                  bool
	// Opener opens the browser; tests replace it.
	Opener flow.Opener
	// sleep waits between polls; tests replace it (nil: a real timer).
	sleep func(context.Context, time.Duration) error
	// runProgress runs the progress view's program; tests replace it.
	runProgress progressRunner
}

// NewCmdDevice returns `oauthkit flow device`.
func NewCmdDevice(f *cmdutil.Factory, runF func(*DeviceOptions) error) *cobra.Command {
	opts := &DeviceOptions{CommonOptions: clientopts.CommonOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "device",
		Short: "Sign in on another device with a user code (device authorization grant)",
		Long: `Run the device authorization grant (RFC 8628), for a client that cannot
take a redirect: a shell on a remote machine, a container, a TV.

oauthkit asks the device authorization endpoint (device_authorization_endpoint
from the server's metadata, or --device-authorization-url) for a device code,
prints the verification URL and the user code on standard error (each URL
alone on its line) and opens the browser at verification_uri_complete unless
--no-browser. A person opens the URL on any device, enters the code, signs in
and approves. Meanwhile oauthkit polls the token endpoint every interval
seconds (5 when the server names none), 5 s slower after each slow_down, and
never after the code expired.

On a terminal a progress view shows the polling, the countdown to the code's
expiry and, above it, a QR code of verification_uri_complete for a phone
(--no-tui: plain lines, as in a pipe).

The tokens go to standard output (-o json|token|header|env). A denial
(access_denied) or another OAuth error exits 3; a code that expired
(expired_token, or expires_in passed) or --timeout (default 15m) exits 5
(timed out); Ctrl-C exits 130 (oauthkit help exit-codes).`,
		Example: `  oauthkit flow device --issuer http://127.0.0.1:8080 --client-id oauthkit-demo-device --scope read
  oauthkit flow device --issuer http://127.0.0.1:8080 --client-id oauthkit-demo-device --no-browser -o token
  oauthkit flow device --device-authorization-url https://as.example/device --token-url https://as.example/token --client-id tv`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := prepare(&opts.CommonOptions); err != nil {
				return err
			}
			if u := opts.DeviceAuthorizationURL; u != "" {
				if err := flow.CheckURL("--device-authorization-url", u, opts.Insecure); err != nil {
					return cmdutil.UsageErrorf("%v", err)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return runDevice(opts)
		},
	}
	clientopts.AddCommonFlags(cmd, &opts.CommonOptions, defaultDeviceTimeout, clientopts.FlagSet{Endpoints: clientopts.TokenURL | clientopts.JWKSURL, Client: true, Request: true})
	clientopts.AddDPoPFlags(cmd, &opts.DPoP)
	fl := cmd.Flags()
	fl.StringVar(&opts.DeviceAuthorizationURL, "device-authorization-url", "", "device authorization endpoint (RFC 8628 §3.1; default: the metadata's)")
	clientopts.GroupFlag(cmd, "device-authorization-url", clientopts.GroupServer)
	fl.BoolVar(&opts.NoBrowser, "no-browser", false, "do not open a browser; only print the URL and the code (on stderr)")
	clientopts.GroupFlag(cmd, "no-browser", clientopts.GroupBrowser)
	clientopts.AddIDTokenFlags(cmd, &opts.IDToken)
	addNoTUIFlag(cmd, &opts.NoTUI)
	cmdutil.AddOutputFlag(cmd, &opts.Output, clientopts.TokenFormats...)
	clientopts.GroupFlag(cmd, "output", clientopts.GroupOutput)
	addRefreshTokenOutFlag(cmd, &opts.CommonOptions)
	return cmd
}

// opener is nil with --no-browser.
func (o *DeviceOptions) opener() flow.Opener {
	switch {
	case o.NoBrowser:
		return nil
	case o.Opener != nil:
		return o.Opener
	}
	return flow.SystemOpener{Getenv: o.Factory.Getenv, Stderr: o.Factory.IOStreams.ErrOut}
}

func runDevice(o *DeviceOptions) error {
	sctx, stop := clientopts.SignalContext()
	defer stop()
	ctx, cancel := context.WithTimeout(sctx, o.Timeout)
	defer cancel()
	c, err := o.Client(ctx)
	if err != nil {
		return deviceError(err)
	}
	hc := *c.HTTP
	if hc.Timeout == 0 || hc.Timeout > deviceRequestTimeout {
		hc.Timeout = deviceRequestTimeout
	}
	c.HTTP = &hc
	if c.Endpoints.Token == "" {
		return cmdutil.UsageErrorf("no token endpoint: give --issuer or --token-url")
	}
	endpoint := c.Endpoints.DeviceAuthorization
	if o.DeviceAuthorizationURL != "" {
		endpoint = o.DeviceAuthorizationURL
	}
	if endpoint == "" {
		return cmdutil.UsageErrorf("the server's metadata has no device_authorization_endpoint (RFC 8628 §4): it may not support the device grant; give --device-authorization-url if it does")
	}
	g := o.Grant()
	if err := clientopts.RequireIDTokenVerification(c, g.Scopes, ""); err != nil {
		return err
	}
	var tr *flow.TokenResponse
	if !o.NoTUI && !o.Verbose && o.Factory.IOStreams.CanRunTUI() {
		run := o.runProgress
		if run == nil {
			run = runTeaProgram
		}
		tr, err = o.runWithProgress(ctx, c, endpoint, g, nil, run)
	} else {
		tr, err = o.runPlain(ctx, c, endpoint, g)
	}
	var issued *flow.IssuedError
	if err != nil && tr != nil && errors.As(err, &issued) {
		return errors.Join(deviceError(err), emitToken(&o.CommonOptions, tr))
	}
	if err != nil {
		o.InvalidClientHint(c, err)
		return deviceError(err)
	}
	clientopts.OfflineAccessHint(&o.CommonOptions, g, tr)
	return emitToken(&o.CommonOptions, tr)
}

// deviceError maps an expired device code to exit 5 (timed out), the
// rest as every flow does: access_denied is an OAuth error (exit 3).
func deviceError(err error) error {
	var de *flow.DeviceExpiredError
	if errors.As(err, &de) {
		return cmdutil.TimeoutError(err)
	}
	return clientopts.MapError(err)
}

// runPlain prints the URL and the code as lines on standard error and
// polls; slow_down and backing off are told, each poll is not.
func (o *DeviceOptions) runPlain(ctx context.Context, c *flow.Client, endpoint string, g flow.Grant) (*flow.TokenResponse, error) {
	errOut := o.Factory.IOStreams.ErrOut
	d, err := c.DeviceAuthorize(ctx, endpoint, g, o.Insecure)
	if err != nil {
		return nil, err
	}
	fmt.Fprint(errOut, PlainDeviceInstructions(d, o.Factory.Now()))
	if op := o.opener(); op != nil {
		if err := op.Open(d.BrowserURL()); err != nil {
			fmt.Fprintf(errOut, "warning: could not open a browser (%v); open the URL above yourself\n", err)
		}
	}
	return c.PollDevice(ctx, d, flow.DevicePoller{Sleep: o.sleep, Progress: func(e flow.DeviceEvent) {
		switch e.Step {
		case flow.DeviceSlowDown:
			fmt.Fprintf(errOut, "slow_down: polling every %s now (RFC 8628 §3.5)\n", token.HumanDuration(e.Interval))
		case flow.DeviceBackoff:
			fmt.Fprintf(errOut, "the token endpoint did not answer in time: polling every %s now (RFC 8628 §3.5)\n", token.HumanDuration(e.Interval))
		}
	}})
}

// PlainDeviceInstructions is what a person reads without the progress view:
// each URL alone on its line, so it can be copied or followed.
func PlainDeviceInstructions(d *flow.DeviceAuthorization, now time.Time) string {
	s := fmt.Sprintf("On any device, open this URL and enter the code %s:\n\n%s\n\n", termtext.Clean(d.UserCode), termtext.Clean(d.VerificationURI))
	if d.VerificationURIComplete != "" {
		s += fmt.Sprintf("or open this URL, which carries the code:\n\n%s\n\n", termtext.Clean(d.VerificationURIComplete))
	}
	left := d.ExpiresAt.Sub(now).Round(time.Second)
	return s + fmt.Sprintf("Waiting for approval; the code expires in %s (%s).\n", token.HumanDuration(max(left, 0)), d.ExpiresAt.UTC().Format(time.RFC3339))
}

// runWithProgress runs the grant under the progress view on standard
// error. Cancelling in the view (q, Ctrl-C) ends it with flow.ErrCancelled.
func (o *DeviceOptions) runWithProgress(ctx context.Context, c *flow.Client, endpoint string, g flow.Grant, input io.Reader, run progressRunner) (*flow.TokenResponse, error) {
	ios := o.Factory.IOStreams
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	op := o.opener()
	// The opener's own output would scribble over the view.
	if so, ok := op.(flow.SystemOpener); ok {
		so.Stderr = io.Discard
		op = so
	}
	open := flow.SystemOpener{Getenv: o.Factory.Getenv, Stderr: io.Discard}.Open
	if op != nil {
		open = op.Open
	}
	m := flowprogress.New(flowprogress.Config{
		Title: "oauthkit flow device", Now: o.Factory.Now, Styles: theme.New(ios.ErrOut, ios.ColorEnabled()),
		Cancel: cancel, Open: open, Manual: op == nil, Device: true,
		CloseWhenDone: !ios.IsStdoutTTY(),
	})
	opts := []tea.ProgramOption{tea.WithOutput(ios.ErrOut), tea.WithoutSignalHandler()}
	if input != nil {
		opts = append(opts, tea.WithInput(input))
	} else {
		opts = append(opts, tea.WithInputTTY())
	}
	p := tea.NewProgram(m, opts...)
	type result struct {
		tr  *flow.TokenResponse
		err error
	}
	res := make(chan result, 1)
	go func() {
		p.Send(flowprogress.DiscoveredMsg{Issuer: c.Endpoints.Issuer})
		tr, err := func() (*flow.TokenResponse, error) {
			d, err := c.DeviceAuthorize(ctx, endpoint, g, o.Insecure)
			if err != nil {
				return nil, err
			}
			p.Send(flowprogress.DeviceAuthorizedMsg{Auth: d})
			if op != nil {
				if err := op.Open(d.BrowserURL()); err != nil {
					p.Send(flowprogress.EventMsg{Step: flow.StepBrowserFailed, Err: err})
				} else {
					p.Send(flowprogress.EventMsg{Step: flow.StepBrowserOpened})
				}
			}
			return c.PollDevice(ctx, d, flow.DevicePoller{Sleep: o.sleep, Progress: func(e flow.DeviceEvent) {
				p.Send(flowprogress.DevicePollMsg(e))
			}})
		}()
		res <- result{tr, err}
		p.Send(flowprogress.DoneMsg{Token: tr, Err: err})
	}()
	final, perr := run(p)
	p.Kill() // the program is over: later Sends return at once
	if perr != nil {
		cancel()
		<-res
		return nil, cmdutil.Failf("progress view: %v", perr)
	}
	if fm, ok := final.(flowprogress.Model); ok {
		if fm.Cancelled() {
			cancel()
			<-res
			return nil, flow.ErrCancelled
		}
		if s := fm.Final(); s != "" {
			fmt.Fprintln(ios.ErrOut, s)
		}
	}
	r := <-res
	return r.tr, r.err
}
