package flowcmd

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// ImplicitOptions are the options of `oauthkit flow implicit`.
type ImplicitOptions struct {
	CommonOptions
	BrowserOptions
}

// NewCmdImplicit returns `oauthkit flow implicit`.
func NewCmdImplicit(f *cmdutil.Factory, runF func(*ImplicitOptions) error) *cobra.Command {
	opts := &ImplicitOptions{CommonOptions: CommonOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "implicit",
		Short: "Get a token from the browser redirect (implicit grant, deprecated)",
		Long: `Run the implicit grant (RFC 6749 §4.2): the access token comes back in the
fragment of the redirect URI. A browser does not send the fragment to a server,
so the loopback catcher answers with a small page whose script posts the
fragment back to it. state (and iss when advertised) are checked as for authcode.

The implicit grant is deprecated by the OAuth 2.0 Security BCP (RFC 9700 §2.1.2):
the token travels through the browser's history. Use it only to test old
servers; prefer 'oauthkit flow authcode'.`,
		Example: `  oauthkit flow implicit --issuer http://127.0.0.1:8080 --client-id spa --scope read
  oauthkit flow implicit --authorize-url https://as.example/authorize --client-id spa --no-browser -o token
  oauthkit flow implicit --issuer http://127.0.0.1:8080 --client-id spa --headless -o env`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := prepare(&opts.CommonOptions); err != nil {
				return err
			}
			opts.BrowserOptions.applyProfile(cmd, opts.profile)
			if err := opts.BrowserOptions.check(cmd, "fragment", "form_post"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runImplicit(opts)
		},
	}
	AddCommonFlags(cmd, &opts.CommonOptions, defaultBrowserTimeout)
	addBrowserFlags(cmd, &opts.BrowserOptions, "fragment|form_post")
	cmdutil.AddOutputFlag(cmd, &opts.Output, tokenFormats...)
	return cmd
}

func runImplicit(o *ImplicitOptions) error {
	sctx, stop := signalContext()
	defer stop()
	c, err := o.clientWithin(sctx)
	if err != nil {
		return err
	}
	g := o.Grant()
	req := flow.AuthRequest{ResponseType: "token", State: flow.NewState(), ResponseMode: o.ResponseMode, Grant: g}
	if flow.HasOpenID(g.Scopes) {
		req.Nonce = flow.NewState()
	}
	tr, err := c.Run(sctx, flow.BrowserFlow{
		Catcher: o.catcherConfig(), Request: req, Opener: o.opener(o.Factory),
		Headless: o.Headless, Timeout: o.Timeout, Status: o.Factory.IOStreams.ErrOut,
	})
	if err != nil {
		return MapError(err)
	}
	return WriteToken(o.Factory.IOStreams.Out, o.Output, tr)
}
