package ctl

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdKeys(o *Options) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "List the published keys, oldest first",
		Args:  cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.call(func(ctx context.Context, c *control.Client) error {
				ks, err := c.Keys(ctx)
				if err != nil {
					return err
				}
				if output == "json" {
					return cmdutil.WriteJSON(o.Factory.IOStreams.Out, ks)
				}
				tw := tabwriter.NewWriter(o.Factory.IOStreams.Out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "KID\tALG\tSIGNING")
				for _, k := range ks {
					signing := ""
					if k.Signing {
						signing = "yes"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\n", k.KID, k.Alg, signing)
				}
				return tw.Flush()
			})
		},
	}
	addOutput(cmd, &output, "table", "json")
	return cmd
}
