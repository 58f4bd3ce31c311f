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
	RedirectURI  string
	ResponseMode string
	// Opener opens the browser; tests replace it.
	Opener flow.Opener
}

func addBrowserFlags(cmd *cobra.Command, b *BrowserOptions, modes string) {
	fl := cmd.Flags()
	fl.BoolVar(&b.NoBrowser, "no-browser", false, "do not open a browser; only print the URL (on stderr)")
	fl.BoolVar(&b.Headless, "headless", false, "no browser at all: oauthkit requests the URL and follows the redirects itself (servers that approve without a person, for CI)")
	fl.StringVar(&b.CallbackHost, "callback-host", "127.0.0.1", "host of the loopback redirect: 127.0.0.1|localhost|[::1]")
	fl.IntVar(&b.CallbackPort, "callback-port", 0, "port of the loopback redirect (0 = a free port; a taken port is an error)")
	fl.StringVar(&b.RedirectURI, "redirect-uri", "", "fixed http://127.0.0.1:PORT/PATH redirect URI (when the server needs an exact registered one)")
	fl.StringVar(&b.ResponseMode, "response-mode", "", "response_mode to ask for: "+modes+" (default: the server's default)")
}

// applyProfile fills the catcher settings no flag set.
func (b *BrowserOptions) applyProfile(cmd *cobra.Command, p *flow.Profile) {
	if p == nil {
		return
	}
	fl := cmd.Flags()
	if !fl.Changed("redirect-uri") && !fl.Changed("callback-host") && !fl.Changed("callback-port") && p.RedirectURI != "" {
		b.RedirectURI = p.RedirectURI
		return
	}
	if !fl.Changed("callback-host") && p.CallbackHost != "" {
		b.CallbackHost = p.CallbackHost
	}
	if !fl.Changed("callback-port") && p.CallbackPort != 0 {
		b.CallbackPort = p.CallbackPort
	}
}

// check validates the browser flags (usage errors).
func (b *BrowserOptions) check(cmd *cobra.Command, modes ...string) error {
	if b.RedirectURI != "" && (cmd.Flags().Changed("callback-host") || cmd.Flags().Changed("callback-port")) {
		return cmdutil.UsageErrorf("--redirect-uri already names host and port; leave out --callback-host and --callback-port")
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
	return flow.CatcherConfig{Host: b.CallbackHost, Port: b.CallbackPort, RedirectURI: b.RedirectURI}
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
