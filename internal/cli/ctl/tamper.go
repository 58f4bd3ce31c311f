package ctl

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdTamper(o *Options) *cobra.Command {
	var (
		req    control.TamperRequest
		times  int
		always bool
		output string
	)
	cmd := &cobra.Command{
		Use:   "tamper KIND",
		Short: "Falsify the next answers, to test that a client notices",
		Long: `Play the adversary: falsify the next matching answers of one kind, to test
that the client under test refuses them.

Authorization response:
  iss             iss names another issuer (mix-up, RFC 9207)
  state           state differs from the request's
ID token (OpenID Connect Core §3.1.3.7):
  nonce           nonce differs from the request's
  aud             aud is another client
  at_hash         at_hash does not match the access token
  expired         exp and iat lie in the past
Token response:
  signature       the JWT access token's signature is broken
  malformed_json  the body is cut short: not JSON
  no_token_type   token_type is left out`,
		Example: `  oauthkit ctl tamper nonce
  oauthkit ctl tamper iss --client web --times 2`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if req.Times, err = wireTimes(times, always); err != nil {
				return err
			}
			req.Kind = args[0]
			return o.call(func(ctx context.Context, c *control.Client) error {
				q, err := c.Tamper(ctx, req)
				if err != nil {
					return err
				}
				return o.printResult(output, q, fmt.Sprintf("queued: tamper %s%s, %s", q.Kind, forClient(q.ClientID), timesText(q.Times)))
			})
		},
	}
	cmd.Flags().StringVar(&req.ClientID, "client", "", "only answers to this client `ID`")
	addTimes(cmd, &times, &always, "to falsify")
	addOutput(cmd, &output)
	return cmd
}
