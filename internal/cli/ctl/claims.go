package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdClaims(o *Options) *cobra.Command {
	var (
		req            control.ClaimsRequest
		sets, jsonSets []string
		output         string
	)
	cmd := &cobra.Command{
		Use:   "claims --set NAME=VALUE ... [--user NAME] [--client ID]",
		Short: "Add claims to the tokens and userinfo of a user or client",
		Long: `Add claims to the access tokens, ID tokens and userinfo answers of a user,
a client, or both (neither: every one), until 'ctl reset'. --set gives a
string value, --set-json any JSON value. --in limits where they go:
access_token, id_token, userinfo (default: all three). The claims the
protocol sets (iss, sub, aud, exp, nonce, ...) cannot be replaced; to
falsify one, use 'ctl tamper'.`,
		Example: `  oauthkit ctl claims --user alice --set department=qa
  oauthkit ctl claims --client web --set-json 'roles=["admin","ops"]' --in access_token`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Claims = map[string]any{}
			for _, s := range sets {
				name, value, err := splitSet("--set", s)
				if err != nil {
					return err
				}
				req.Claims[name] = value
			}
			for _, s := range jsonSets {
				name, value, err := splitSet("--set-json", s)
				if err != nil {
					return err
				}
				var v any
				if err := json.Unmarshal([]byte(value), &v); err != nil {
					return cmdutil.UsageErrorf("--set-json %s: the value is not JSON: %v", name, err)
				}
				req.Claims[name] = v
			}
			if len(req.Claims) == 0 {
				return cmdutil.UsageErrorf("name at least one claim: --set NAME=VALUE or --set-json NAME=JSON")
			}
			return o.call(func(ctx context.Context, c *control.Client) error {
				set, err := c.Claims(ctx, req)
				if err != nil {
					return err
				}
				return o.printResult(output, set, claimsText(set))
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&req.User, "user", "", "only tokens of this user (`NAME`)")
	fl.StringVar(&req.ClientID, "client", "", "only tokens of this client `ID`")
	fl.StringArrayVar(&sets, "set", nil, "a claim with a string value, `NAME=VALUE` (repeatable)")
	fl.StringArrayVar(&jsonSets, "set-json", nil, "a claim with a JSON value, `NAME=JSON` (repeatable)")
	fl.StringSliceVar(&req.In, "in", nil, "where: access_token, id_token, userinfo (comma-separated; default all three)")
	addOutput(cmd, &output)
	return cmd
}

func splitSet(flag, s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return "", "", cmdutil.UsageErrorf("%s %q: write NAME=VALUE", flag, s)
	}
	return name, value, nil
}

// claimsText describes a claims rule in one line.
func claimsText(r control.ClaimsRequest) string {
	names := make([]string, 0, len(r.Claims))
	for n := range r.Claims {
		names = append(names, n)
	}
	sort.Strings(names)
	who := "every user and client"
	switch {
	case r.User != "" && r.ClientID != "":
		who = "user " + r.User + " at client " + r.ClientID
	case r.User != "":
		who = "user " + r.User
	case r.ClientID != "":
		who = "client " + r.ClientID
	}
	return fmt.Sprintf("claims %s for %s in %s, until reset", strings.Join(names, ", "), who, strings.Join(r.In, ", "))
}
