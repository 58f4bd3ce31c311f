package flow

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/keys"
)

// AuthcodeOptions are the options of `oauthkit flow authcode`.
type AuthcodeOptions struct {
	clientopts.CommonOptions
	BrowserOptions
	NoPKCE       bool
	PrintURL     bool
	Exchange     string
	State        string
	CodeVerifier string
	Nonce        string
	Save         string
	NoTUI        bool
	// PAR pushes the request first (RFC 9126); ResourceMetadata finds the
	// server from a protected resource (RFC 9728, resourcemeta.go).
	PAR              bool
	ResourceMetadata string
	// RequestObject signs the request with --client-key (RFC 9101).
	RequestObject bool
	requestKey    *keys.Key
	// runProgress runs the progress view's program; tests replace it.
	runProgress progressRunner
}

// NewCmdAuthcode returns `oauthkit flow authcode`.
func NewCmdAuthcode(f *cmdutil.Factory, runF func(*AuthcodeOptions) error) *cobra.Command {
	opts := &AuthcodeOptions{CommonOptions: clientopts.CommonOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "authcode",
		Short: "Sign in through the browser (authorization code grant with PKCE)",
		Long: `Run the authorization code grant (RFC 6749 §4.1) with PKCE S256 (RFC 7636).

oauthkit listens on a loopback address (127.0.0.1 and a free port by default),
prints the authorization URL on standard error (alone on its line) and opens the
browser ($BROWSER if set). The server redirects back to
http://127.0.0.1:PORT/callback; oauthkit takes exactly one response, checks its
state (and iss, RFC 9207, when the server advertises it), shows a small page,
and redeems the code. A wrong or missing state stops it before any token
request.
It waits --timeout (default 5m), then exits with code 5.

  --no-browser   print the URL only (open it yourself, on this machine)
  --headless     no browser: oauthkit follows the redirects itself; for CI
                 with servers that approve without a person (oauthkit serve
                 --auto-approve)
  --print-url    step 1 of 2: print {authorization_url, state, code_verifier,
                 redirect_uri, nonce} as JSON and exit (--save FILE puts the
                 secrets in a 0600 file instead of on standard output)
  --exchange X   step 2 of 2: X is the URL the browser was sent to (or the bare
                 code, or '-' for stdin); needs --state and --code-verifier (and
                 --nonce with openid), or the --save FILE of step 1

With openid in the scopes (OpenID Connect) a nonce is sent, and the ID token
is verified: its signature against the issuer's JWKS (--jwks-url, else the
metadata's jwks_uri), iss, aud, azp, exp and iat (--leeway), the nonce and
at_hash. A bad ID token fails with exit 3; -o json adds its claims as
"id_token_claims". --no-verify-id-token turns this off, for debugging.

The redirect URI must be registered at the server: servers that follow
RFC 8252 §7.3 accept any port on http://127.0.0.1/callback; otherwise fix it
with --callback-port, --callback-path or --redirect-uri (a loopback redirect URI
without a port, or with :0, gets a free port and keeps its path).

  --par          push the request to the server's PAR endpoint first (RFC 9126,
                 with the client's authentication) and send the browser only
                 client_id and the request_uri; automatic when the metadata
                 says require_pushed_authorization_requests
  --resource-metadata URL
                 the MCP client path: URL is a protected resource (requested
                 without a token; its 401 names its metadata in
                 WWW-Authenticate resource_metadata) or its RFC 9728 metadata
                 itself. Its first authorization server (or --issuer, if
                 listed) is used, its resource is sent as --resource (RFC 8707)
                 and its scopes_supported as the scope unless --scope is given
  --request-object
                 sign the request into a request object (RFC 9101; iss the
                 client_id, aud the issuer, 60 s) with the private key of
                 --client-key FILE (PEM or JWK, whose public half the server
                 has registered for the client); sent by value, or pushed
                 with --par`,
		Example: `  oauthkit flow authcode --issuer http://127.0.0.1:8080 --client-id oauthkit-demo-public --scope read
  oauthkit flow authcode --issuer http://127.0.0.1:8080 --client-id oauthkit-demo-public --headless -o token
  oauthkit flow authcode --issuer http://127.0.0.1:8080 --client-id oauthkit-demo-public --print-url --save step1.json
  oauthkit flow authcode --issuer http://127.0.0.1:8080 --client-id oauthkit-demo-public --exchange "$CALLBACK_URL" --save step1.json
  oauthkit flow authcode --issuer http://127.0.0.1:8080 --client-id oauthkit-demo-public --par --resource http://127.0.0.1:8080/protected
  oauthkit flow authcode --resource-metadata http://127.0.0.1:8080/protected --client-id oauthkit-demo-public --headless -o token
  oauthkit flow authcode --issuer http://127.0.0.1:8080 --client-id signer --request-object --client-key signer.pem --par`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runAuthcode(opts)
		},
	}
	clientopts.AddCommonFlags(cmd, &opts.CommonOptions, defaultBrowserTimeout, clientopts.FlagSet{Endpoints: clientopts.AuthorizeURL | clientopts.TokenURL | clientopts.JWKSURL, Client: true, Request: true})
	addBrowserFlags(cmd, &opts.BrowserOptions, "query|form_post")
	fl := cmd.Flags()
	fl.BoolVar(&opts.NoPKCE, "no-pkce", false, "do not use PKCE (only for servers that refuse it)")
	fl.BoolVar(&opts.PAR, "par", false, "push the request to the PAR endpoint first (RFC 9126)")
	fl.StringVar(&opts.ResourceMetadata, "resource-metadata", "", "find the server from a resource's `URL` (RFC 9728 metadata or its 401)")
	fl.BoolVar(&opts.RequestObject, "request-object", false, "sign the request into a request object (RFC 9101) with --client-key")
	for _, n := range []string{"no-pkce", "response-mode", "par", "resource-metadata", "request-object"} {
		clientopts.GroupFlag(cmd, n, clientopts.GroupRequest)
	}
	fl.BoolVar(&opts.PrintURL, "print-url", false, "step 1 of 2: print the URL, state and code_verifier as JSON, exit")
	fl.StringVar(&opts.Exchange, "exchange", "", "step 2 of 2: redeem this callback URL or code ('-' = stdin)")
	fl.StringVar(&opts.State, "state", "", "step 2: the state step 1 printed")
	fl.StringVar(&opts.CodeVerifier, "code-verifier", "", "step 2: the code_verifier step 1 printed")
	fl.StringVar(&opts.Nonce, "nonce", "", "step 2: the nonce step 1 printed (the ID token must carry it)")
	fl.StringVar(&opts.Save, "save", "", "step 1 writes state, verifier, nonce here (0600); step 2 reads them")
	for _, n := range []string{"print-url", "exchange", "state", "code-verifier", "nonce", "save"} {
		clientopts.GroupFlag(cmd, n, clientopts.GroupTwoStep)
	}
	clientopts.AddIDTokenFlags(cmd, &opts.IDToken)
	clientopts.AddDPoPFlags(cmd, &opts.DPoP)
	addNoTUIFlag(cmd, &opts.NoTUI)
	cmdutil.AddOutputFlag(cmd, &opts.Output, clientopts.TokenFormats...)
	clientopts.GroupFlag(cmd, "output", clientopts.GroupOutput)
	addRefreshTokenOutFlag(cmd, &opts.CommonOptions)
	return cmd
}

