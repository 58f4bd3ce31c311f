// Package flow implements `oauthkit flow authcode|implicit|password|
// client-credentials|refresh`: the client side of every OAuth 2.0 grant
// against any authorization server.
package flow

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

// NewCmdFlow returns the `oauthkit flow` command group.
func NewCmdFlow(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "flow <grant>",
		Short: "Get tokens from any OAuth 2.0 server with every grant",
		Long: `Run an OAuth 2.0 grant against any standards-following authorization server
and print the token response.

  authcode             authorization code + PKCE, through the browser and a
                       loopback catcher
  implicit             the (deprecated) implicit grant, for old servers
  password             resource owner password credentials
  client-credentials   a client acting on its own behalf
  refresh              exchange a refresh token
  device               device authorization grant: a user code typed on
                       another device (RFC 8628)
  token-exchange       trade a token for another (RFC 8693)

Name the server with --issuer (its metadata is discovered: RFC 8414, then
OpenID Connect; the metadata's issuer must equal --issuer exactly) or give the
endpoint URLs (--token-url, --authorize-url, ...). Settings can come from a
profile (--profile NAME) in $XDG_CONFIG_HOME/oauthkit/config.yaml.

The token response goes to standard output (-o json|token|header|env); the URL
to open, warnings and -v logs go to standard error. --refresh-token-out FILE
keeps a new refresh token (mode 0600); -o env prints "(exit N)" on failure, so
eval "$(oauthkit flow … -o env)" fails too. OAUTHKIT_ISSUER, OAUTHKIT_CLIENT_ID
and OAUTHKIT_PROFILE stand in for their flags. Exit codes: 0 ok, 1 failure,
2 usage, 3 the server answered an OAuth error or a bad ID token, 4 network or
TLS, 5 timed out, 130 cancelled.

An ID token in a response (OpenID Connect, scope openid) is verified: signature
against the issuer's JWKS, iss, aud, azp, exp, iat, nonce and at_hash; -o json
adds its claims as "id_token_claims". A bad one fails with exit 3.

'oauthkit flow' without a grant, on a terminal, is a wizard: it asks for the
grant, the server (prefilled from a profile), the client id, the secret
(masked), the scopes, shows the command line they make, runs it, and offers to
save the answers as a profile (the secret only as an environment variable name
or a 0600 file). Without a terminal it is a usage error (exit 2). An empty
client ID registers a new client for the grant when the issuer advertises a
registration_endpoint (RFC 7591; see 'oauthkit client register').`,
		Example: `  oauthkit flow
  oauthkit flow client-credentials --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt
  oauthkit flow authcode --issuer http://127.0.0.1:8080 --client-id oauthkit-demo-public --scope read
  eval "$(oauthkit flow refresh --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt --refresh-token-file rt.txt -o env)"`,
	}
	w := &wizardRun{f: f}
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return w.run(cmd.Context(), args) }
	cmd.AddCommand(
		NewCmdAuthcode(f, nil),
		NewCmdImplicit(f, nil),
		NewCmdPassword(f, nil),
		NewCmdClientCredentials(f, nil),
		NewCmdRefresh(f, nil),
		NewCmdDevice(f, nil),
		NewCmdTokenExchange(f, nil),
		NewCmdJWTBearer(f, nil),
	)
	for _, c := range cmd.Commands() {
		failEvalOnError(c)
	}
	return cmd
}
