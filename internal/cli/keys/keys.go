// Package keys implements `oauthkit keys`: thumbprint, public, jwks and
// inspect.
package keys

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/keys"
)

// NewCmdKeys returns the `oauthkit keys` command group.
func NewCmdKeys(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys <command>",
		Short: "Inspect and convert keys: thumbprints, public keys, JWKS",
		Long: `Work with existing keys. Every command reads PEM (PKCS#8, PKCS#1, SEC 1,
SPKI public keys, certificates), a JWK or a JWKS, private or public; FILE
may be - for standard input.

Symmetric keys (kty "oct") and RSA keys below 2048 bits are refused.`,
		Example: `  oauthkit keys thumbprint oauthkit.pub.pem
  oauthkit keys public oauthkit.key.pem -o jwk
  oauthkit keys jwks new.pub.pem old.jwk.json > jwks.json
  oauthkit keys inspect oauthkit.key.pem -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cmdutil.UsageErrorf("unknown command %q for %q (see '%s --help')", args[0], cmd.CommandPath(), cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(
		NewCmdThumbprint(f, nil),
		NewCmdPublic(f, nil),
		NewCmdJWKS(f, nil),
		NewCmdInspect(f, nil),
	)
	return cmd
}

// load reads and parses the keys of one FILE argument ("-" = stdin).
func load(f *cmdutil.Factory, path string) ([]*keys.Key, error) {
	data, err := cmdutil.ReadInput(f, path)
	if err != nil {
		return nil, err
	}
	ks, err := keys.Parse(data)
	if err != nil {
		return nil, cmdutil.Failf("%s: %v", displayName(path), err)
	}
	return ks, nil
}

func displayName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}
