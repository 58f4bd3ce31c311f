package flow

import (
	"slices"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// ImplicitOptions are the options of `oauthkit flow implicit`.
type ImplicitOptions struct {
	clientopts.CommonOptions
	BrowserOptions
	ResponseType string
	NoTUI        bool
	// runProgress runs the progress view's program; tests replace it.
	runProgress progressRunner
}

// implicitResponseTypes are the response types of `flow implicit`.
func implicitResponseTypes() []string { return []string{"token", "id_token token", "id_token"} }

// NewCmdImplicit returns `oauthkit flow implicit`.
func NewCmdImplicit(f *cmdutil.Factory, runF func(*ImplicitOptions) error) *cobra.Command {
	opts := &ImplicitOptions{CommonOptions: clientopts.CommonOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "implicit",
		Short: "Get a token from the browser redirect (implicit grant, deprecated)",
		Long: `Run the implicit grant (RFC 6749 §4.2): the access token comes back in the
fragment of the redirect URI. A browser does not send the fragment to a server,
so the loopback catcher answers with a small page whose script posts the
fragment back to it. state (and iss when advertised) are checked as for authcode.

The implicit grant is deprecated by the OAuth 2.0 Security BCP (RFC 9700 §2.1.2):
the token travels through the browser's history. Use it only to test old
servers; prefer 'oauthkit flow authcode'.

--response-type picks the OpenID Connect implicit flow (Core §3.2):
"id_token token" returns an ID token and an access token, "id_token" an ID
token alone (then -o token and -o header have nothing to print). Both need
--scope openid. A nonce is sent whenever openid is in the scopes, and the ID
token is verified as for authcode (signature against the issuer's JWKS, iss,
aud, azp, exp, iat, nonce, at_hash); a bad one fails with exit 3.`,
		Example: `  oauthkit flow implicit --issuer http://127.0.0.1:8080 --client-id spa --scope read
  oauthkit flow implicit --authorize-url https://as.example/authorize --client-id spa --no-browser -o token
  oauthkit flow implicit --issuer http://127.0.0.1:8080 --client-id spa --headless -o env
  oauthkit flow implicit --issuer http://127.0.0.1:8080 --client-id spa --response-type 'id_token token' --scope openid --headless`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := prepare(&opts.CommonOptions); err != nil {
				return err
			}
			opts.BrowserOptions.applyProfile(cmd, opts.LoadedProfile())
			if err := opts.BrowserOptions.check(cmd, "fragment", "form_post"); err != nil {
				return err
			}
			if !slices.Contains(implicitResponseTypes(), opts.ResponseType) {
				return cmdutil.UsageErrorf("--response-type %q is not one of token, 'id_token token', id_token", opts.ResponseType)
			}
			if opts.ResponseType != "token" && !flow.HasOpenID(opts.Grant().Scopes) {
				return cmdutil.UsageErrorf("--response-type %s asks for an ID token: add --scope openid", opts.ResponseType)
			}
			if opts.ResponseType == "id_token" && (opts.Output == "token" || opts.Output == "header") {
				return cmdutil.UsageErrorf("--response-type id_token returns no access token for -o %s; use -o json or -o env", opts.Output)
			}
			if runF != nil {
				return runF(opts)
			}
			return runImplicit(opts)
		},
	}
	clientopts.AddCommonFlags(cmd, &opts.CommonOptions, defaultBrowserTimeout)
	addBrowserFlags(cmd, &opts.BrowserOptions, "fragment|form_post")
	cmd.Flags().StringVar(&opts.ResponseType, "response-type", "token", "token | 'id_token token' | id_token (OpenID Connect)")
	clientopts.AddIDTokenFlags(cmd, &opts.IDToken)
	addNoTUIFlag(cmd, &opts.NoTUI)
	cmdutil.AddOutputFlag(cmd, &opts.Output, clientopts.TokenFormats...)
	return cmd
}

func runImplicit(o *ImplicitOptions) error {
	sctx, stop := clientopts.SignalContext()
	defer stop()
	c, err := o.ClientWithin(sctx)
	if err != nil {
		return err
	}
	g := o.Grant()
	req := flow.AuthRequest{ResponseType: o.ResponseType, State: flow.NewState(), ResponseMode: o.ResponseMode, Grant: g}
	if flow.HasOpenID(g.Scopes) {
		req.Nonce = flow.NewState()
	}
	if err := clientopts.RequireIDTokenVerification(c, g.Scopes, req.ResponseType); err != nil {
		return err
	}
	bf := o.browserFlow(&o.CommonOptions, req)
	tr, err := runBrowserFlow(sctx, &o.CommonOptions, c, bf, "oauthkit flow implicit", o.NoTUI, o.runProgress)
	if err != nil {
		return clientopts.MapError(err)
	}
	return WriteToken(o.Factory.IOStreams.Out, o.Output, tr)
}
