package ctl

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdClock(o *Options) *cobra.Command {
	var (
		skew   time.Duration
		reset  bool
		output string
	)
	cmd := &cobra.Command{
		Use:   "clock [--skew D | --reset]",
		Short: "Skew the server's clock, or show it",
		Long: `Move the server's clock by --skew (a duration such as 1h, -30m, 90s): the
times it issues (iat, exp) and every expiry it checks follow. --reset
puts it back. Without a flag, print the skew and the server's time.`,
		Example: `  oauthkit ctl clock --skew 1h
  oauthkit ctl clock
  oauthkit ctl clock --reset`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			set := cmd.Flags().Changed("skew") || reset
			return o.call(func(ctx context.Context, c *control.Client) error {
				var st control.ClockState
				var err error
				if set {
					st, err = c.SetClock(ctx, skew.String())
				} else {
					st, err = c.Clock(ctx)
				}
				if err != nil {
					return err
				}
				return o.printResult(output, st, "skew "+st.Skew+", server time "+st.Now)
			})
		},
	}
	cmd.Flags().DurationVar(&skew, "skew", 0, "move the clock by this duration (negative: back)")
	cmd.Flags().BoolVar(&reset, "reset", false, "no skew")
	cmd.MarkFlagsMutuallyExclusive("skew", "reset")
	addOutput(cmd, &output)
	return cmd
}
