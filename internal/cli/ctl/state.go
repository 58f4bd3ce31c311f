package ctl

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

func newCmdState(o *Options) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Show what is queued and set: failures, tampering, logins, claims, skew, keys",
		Args:  cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.call(func(ctx context.Context, c *control.Client) error {
				st, err := c.State(ctx)
				if err != nil {
					return err
				}
				if output == "json" {
					return cmdutil.WriteJSON(o.Factory.IOStreams.Out, st)
				}
				writeState(o.Factory.IOStreams.Out, st)
				return nil
			})
		},
	}
	addOutput(cmd, &output)
	return cmd
}

func writeState(w io.Writer, st control.State) {
	fmt.Fprintf(w, "clock skew: %s\n", st.Skew)
	section := func(name string, lines []string) {
		if len(lines) == 0 {
			fmt.Fprintf(w, "%s: none\n", name)
			return
		}
		fmt.Fprintf(w, "%s:\n  %s\n", name, strings.Join(lines, "\n  "))
	}
	var lines []string
	for _, f := range st.Failures {
		lines = append(lines, failText(f))
	}
	section("failures", lines)
	lines = nil
	for _, t := range st.Tampers {
		lines = append(lines, fmt.Sprintf("%s%s, %s", t.Kind, forClient(t.ClientID), timesText(t.Times)))
	}
	section("tampering", lines)
	lines = nil
	for _, l := range st.Logins {
		lines = append(lines, fmt.Sprintf("as %s%s, %s", l.User, forClient(l.ClientID), timesText(l.Times)))
	}
	section("logins", lines)
	lines = nil
	for _, c := range st.Claims {
		lines = append(lines, claimsText(c))
	}
	section("claims", lines)
	lines = nil
	for _, r := range st.Revoked {
		var parts []string
		if r.ClientID != "" {
			parts = append(parts, "client "+r.ClientID)
		}
		if r.User != "" {
			parts = append(parts, "user "+r.User)
		}
		what := "all"
		if len(parts) > 0 {
			what = strings.Join(parts, " ")
		}
		lines = append(lines, what+" up to "+r.At)
	}
	section("revoked", lines)
	lines = nil
	for _, k := range st.Keys {
		s := k.KID + " " + k.Alg
		if k.Signing {
			s += " (signing)"
		}
		lines = append(lines, s)
	}
	section("keys", lines)
	fmt.Fprintf(w, "request log: %d requests\n", st.Requests)
}
