package ctl

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdRequests(o *Options) *cobra.Command {
	var (
		q      control.RequestQuery
		clear  bool
		output string
	)
	cmd := &cobra.Command{
		Use:   "requests [filters] [-o table|json] | --clear",
		Short: "List the requests the server answered, or clear the list",
		Long: `List the requests the server answered since it started or since the last
clear (at most the last 10000), oldest first: sequence number, time,
method, endpoint, client, grant type, scope, status and error code. The
log never holds a secret, a code or a token. The filters combine; --after
SEQ lists only newer requests, --limit N the newest N. --clear empties the
log (the sequence numbers go on).`,
		Example: `  oauthkit ctl requests --endpoint token
  oauthkit ctl requests --client web --error invalid_grant -o json | jq length
  oauthkit ctl requests --clear`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if clear {
				for _, name := range []string{"endpoint", "client", "grant-type", "error", "status", "after", "limit", "output"} {
					if cmd.Flags().Changed(name) {
						return cmdutil.UsageErrorf("--clear takes no --%s: it empties the whole log", name)
					}
				}
			}
			if q.Status < 0 || q.After < 0 || q.Limit < 0 {
				return cmdutil.UsageErrorf("--status, --after and --limit take numbers of 0 or more")
			}
			return o.call(func(ctx context.Context, c *control.Client) error {
				if clear {
					if err := c.ClearRequests(ctx); err != nil {
						return err
					}
					return o.printResult("text", nil, "cleared the request log")
				}
				recs, err := c.Requests(ctx, q)
				if err != nil {
					return err
				}
				if output == "json" {
					return cmdutil.WriteJSON(o.Factory.IOStreams.Out, recs)
				}
				return writeRequestTable(o, recs)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&q.Endpoint, "endpoint", "", "only this endpoint (token, authorize, introspect, revoke, userinfo, jwks, discovery, device_authorization, protected, login, consent, logout, other)")
	fl.StringVar(&q.ClientID, "client", "", "only requests of this client `ID`")
	fl.StringVar(&q.GrantType, "grant-type", "", "only token requests with this grant_type")
	fl.StringVar(&q.Error, "error", "", "only answers with this OAuth error code")
	fl.IntVar(&q.Status, "status", 0, "only answers with this HTTP status")
	fl.Int64Var(&q.After, "after", 0, "only requests with a sequence number above `SEQ`")
	fl.IntVar(&q.Limit, "limit", 0, "at most the newest `N`")
	fl.BoolVar(&clear, "clear", false, "empty the request log")
	addOutput(cmd, &output, "table", "json")
	return cmd
}

func writeRequestTable(o *Options, recs []control.Request) error {
	tw := tabwriter.NewWriter(o.Factory.IOStreams.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tMETHOD\tENDPOINT\tCLIENT\tGRANT\tSCOPE\tSTATUS\tERROR")
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, r := range recs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Seq, r.Time, r.Method, r.Endpoint, dash(r.ClientID),
			dash(r.GrantType), dash(r.Scope), strconv.Itoa(r.Status), dash(r.Error))
	}
	return tw.Flush()
}