func (o *AuthcodeOptions) check(cmd *cobra.Command) error {
	o.IssuerLater = o.ResourceMetadata != ""
	o.ClientKeySignsRequests = o.RequestObject
	if err := prepare(&o.CommonOptions); err != nil {
		return err
	}
	o.BrowserOptions.applyProfile(cmd, o.LoadedProfile())
	if err := o.BrowserOptions.check(cmd, "query", "form_post"); err != nil {
		return err
	}
	exchange := cmd.Flags().Changed("exchange")
	switch {
	case o.PrintURL && exchange:
		return cmdutil.UsageErrorf("--print-url and --exchange are the two steps; give one of them")
	case (o.PrintURL || exchange) && o.DPoP.Enabled && o.DPoP.KeyFile == "":
		return cmdutil.UsageErrorf("--dpop with --print-url or --exchange needs --dpop-key FILE: both steps must use the same key (RFC 9449 §10)")
	case o.Headless && (o.PrintURL || exchange):
		return cmdutil.UsageErrorf("--headless cannot be combined with --print-url or --exchange")
	case exchange && o.Exchange == "":
		return cmdutil.UsageErrorf("--exchange needs the callback URL or the code")
	case !exchange && (o.State != "" || o.CodeVerifier != "" || o.Nonce != ""):
		return cmdutil.UsageErrorf("--state, --code-verifier and --nonce belong to --exchange (step 2)")
	case o.Save != "" && !o.PrintURL && !exchange:
		return cmdutil.UsageErrorf("--save belongs to --print-url or --exchange")
	case o.NoPKCE && o.CodeVerifier != "":
		return cmdutil.UsageErrorf("--no-pkce and --code-verifier contradict each other")
	case o.PrintURL && o.RefreshTokenOut != "":
		return cmdutil.UsageErrorf("--refresh-token-out belongs to the step that gets tokens (--exchange), not --print-url")
	case o.RequestObject && o.ClientKey == "":
		return cmdutil.UsageErrorf("--request-object needs --client-key FILE: the key signs the request object")
	case exchange && (o.PAR || o.ResourceMetadata != "" || o.RequestObject):
		return cmdutil.UsageErrorf("--par, --resource-metadata and --request-object belong to the step that builds the request (--print-url), not --exchange")
	case o.PrintURL && o.Output != "json":
		return cmdutil.UsageErrorf("--print-url writes JSON; -o %s does not apply", o.Output)
	}
	if o.CodeVerifier != "" {
		if err := flow.CheckCodeVerifier(o.CodeVerifier); err != nil {
			return cmdutil.UsageErrorf("--code-verifier: %v", err)
		}
	}
	if o.RequestObject {
		ks, err := keys.ParseFile(o.ClientKey)
		if err != nil {
			return cmdutil.UsageErrorf("--client-key: %v", err)
		}
		if !ks[0].IsPrivate() {
			return cmdutil.UsageErrorf("--client-key %s holds a public key; the request object is signed with the private key", o.ClientKey)
		}
		o.requestKey = ks[0]
	}
	return nil
}

