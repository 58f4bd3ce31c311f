package ctl

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdFail(o *Options) *cobra.Command {
	var (
		req    control.FailRequest
		times  int
		always bool
		delay  time.Duration
		output string
	)
	cmd := &cobra.Command{
		Use:   "fail --endpoint NAME (--error CODE | --status N | --delay D)",
		Short: "Make the next requests to an endpoint fail",
		Long: `Make the next matching requests to an endpoint (token, authorize, introspect,
revoke, userinfo, jwks, discovery, device_authorization) answer an OAuth
error (--error, with --status or the RFC's status for it), a plain HTTP
status without an OAuth body (--status alone, such as 500 or 503), or wait
first (--delay; alone it only delays the normal answer). At the authorization endpoint the error goes
back to the client's redirect URI. Nothing is consumed or issued by a
failed request.`,
		Example: `  oauthkit ctl fail --endpoint token --error invalid_grant
  oauthkit ctl fail --endpoint token --error temporarily_unavailable --status 503 --times 3 --client web
  oauthkit ctl fail --endpoint jwks --status 500 --always
  oauthkit ctl fail --endpoint userinfo --delay 2s`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if req.Times, err = wireTimes(times, always); err != nil {
				return err
			}
			if delay < 0 {
				return cmdutil.UsageErrorf("--delay %s: give a positive duration", delay)
			}
			if delay > 0 {
				req.Delay = delay.String()
			}
			return o.call(func(ctx context.Context, c *control.Client) error {
				q, err := c.Fail(ctx, req)
				if err != nil {
					return err
				}
				return o.printResult(output, q, "queued: "+failText(q))
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&req.Endpoint, "endpoint", "", "endpoint: token, authorize, introspect, revoke, userinfo, jwks, discovery or device_authorization")
	fl.StringVar(&req.Error, "error", "", "OAuth error code to answer (invalid_grant, server_error, ...)")
	fl.StringVar(&req.ErrorDescription, "description", "", "error_description to answer with --error")
	fl.IntVar(&req.Status, "status", 0, "HTTP status (400-599): of the error, or alone a plain status")
	fl.DurationVar(&delay, "delay", 0, "wait this long before answering (at most 25s)")
	fl.StringVar(&req.ClientID, "client", "", "only requests of this client `ID`")
	addTimes(cmd, &times, &always, "fail")
	addOutput(cmd, &output)
	_ = cmd.MarkFlagRequired("endpoint")
	return cmd
}

// failText describes a queued failure in one line.
func failText(q control.FailRequest) string {
	var what []string
	if q.Delay != "" {
		what = append(what, "after "+q.Delay)
	}
	switch {
	case q.Error != "" && q.Status != 0:
		what = append(what, fmt.Sprintf("answers %s (HTTP %d)", q.Error, q.Status))
	case q.Error != "":
		what = append(what, "answers "+q.Error)
	case q.Status != 0:
		what = append(what, fmt.Sprintf("answers HTTP %d", q.Status))
	default:
		what = append(what, "answers normally")
	}
	return fmt.Sprintf("%s %s%s, %s", q.Endpoint, strings.Join(what, " "), forClient(q.ClientID), timesText(q.Times))
}
