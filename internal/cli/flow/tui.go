package flow

import (
	"context"
	"fmt"
	"io"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/tui/flowprogress"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// addNoTUIFlag registers --no-tui.
func addNoTUIFlag(cmd *cobra.Command, noTUI *bool) {
	cmd.Flags().BoolVar(noTUI, "no-tui", false, "no progress view: plain lines on stderr, as in a pipe")
	clientopts.GroupFlag(cmd, "no-tui", clientopts.GroupOutput)
}

// useProgressTUI: the live view only when a screen can run
// (IOStreams.CanRunTUI), --no-tui is not given and -v logs do not need
// standard error.
func useProgressTUI(o *clientopts.CommonOptions, noTUI bool) bool {
	return !noTUI && !o.Verbose && o.Factory.IOStreams.CanRunTUI()
}

// progressRunner runs a program; tests replace it.
type progressRunner func(p *tea.Program) (tea.Model, error)

func runTeaProgram(p *tea.Program) (tea.Model, error) { return p.Run() }

// runBrowserFlow runs bf under the progress view when useProgressTUI says
// so (run nil: a real program on the terminal), else with plain lines.
func runBrowserFlow(ctx context.Context, o *clientopts.CommonOptions, c *flow.Client, bf flow.BrowserFlow, title string, noTUI bool, run progressRunner) (*flow.TokenResponse, error) {
	if !useProgressTUI(o, noTUI) {
		return c.Run(ctx, bf)
	}
	if run == nil {
		run = runTeaProgram
	}
	return runWithProgress(ctx, o, c, bf, title, nil, run)
}

// runWithProgress runs bf under the progress view on standard error. The
// flow's own status lines are not written (the view shows the URL); its
// result is returned once the view is closed. Cancelling in the view
// (q, Ctrl-C) ends the flow with flow.ErrCancelled.
func runWithProgress(ctx context.Context, o *clientopts.CommonOptions, c *flow.Client, bf flow.BrowserFlow, title string, input io.Reader, run progressRunner) (*flow.TokenResponse, error) {
	ios := o.Factory.IOStreams
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The opener's own output would scribble over the view.
	if so, ok := bf.Opener.(flow.SystemOpener); ok {
		so.Stderr = io.Discard
		bf.Opener = so
	}
	var open func(string) error
	switch {
	case bf.Headless:
	case bf.Opener != nil:
		open = bf.Opener.Open
	default: // --no-browser: o still opens one when asked to
		open = flow.SystemOpener{Getenv: o.Factory.Getenv, Stderr: io.Discard}.Open
	}
	m := flowprogress.New(flowprogress.Config{
		Title: title, Now: o.Factory.Now, Styles: theme.New(ios.ErrOut, ios.ColorEnabled()),
		Cancel: cancel, Open: open, Manual: bf.Opener == nil && !bf.Headless,
		// The summary waits for a key only when a person reads standard
		// output too; TOKEN=$(oauthkit flow authcode …) must not wait.
		CloseWhenDone: !ios.IsStdoutTTY(),
		Implicit:      bf.Request.ResponseType != "code",
		Headless:      bf.Headless,
	})
	opts := []tea.ProgramOption{tea.WithOutput(ios.ErrOut), tea.WithoutSignalHandler()}
	if input != nil {
		opts = append(opts, tea.WithInput(input))
	} else {
		opts = append(opts, tea.WithInputTTY())
	}
	p := tea.NewProgram(m, opts...)
	bf.Status = io.Discard
	bf.Progress = func(e flow.Event) { p.Send(flowprogress.EventMsg(e)) }
	type result struct {
		tr  *flow.TokenResponse
		err error
	}
	res := make(chan result, 1)
	go func() {
		p.Send(flowprogress.DiscoveredMsg{Issuer: c.Endpoints.Issuer})
		tr, err := c.Run(ctx, bf)
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
		// The steps and the whole summary, as lines that scroll like any
		// output: the live view was cut to the terminal's height.
		if s := fm.Final(); s != "" {
			fmt.Fprintln(ios.ErrOut, s)
		}
	}
	r := <-res
	return r.tr, r.err
}