func runAuthcode(o *AuthcodeOptions) error {
	switch {
	case o.PrintURL:
		return runPrintURL(o)
	case o.Exchange != "":
		return runExchange(o)
	}
	sctx, stop := clientopts.SignalContext()
	defer stop()
	if err := o.resolveResource(sctx); err != nil {
		return err
	}
	c, err := o.ClientWithin(sctx)
	if err != nil {
		return err
	}
	req := o.authRequest()
	if err := clientopts.RequireIDTokenVerification(c, req.Grant.Scopes, req.ResponseType); err != nil {
		return err
	}
	bf := o.browserFlow(&o.CommonOptions, req)
	tr, err := runBrowserFlow(sctx, &o.CommonOptions, c, bf, "oauthkit flow authcode", o.NoTUI, o.runProgress)
	if err != nil {
		o.InvalidClientHint(c, err)
		return clientopts.MapError(err)
	}
	clientopts.OfflineAccessHint(&o.CommonOptions, req.Grant, tr)
	return emitToken(&o.CommonOptions, tr)
}

// authRequest is a fresh request: random state, PKCE verifier, nonce.
func (o *AuthcodeOptions) authRequest() flow.AuthRequest {
	g := o.Grant()
	req := flow.AuthRequest{ResponseType: "code", State: flow.NewState(), ResponseMode: o.ResponseMode, Grant: g, Pushed: o.PAR, RequestObjectKey: o.requestKey}
	if !o.NoPKCE {
		req.CodeVerifier = flow.NewCodeVerifier()
	}
	if flow.HasOpenID(g.Scopes) {
		req.Nonce = flow.NewState()
	}
	return req
}
