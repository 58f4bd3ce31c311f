package keys

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/keys"
)

// PublicOptions of `oauthkit keys public`.
type PublicOptions struct {
	Factory *cmdutil.Factory
	File    string
	Output  string // -o: pem or jwk
	Format  string // --format, the deprecated alias of -o; the format to print once checked
}

// NewCmdPublic returns `oauthkit keys public`; runF replaces the run in tests.
func NewCmdPublic(f *cmdutil.Factory, runF func(*PublicOptions) error) *cobra.Command {
	opts := &PublicOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "public FILE",
		Short: "Print the public key of a private or public key",
		Long: `Print the public half of the key in FILE (PEM, JWK or JWKS; private or
public) on standard output: an SPKI "PUBLIC KEY" PEM block for each key, or
with -o jwk a public JWK with kid and alg. The kid is the one written in
a JWK input, else the RFC 7638 thumbprint; the alg likewise, else the key's
default (RS256, ES256, ES384, ES512 or EdDSA). Private members are never
printed.`,
		Example: `  oauthkit keys public oauthkit.key.pem > oauthkit.pub.pem
  oauthkit keys public oauthkit.key.pem -o jwk
  oauthkit keys public private.jwk.json`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if cmd.Flags().Changed("format") {
				// The old name of -o, kept as a hidden deprecated alias.
				fmt.Fprintln(f.IOStreams.ErrOut, "warning: --format is deprecated: use -o (--output)")
				if cmd.Flags().Changed("output") && opts.Format != opts.Output {
					return cmdutil.UsageErrorf("give the format once: -o %s and --format %s disagree", opts.Output, opts.Format)
				}
				if opts.Format != "pem" && opts.Format != "jwk" {
					return cmdutil.UsageErrorf("--format %q is not one of pem, jwk", opts.Format)
				}
				opts.Output = opts.Format
			}
			if err := cmdutil.CheckOutput(opts.Output, "pem", "jwk"); err != nil {
				return err
			}
			opts.Format = opts.Output
			if runF != nil {
				return runF(opts)
			}
			return runPublic(opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, "pem", "jwk")
	cmd.Flags().StringVar(&opts.Format, "format", "pem", "output format: pem|jwk")
	// Hidden rather than MarkDeprecated: Cobra prints its deprecation note on
	// the command's output, which is standard output here.
	_ = cmd.Flags().MarkHidden("format")
	return cmd
}

func runPublic(o *PublicOptions) error {
	ks, err := load(o.Factory, o.File)
	if err != nil {
		return err
	}
	out := o.Factory.IOStreams.Out
	if o.Format == "jwk" {
		if len(ks) != 1 {
			return cmdutil.Failf("%s holds %d keys: -o jwk prints one key (use 'oauthkit keys jwks' for a set)", displayName(o.File), len(ks))
		}
		j, err := ks[0].PublicJWK()
		if err != nil {
			return cmdutil.Failf("%s: %v", displayName(o.File), err)
		}
		return cmdutil.WriteJSON(out, j)
	}
	for _, k := range ks {
		p, err := keys.EncodePublicPEM(k.Public)
		if err != nil {
			return cmdutil.Failf("%s: %v", displayName(o.File), err)
		}
		if _, err := out.Write(p); err != nil {
			return err
		}
	}
	return nil
}
