package tokencmd

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// CallOptions are the options of `oauthkit token call`.
type CallOptions struct {
	Common    clientopts.CommonOptions // --insecure, --timeout, -v and the DPoP flags
	URL       string
	TokenFile string
	Method    string
	Output    string
}

// NewCmdCall returns `oauthkit token call`.
func NewCmdCall(f *cmdutil.Factory, runF func(*CallOptions) error) *cobra.Command {
	opts := &CallOptions{Common: clientopts.CommonOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "call URL --token-file FILE",
		Short: "Call a protected resource with an access token (Bearer or DPoP)",
		Long: `Send a request to a protected resource with the access token of --token-file
('-' = stdin) and print the answer's body on standard output.

With --dpop-key (the key the token was bound to by 'oauthkit flow ... --dpop-key')
the token is sent as "Authorization: DPoP" with a fresh DPoP proof for this
method and URL, its ath hashing the token (RFC 9449 §7). A server that demands a
nonce answers use_dpop_nonce with a DPoP-Nonce header; the request is retried
once with it. Without --dpop-key the token is sent as Bearer (RFC 6750).

-o header prints the headers instead of sending the request: the Authorization
line, and with --dpop-key the DPoP line with a proof for this method and URL
(valid for about a minute, once).

A refusal with an OAuth error (in WWW-Authenticate or the body) exits 3.`,
		Example: `  oauthkit token call http://127.0.0.1:8080/protected --token-file at.txt --dpop-key dpop.pem
  jq -r .access_token tokens.json | oauthkit token call http://127.0.0.1:8080/userinfo --token-file - --dpop-key dpop.pem
  oauthkit token call https://api.example/items -X POST --token-file at.txt --dpop-key dpop.pem -o header`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.URL = args[0]
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runCall(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.TokenFile, "token-file", "", "read the access token from this `FILE` ('-' = stdin)")
	fl.StringVarP(&opts.Method, "request", "X", http.MethodGet, "HTTP `METHOD` of the request")
	fl.BoolVar(&opts.Common.Insecure, "insecure", false, "skip TLS verification, allow plain http to any host (DANGEROUS)")
	fl.DurationVar(&opts.Common.Timeout, "timeout", defaultTimeout, "how long to wait for the resource")
	fl.BoolVarP(&opts.Common.Verbose, "verbose", "v", false, "log each HTTP request and response on stderr, secrets masked")
	fl.StringVar(&opts.Common.DPoP.KeyFile, "dpop-key", "", "the DPoP key `FILE` the token is bound to: send it as DPoP")
	cmdutil.AddOutputFlag(cmd, &opts.Output, "body", "header")
	return cmd
}

func (o *CallOptions) check() error {
	if err := cmdutil.CheckOutput(o.Output, "body", "header"); err != nil {
		return err
	}
	if o.TokenFile == "" {
		return cmdutil.UsageErrorf("--token-file FILE is required ('-' = stdin): the access token never goes in the arguments")
	}
	if o.Common.Timeout <= 0 {
		return cmdutil.UsageErrorf("--timeout must be positive, got %s", o.Common.Timeout)
	}
	o.Method = strings.ToUpper(o.Method)
	if o.Method == "" || strings.ContainsAny(o.Method, " \t\r\n:") {
		return cmdutil.UsageErrorf("-X %q is not an HTTP method", o.Method)
	}
	if err := flow.CheckURL("URL", o.URL, o.Common.Insecure); err != nil {
		return cmdutil.UsageErrorf("%v", err)
	}
	return nil
}

func runCall(o *CallOptions) error {
	f := o.Common.Factory
	data, err := cmdutil.ReadInput(f, o.TokenFile)
	if err != nil {
		return err
	}
	tok := strings.TrimSpace(string(data))
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
		return cmdutil.Failf("--token-file %s: want one access token", o.TokenFile)
	}
	signer, err := o.Common.DPoP.Signer(f)
	if err != nil {
		return err
	}
	c := &flow.Client{HTTP: o.Common.HTTPClient(), Now: f.Now, DPoP: signer}
	if o.Output == "header" {
		auth, proof, err := c.ResourceHeaders(o.Method, o.URL, tok)
		if err != nil {
			return cmdutil.Failf("%v", err)
		}
		out := "Authorization: " + auth + "\n"
		if proof != "" {
			out += "DPoP: " + proof + "\n"
		}
		_, err = fmt.Fprint(f.IOStreams.Out, out)
		return err
	}
	sctx, stop := clientopts.SignalContext()
	defer stop()
	ctx, cancel := context.WithTimeout(sctx, o.Common.Timeout)
	defer cancel()
	ans, err := c.CallResource(ctx, o.Method, o.URL, tok, nil)
	if err != nil {
		return clientopts.MapError(err)
	}
	if err := ans.Err("resource"); err != nil {
		return clientopts.MapError(err)
	}
	_, err = f.IOStreams.Out.Write(ans.Body)
	if err == nil && len(ans.Body) > 0 && ans.Body[len(ans.Body)-1] != '\n' {
		_, err = fmt.Fprintln(f.IOStreams.Out)
	}
	return err
}
