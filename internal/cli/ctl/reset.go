package ctl

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdReset(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "reset",
		Short: "Back to the configured state: nothing queued, no claims, no skew, an empty log",
		Long: `Drop every queued failure, tampering and login-as, the extra claims and the
clock skew, and empty the request log. Keys and revocations stay as they
are: tokens already issued keep the state they had.`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.call(func(ctx context.Context, c *control.Client) error {
				if err := c.Reset(ctx); err != nil {
					return err
				}
				return o.printResult("text", nil, "reset: nothing queued, no extra claims, no skew, empty request log (keys and revocations kept)")
			})
		},
	}
}
