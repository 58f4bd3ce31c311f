package client

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

func newCmdShow(f *cmdutil.Factory, runF func(*baseOptions) error) *cobra.Command {
	o := &baseOptions{f: f}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a registered client as the server has it (RFC 7592 §2.1)",
		Long: `Read the client registration of --profile NAME from its registration_client_uri
with its registration access token (RFC 7592 §2.1) and print it: text with the
secrets masked, or -o json as the server sent it.`,
		Example: `  oauthkit client show --profile myapp
  oauthkit client show --profile myapp -o json | jq .redirect_uris`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			p, uri, tok, err := o.managed()
			if err != nil {
				return err
			}
			ctx, cancel := o.context()
			defer cancel()
			reg, err := o.flowClient().ReadRegistration(ctx, uri, tok, o.Insecure)
			if err != nil {
				return mapError(err)
			}
			if _, err := o.keepRotated(p, tok, reg); err != nil {
				return err
			}
			return writeRegistration(f.IOStreams.Out, o.Output, reg, "", "")
		},
	}
	o.addFlags(cmd, "the profile of the client (required)")
	return cmd
}
