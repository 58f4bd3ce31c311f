package keys

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/keys"
)

// ThumbprintOptions of `oauthkit keys thumbprint`.
type ThumbprintOptions struct {
	Factory *cmdutil.Factory
	File    string
}

// NewCmdThumbprint returns `oauthkit keys thumbprint`; runF replaces the run in tests.
func NewCmdThumbprint(f *cmdutil.Factory, runF func(*ThumbprintOptions) error) *cobra.Command {
	opts := &ThumbprintOptions{Factory: f}
	return &cobra.Command{
		Use:   "thumbprint FILE",
		Short: "Print the RFC 7638 thumbprint (default kid) of each key",
		Long: `Print the RFC 7638 SHA-256 thumbprint of each key in FILE, base64url
encoded, one line per key. It is the kid oauthkit gives a key by default.
A kid written in a JWK is ignored: the thumbprint is computed from the key.`,
		Example: `  oauthkit keys thumbprint oauthkit.key.pem
  oauthkit keys thumbprint jwks.json
  curl -s https://example.com/jwks.json | oauthkit keys thumbprint -`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runThumbprint(opts)
		},
	}
}

func runThumbprint(o *ThumbprintOptions) error {
	ks, err := load(o.Factory, o.File)
	if err != nil {
		return err
	}
	for _, k := range ks {
		tp, err := keys.Thumbprint(k.Public)
		if err != nil {
			return cmdutil.Failf("%s: %v", displayName(o.File), err)
		}
		fmt.Fprintln(o.Factory.IOStreams.Out, tp)
	}
	return nil
}
