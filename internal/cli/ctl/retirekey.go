package ctl

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdRetireKey(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "retire-key KID",
		Short: "Stop publishing a key: the tokens it signed stop verifying",
		Long: `Remove the key KID from the JWKS: the tokens it signed no longer verify.
The signing key cannot be retired: rotate first ('ctl rotate-keys').`,
		Example: `  oauthkit ctl retire-key "$(oauthkit ctl keys -o json | jq -r '.[0].kid')"`,
		Args:    cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.call(func(ctx context.Context, c *control.Client) error {
				if err := c.RetireKey(ctx, args[0]); err != nil {
					return err
				}
				return o.printResult("text", nil, "retired key "+args[0])
			})
		},
	}
}
