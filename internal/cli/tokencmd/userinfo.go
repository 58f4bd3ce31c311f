package tokencmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// NewCmdUserinfo returns `oauthkit token userinfo`.
func NewCmdUserinfo(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	cmd, opts := newCmd(f, "userinfo", clientopts.FlagSet{Endpoints: clientopts.UserinfoURL}, runF, func(ctx context.Context, o *Options, c *flow.Client, tok string) error {
		obj, err := c.Userinfo(ctx, tok)
		if err != nil {
			return clientopts.MapError(err)
		}
		if o.Output == "text" {
			return writeText(o, obj)
		}
		return cmdutil.WriteJSON(f.IOStreams.Out, obj)
	})
	cmd.Short = "Ask the UserInfo endpoint who an access token stands for (OpenID Connect)"
	cmd.Long = `Send the access token as a Bearer credential to the UserInfo endpoint
(OpenID Connect Core §5.3; from the issuer's metadata, or --userinfo-url) and
print the claims as the server sent them (-o json, the default), or one
"name: value" line per claim (-o text). No client credentials are sent. A
DPoP-bound token needs --dpop-key, the key it is bound to: it then goes as
"Authorization: DPoP" with a fresh proof (RFC 9449 §7).

A token the server refuses (expired, revoked, without the openid scope) is an
OAuth error, exit 3, with the error of its WWW-Authenticate header.`
	cmd.Example = `  oauthkit token userinfo --issuer http://127.0.0.1:8080 "$TOKEN"
  jq -r .access_token tokens.json | oauthkit token userinfo --issuer http://127.0.0.1:8080 - | jq -r .sub`
	cmd.Flags().StringVar(&opts.DPoP.KeyFile, "dpop-key", "", "the DPoP key `FILE` the token is bound to (RFC 9449)")
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "text")
	clientopts.GroupFlag(cmd, "output", clientopts.GroupOutput)
	return cmd
}
