package client

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

func newCmdDelete(f *cmdutil.Factory, runF func(*baseOptions) error) *cobra.Command {
	o := &baseOptions{f: f}
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a registered client at the server (RFC 7592 §2.3) and its profile",
		Long: `Delete the client registration of --profile NAME (RFC 7592 §2.3): the server
forgets the client, and its tokens stop working. Then the profile and its
secret files are removed. If the server refuses, nothing local is removed.`,
		Example: `  oauthkit client delete --profile myapp`,
		Args:    cmdutil.NoArgs,
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
			if err := o.flowClient().DeleteRegistration(ctx, uri, tok); err != nil {
				return mapError(err)
			}
			path, err := o.profilePath()
			if err != nil {
				return err
			}
			if err := flow.RemoveProfile(path, o.Profile); err != nil {
				return cmdutil.Failf("the client is deleted at the server, but removing profile %s failed: %v", o.Profile, err)
			}
			for _, file := range []string{p.ClientSecretFile, p.RegistrationTokenFile} {
				if file == "" {
					continue
				}
				if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return cmdutil.Failf("the client is deleted, but removing %s failed: %v", file, err)
				}
			}
			if o.Output == "json" {
				return cmdutil.WriteJSON(f.IOStreams.Out, map[string]any{"deleted": true, "profile": o.Profile, "registration_client_uri": uri})
			}
			fmt.Fprintf(f.IOStreams.Out, "deleted the client at %s and profile %s\n", uri, o.Profile)
			return nil
		},
	}
	o.addFlags(cmd, "the profile of the client (required)")
	return cmd
}
