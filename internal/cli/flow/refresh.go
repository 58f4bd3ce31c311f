package flow

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// RefreshOptions are the options of `oauthkit flow refresh`.
type RefreshOptions struct {
	clientopts.CommonOptions
	RefreshToken     string
	RefreshTokenFile string
}

// NewCmdRefresh returns `oauthkit flow refresh`.
func NewCmdRefresh(f *cmdutil.Factory, runF func(*RefreshOptions) error) *cobra.Command {
	opts := &RefreshOptions{CommonOptions: clientopts.CommonOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "refresh",
		Short: "Exchange a refresh token for new tokens",
		Long: `Run the refresh token grant (RFC 6749 §6). The refresh token comes from
--refresh-token-file ('-' = stdin) or --refresh-token. Servers that rotate
refresh tokens answer a new one: keep it from the output (-o json or -o env),
the old one stops working.

An ID token in the answer (a grant with openid) is verified like the one of
authcode (signature, iss, aud, azp, exp, iat, at_hash), except its nonce: a
refreshed ID token need not repeat it. -o json adds "id_token_claims".`,
		Example: `  oauthkit flow refresh --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt --refresh-token-file rt.txt
  jq -r .refresh_token tokens.json | oauthkit flow refresh --issuer http://127.0.0.1:8080 --client-id oauthkit-demo-public --refresh-token-file - -o env`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := prepare(&opts.CommonOptions); err != nil {
				return err
			}
			tokenSet := cmd.Flags().Changed("refresh-token")
			switch {
			case tokenSet && opts.RefreshTokenFile != "":
				return cmdutil.UsageErrorf("give --refresh-token or --refresh-token-file, not both")
			case !tokenSet && opts.RefreshTokenFile == "":
				return cmdutil.UsageErrorf("a refresh token is required: --refresh-token-file FILE ('-' = stdin) or --refresh-token T")
			case opts.RefreshTokenFile == "-" && opts.ClientSecretFile == "-":
				return cmdutil.UsageErrorf("--refresh-token-file and --client-secret-file cannot both read standard input")
			}
			if runF != nil {
				return runF(opts)
			}
			if tokenSet {
				cmdutil.WarnSecretInArgv(opts.Factory, "--refresh-token", "--refresh-token-file FILE ('-' = stdin)") // docs/security.md rule 61
			}
			rt := strings.TrimSpace(opts.RefreshToken)
			if opts.RefreshTokenFile != "" {
				data, err := cmdutil.ReadInput(opts.Factory, opts.RefreshTokenFile)
				if err != nil {
					return err
				}
				rt = strings.TrimSpace(string(data))
			}
			if rt == "" {
				return cmdutil.Failf("the refresh token is empty")
			}
			return runGrant(&opts.CommonOptions, func(ctx context.Context, c *flow.Client) (*flow.TokenResponse, error) {
				return c.Refresh(ctx, rt, opts.Grant())
			})
		},
	}
	clientopts.AddCommonFlags(cmd, &opts.CommonOptions, defaultRequestTimeout, clientopts.FlagSet{Endpoints: clientopts.TokenURL | clientopts.JWKSURL, Client: true, Request: true})
	clientopts.AddIDTokenFlags(cmd, &opts.IDToken)
	clientopts.AddDPoPFlags(cmd, &opts.DPoP)
	cmd.Flags().StringVar(&opts.RefreshToken, "refresh-token", "", "the refresh token (visible in the process list: prefer the file)")
	cmd.Flags().StringVar(&opts.RefreshTokenFile, "refresh-token-file", "", "read the refresh token from a file ('-' = stdin)")
	cmdutil.AddOutputFlag(cmd, &opts.Output, clientopts.TokenFormats...)
	clientopts.GroupFlag(cmd, "output", clientopts.GroupOutput)
	addRefreshTokenOutFlag(cmd, &opts.CommonOptions)
	return cmd
}
