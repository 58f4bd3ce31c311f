package ctl

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdRotateKeys(o *Options) *cobra.Command {
	var (
		alg    string
		output string
	)
	cmd := &cobra.Command{
		Use:   "rotate-keys [--alg ALG]",
		Short: "Sign with a new key; keep publishing the old ones",
		Long: `Generate a new signing key (--alg: RS256 and the other RSA algorithms,
ES256, ES384, ES512 or EdDSA; default RSA 2048 with RS256) and sign new
tokens with it. The old keys stay in the JWKS, so tokens they signed keep
verifying, until 'ctl retire-key'. The new key lives in the server process
only. Prints the new key's kid (-o json: the key's kid, alg, signing).`,
		Example: `  oauthkit ctl rotate-keys --alg ES256`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.call(func(ctx context.Context, c *control.Client) error {
				k, err := c.RotateKeys(ctx, alg)
				if err != nil {
					return err
				}
				return o.printResult(output, k, k.KID)
			})
		},
	}
	cmd.Flags().StringVar(&alg, "alg", "", "algorithm of the new key (default RS256)")
	addOutput(cmd, &output)
	return cmd
}
