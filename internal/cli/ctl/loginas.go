package ctl

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdLoginAs(o *Options) *cobra.Command {
	var (
		req    control.LoginAsRequest
		times  int
		always bool
		output string
	)
	cmd := &cobra.Command{
		Use:   "login-as USER",
		Short: "Approve the next authorization request as a user, without pages",
		Long: `Approve the next matching authorization request at once for USER, a user
the server has, without the login and consent pages: the browser (or
'oauthkit flow authcode') is sent straight back with a code.`,
		Example: `  oauthkit ctl login-as bob
  oauthkit ctl login-as alice --client web --times 2`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if req.Times, err = wireTimes(times, always); err != nil {
				return err
			}
			req.User = args[0]
			return o.call(func(ctx context.Context, c *control.Client) error {
				q, err := c.LoginAs(ctx, req)
				if err != nil {
					return err
				}
				return o.printResult(output, q, fmt.Sprintf("queued: login as %s%s, %s", q.User, forClient(q.ClientID), timesText(q.Times)))
			})
		},
	}
	cmd.Flags().StringVar(&req.ClientID, "client", "", "only authorization requests of this client `ID`")
	addTimes(cmd, &times, &always, "to approve")
	addOutput(cmd, &output)
	return cmd
}
