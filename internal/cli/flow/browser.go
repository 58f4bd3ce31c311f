package flow

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// BrowserOptions are the flags of the grants that go through a browser.
type BrowserOptions struct {
	NoBrowser    bool
	Headless     bool
	CallbackHost string
	CallbackPort int
	CallbackPath string
	RedirectURI  string
	ResponseMode string
	// Opener opens the browser; tests replace it.
	Opener flow.Opener
}

func addBrowserFlags(cmd *cobra.Command, b *BrowserOptions, modes string) {
	fl := cmd.Flags()
	fl.BoolVar(&b.NoBrowser, "no-browser", false, "do not open a browser; only print the URL (on stderr)")
	fl.BoolVar(&b.Headless, "headless", false, "no browser: follow the redirects itself (CI, auto-approving servers)")
	fl.StringVar(&b.CallbackHost, "callback-host", "127.0.0.1", "redirect host: 127.0.0.1|localhost|[::1]")
	fl.IntVar(&b.CallbackPort, "callback-port", 0, "port of the loopback redirect (0 = a free one)")
	fl.StringVar(&b.CallbackPath, "callback-path", "/callback", "path of the loopback redirect")
	fl.StringVar(&b.RedirectURI, "redirect-uri", "", "http://127.0.0.1[:PORT]/PATH (no port or :0 = a free one)")
	fl.StringVar(&b.ResponseMode, "response-mode", "", "response_mode: "+modes+" (default: the server's)")
	for _, n := range []string{"no-browser", "headless", "callback-host", "callback-port", "callback-path", "redirect-uri"} {
		clientopts.GroupFlag(cmd, n, clientopts.GroupBrowser)
	}
	clientopts.GroupFlag(cmd, "response-mode", clientopts.GroupRequest)
}

// applyProfile fills the catcher settings no flag set.
func (b *BrowserOptions) applyProfile(cmd *cobra.Command, p *flow.Profile) {
	if p == nil {
		return
	}
	fl := cmd.Flags()
	if !fl.Changed("redirect-uri") && !fl.Changed("callback-host") && !fl.Changed("callback-port") && !fl.Changed("callback-path") && p.RedirectURI != "" {
		b.RedirectURI = p.RedirectURI
		return
	}
	if !fl.Changed("callback-host") && p.CallbackHost != "" {
		b.CallbackHost = p.CallbackHost
	}
	if !fl.Changed("callback-port") && p.CallbackPort != 0 {
		b.CallbackPort = p.CallbackPort
	}
	if !fl.Changed("callback-path") && p.CallbackPath != "" {
		b.CallbackPath = p.CallbackPath
	}
}

// check validates the browser flags (usage errors).
func (b *BrowserOptions) check(cmd *cobra.Command, modes ...string) error {
	if b.RedirectURI != "" && (cmd.Flags().Changed("callback-host") || cmd.Flags().Changed("callback-port") || cmd.Flags().Changed("callback-path")) {
		return cmdutil.UsageErrorf("--redirect-uri already names host, port and path; leave out --callback-host, --callback-port and --callback-path")
	}
	if b.Headless && b.NoBrowser {
		return cmdutil.UsageErrorf("--headless and --no-browser contradict each other: --headless follows the URL itself, --no-browser prints it for a person; give one")
	}
	if err := flow.CheckCatcherConfig(b.catcherConfig()); err != nil {
		return cmdutil.UsageErrorf("%v", err)
	}
	if b.ResponseMode != "" {
		ok := false
		for _, m := range modes {
			ok = ok || b.ResponseMode == m
		}
		if !ok {
			return cmdutil.UsageErrorf("--response-mode %q is not supported here", b.ResponseMode)
		}
	}
	return nil
}

func (b *BrowserOptions) catcherConfig() flow.CatcherConfig {
	return flow.CatcherConfig{Host: b.CallbackHost, Port: b.CallbackPort, Path: b.CallbackPath, RedirectURI: b.RedirectURI}
}

// opener is nil with --no-browser or --headless.
func (b *BrowserOptions) opener(f *cmdutil.Factory) flow.Opener {
	switch {
	case b.NoBrowser || b.Headless:
		return nil
	case b.Opener != nil:
		return b.Opener
	}
	return flow.SystemOpener{Getenv: f.Getenv, Stderr: f.IOStreams.ErrOut}
}

// browserFlow is the flow of req with these browser flags.
func (b *BrowserOptions) browserFlow(o *clientopts.CommonOptions, req flow.AuthRequest) flow.BrowserFlow {
	return flow.BrowserFlow{
		Catcher: b.catcherConfig(), Request: req, Opener: b.opener(o.Factory),
		Headless: b.Headless, Timeout: o.Timeout, Status: o.Factory.IOStreams.ErrOut,
	}
}
