package ctl

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdRevoke(o *Options) *cobra.Command {
	var (
		req    control.RevokeRequest
		output string
	)
	cmd := &cobra.Command{
		Use:   "revoke --all | --client ID | --user NAME",
		Short: "Revoke the tokens issued so far: all, a client's or a user's",
		Long: `Revoke every token issued up to now (--all), a client's (--client), a
user's at any client (--user), or a user's at one client (both): access
tokens introspect inactive and are refused, a refresh token presented later
revokes its grant. Tokens issued afterwards are not affected. The
revocation lasts as long as the server process; 'ctl reset' keeps it.`,
		Example: `  oauthkit ctl revoke --all
  oauthkit ctl revoke --user alice --client web`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !req.All && req.ClientID == "" && req.User == "" {
				return cmdutil.UsageErrorf("say what to revoke: --all, --client ID or --user NAME")
			}
			return o.call(func(ctx context.Context, c *control.Client) error {
				rev, err := c.Revoke(ctx, req)
				if err != nil {
					return err
				}
				what := "all tokens"
				switch {
				case rev.User != "" && rev.ClientID != "":
					what = "the tokens of user " + rev.User + " at client " + rev.ClientID
				case rev.User != "":
					what = "the tokens of user " + rev.User
				case rev.ClientID != "":
					what = "the tokens of client " + rev.ClientID
				}
				return o.printResult(output, rev, "revoked "+what+" issued up to "+rev.At)
			})
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&req.All, "all", false, "every token")
	fl.StringVar(&req.ClientID, "client", "", "the tokens of this client `ID`")
	fl.StringVar(&req.User, "user", "", "the tokens of this user (`NAME`)")
	cmd.MarkFlagsMutuallyExclusive("all", "client")
	cmd.MarkFlagsMutuallyExclusive("all", "user")
	addOutput(cmd, &output)
	return cmd
}
