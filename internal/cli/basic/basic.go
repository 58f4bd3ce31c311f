// Package basic implements `oauthkit basic encode|decode`: HTTP Basic client
// credentials as RFC 6749 §2.3.1 defines them.
package basic

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

// SecretEnvVar is the environment variable that may hold the client secret.
const SecretEnvVar = "OAUTHKIT_CLIENT_SECRET"

// NewCmdBasic returns `oauthkit basic` with its subcommands.
func NewCmdBasic(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "basic <command>",
		Short: "Encode and decode HTTP Basic client credentials",
		Long: `Encode and decode the HTTP Basic credentials an OAuth 2.0 client sends to the
token endpoint (client_secret_basic).

RFC 6749 §2.3.1 says the client_id and the client_secret are each
application/x-www-form-urlencoded BEFORE "id:secret" is base64-encoded, so
a secret with ':', '%', '+', a space or non-ASCII letters gives a different
value than the plain RFC 7617 encoding that 'curl -u id:secret' sends. Both
commands follow RFC 6749 by default; --raw gives the plain encoding.`,
		Example: `  oauthkit basic encode my-client --secret-file secret.txt
  OAUTHKIT_CLIENT_SECRET=s3cret oauthkit basic encode my-client --header
  oauthkit basic decode 'Authorization: Basic bXktY2xpZW50OnMzY3JldA=='`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cmdutil.UsageErrorf("unknown command %q for %q (see '%s --help')", args[0], cmd.CommandPath(), cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(NewCmdEncode(f, nil), NewCmdDecode(f, nil))
	return cmd
}
