package flow

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// GrantOptions are the options of the grants without a browser.
type GrantOptions struct {
	clientopts.CommonOptions
}

// NewCmdClientCredentials returns `oauthkit flow client-credentials`.
func NewCmdClientCredentials(f *cmdutil.Factory, runF func(*GrantOptions) error) *cobra.Command {
	opts := &GrantOptions{CommonOptions: clientopts.CommonOptions{Factory: f, NeedsSecret: "client-credentials"}}
	cmd := &cobra.Command{
		Use:   "client-credentials",
		Short: "Get a token for the client itself (client credentials grant)",
		Long: `Run the client credentials grant (RFC 6749 §4.4): the client authenticates
with its secret and gets a token for itself. The secret is read from
--client-secret-file (or '-' for stdin), OAUTHKIT_CLIENT_SECRET, a profile's
client_secret_file/client_secret_env, or --client-secret (visible in the
process list, so discouraged).`,
		Example: `  oauthkit flow client-credentials --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt --scope read
  OAUTHKIT_CLIENT_SECRET=s3cret oauthkit flow client-credentials --token-url https://as.example/token --client-id app -o token
  oauthkit flow client-credentials --profile ci -o header`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := prepare(&opts.CommonOptions); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runGrant(&opts.CommonOptions, func(ctx context.Context, c *flow.Client) (*flow.TokenResponse, error) {
				return c.ClientCredentials(ctx, opts.Grant())
			})
		},
	}
	clientopts.AddCommonFlags(cmd, &opts.CommonOptions, defaultRequestTimeout, clientopts.FlagSet{Endpoints: clientopts.TokenURL, Client: true, Request: true})
	clientopts.AddDPoPFlags(cmd, &opts.DPoP)
	cmdutil.AddOutputFlag(cmd, &opts.Output, clientopts.TokenFormats...)
	clientopts.GroupFlag(cmd, "output", clientopts.GroupOutput)
	addRefreshTokenOutFlag(cmd, &opts.CommonOptions)
	return cmd
}
