// Package tokencmd implements `oauthkit token introspect|revoke`: the
// client side of RFC 7662 and RFC 7009.
package tokencmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/termtext"
)

// defaultTimeout bounds one introspection or revocation request.
const defaultTimeout = 30 * time.Second

// NewCmdToken returns the `oauthkit token` command group.
func NewCmdToken(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token <command>",
		Short: "Introspect, revoke or use a token at an authorization server",
		Long: `Ask an authorization server about a token (introspection, RFC 7662), revoke
it (RFC 7009), ask who it stands for (UserInfo, OpenID Connect Core §5.3), or
call a resource with it ('token call', Bearer or DPoP).
For introspect and revoke the client authenticates as for 'oauthkit flow'
(--client-id, --client-secret-file or OAUTHKIT_CLIENT_SECRET, --auth-method);
userinfo sends only the access token. The token is the argument, or '-' to
read it from standard input (keeps it out of the process list).`,
		Example: `  oauthkit token introspect --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt "$TOKEN"
  jq -r .refresh_token tokens.json | oauthkit token revoke --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt --token-type-hint refresh_token -`,
	}
	cmd.AddCommand(NewCmdIntrospect(f, nil), NewCmdRevoke(f, nil), NewCmdUserinfo(f, nil), NewCmdCall(f, nil))
	return cmd
}

// Options are the options of introspect and revoke.
type Options struct {
	clientopts.CommonOptions
	Token         string
	TokenTypeHint string
}

func newCmd(f *cmdutil.Factory, use string, set clientopts.FlagSet, runF func(*Options) error, run func(context.Context, *Options, *flow.Client, string) error) (*cobra.Command, *Options) {
	opts := &Options{CommonOptions: clientopts.CommonOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:  use + " TOKEN|-",
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Prepare(); err != nil {
				return err
			}
			opts.Token = args[0]
			if runF != nil {
				return runF(opts)
			}
			tok, err := cmdutil.ReadValueArg(f, opts.Token)
			if err != nil {
				return err
			}
			if tok == "" {
				return cmdutil.Failf("no token given")
			}
			if opts.Token == "-" && opts.ClientSecretFile == "-" {
				return cmdutil.UsageErrorf("the token and --client-secret-file cannot both come from standard input")
			}
			sctx, stop := clientopts.SignalContext()
			defer stop()
			ctx, cancel := context.WithTimeout(sctx, opts.Timeout)
			defer cancel()
			c, err := opts.Client(ctx)
			if err != nil {
				return clientopts.MapError(err)
			}
			return run(ctx, opts, c, tok)
		},
	}
	clientopts.AddCommonFlags(cmd, &opts.CommonOptions, defaultTimeout, set)
	return cmd, opts
}

// addTokenTypeHint registers --token-type-hint (introspect, revoke).
func addTokenTypeHint(cmd *cobra.Command, o *Options) {
	cmd.Flags().StringVar(&o.TokenTypeHint, "token-type-hint", "", "access_token or refresh_token (a hint for the server)")
	_ = cmd.RegisterFlagCompletionFunc("token-type-hint", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"access_token", "refresh_token"}, cobra.ShellCompDirectiveNoFileComp
	})
}

// NewCmdIntrospect returns `oauthkit token introspect`.
func NewCmdIntrospect(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	cmd, opts := newCmd(f, "introspect", clientopts.FlagSet{Endpoints: clientopts.IntrospectURL, Client: true}, runF, func(ctx context.Context, o *Options, c *flow.Client, tok string) error {
		obj, err := c.Introspect(ctx, tok, o.TokenTypeHint)
		if err != nil {
			o.InvalidClientHint(c, err)
			return clientopts.MapError(err)
		}
		if o.Output == "text" {
			return writeText(o, obj)
		}
		return cmdutil.WriteJSON(f.IOStreams.Out, obj)
	})
	cmd.Short = "Ask the server whether a token is active (RFC 7662)"
	cmd.Long = `Send the token to the introspection endpoint and print the answer as the server
sent it (-o json, the default), or one "name: value" line per member (-o text).
An inactive token is not an error: the answer is {"active": false} and the exit
code 0; test it with jq -e .active.`
	cmd.Example = `  oauthkit token introspect --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt "$TOKEN"
  echo "$TOKEN" | oauthkit token introspect --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt - | jq -e .active`
	addTokenTypeHint(cmd, opts)
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "text")
	clientopts.GroupFlag(cmd, "output", clientopts.GroupOutput)
	return cmd
}

// NewCmdRevoke returns `oauthkit token revoke`.
func NewCmdRevoke(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	cmd, opts := newCmd(f, "revoke", clientopts.FlagSet{Endpoints: clientopts.RevokeURL, Client: true}, runF, func(ctx context.Context, o *Options, c *flow.Client, tok string) error {
		if err := c.Revoke(ctx, tok, o.TokenTypeHint); err != nil {
			o.InvalidClientHint(c, err)
			return clientopts.MapError(err)
		}
		fmt.Fprintln(f.IOStreams.ErrOut, "revoked (the server answered 200; RFC 7009 answers 200 for unknown tokens too)")
		return nil
	})
	cmd.Short = "Revoke an access or refresh token (RFC 7009)"
	cmd.Long = `Send the token to the revocation endpoint. A 200 answer means the token is no
longer valid (RFC 7009 answers 200 for an unknown or already revoked token too).
Nothing is printed on standard output; a line on standard error confirms.`
	cmd.Example = `  oauthkit token revoke --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt --token-type-hint refresh_token "$RT"
  jq -r .refresh_token tokens.json | oauthkit token revoke --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt -`
	addTokenTypeHint(cmd, opts)
	return cmd
}

// writeText prints one "name: value" line per member; strings unquoted
// (control characters replaced), other values as JSON.
func writeText(o *Options, obj flow.Object) error {
	var b strings.Builder
	for _, m := range obj {
		v := string(m.Value)
		var s string
		if json.Unmarshal(m.Value, &s) == nil {
			v = s
		}
		fmt.Fprintf(&b, "%s: %s\n", termtext.Cut(m.Name, 100), termtext.Cut(v, 2000))
	}
	_, err := io.WriteString(o.Factory.IOStreams.Out, b.String())
	return err
}
