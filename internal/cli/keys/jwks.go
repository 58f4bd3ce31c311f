package keys

import (
	"crypto"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/keys"
)

// JWKSOptions of `oauthkit keys jwks`.
type JWKSOptions struct {
	Factory *cmdutil.Factory
	Files   []string
}

// NewCmdJWKS returns `oauthkit keys jwks`; runF replaces the run in tests.
func NewCmdJWKS(f *cmdutil.Factory, runF func(*JWKSOptions) error) *cobra.Command {
	opts := &JWKSOptions{Factory: f}
	return &cobra.Command{
		Use:   "jwks FILE...",
		Short: "Merge the public keys of several files into one JWKS",
		Long: `Merge the public keys of every FILE (PEM, JWK or JWKS, private or public)
into one JSON Web Key Set on standard output, for key rotation: publish the
new key next to the old one.

Keys keep the order of the files. Each key's kid is the one written in a JWK
input, else its RFC 7638 thumbprint; a key already in the set under the same
kid is listed once, and two different keys with the same kid are refused.
Only public members are written.`,
		Example: `  oauthkit keys jwks new.pub.pem old.jwks.json > jwks.json
  oauthkit keygen --name next && oauthkit keys jwks next.jwk.json oauthkit.jwks.json`,
		Args: cmdutil.MinimumArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			stdin := 0
			for _, a := range args {
				if a == "-" {
					stdin++
				}
			}
			if stdin > 1 {
				return cmdutil.UsageErrorf("standard input (-) can be read only once")
			}
			if runF != nil {
				return runF(opts)
			}
			return runJWKS(opts)
		},
	}
}

func runJWKS(o *JWKSOptions) error {
	set := keys.JWKS{Keys: []*keys.JWK{}}
	type seen struct {
		pub  crypto.PublicKey
		file string
	}
	byKID := map[string]seen{}
	for _, file := range o.Files {
		ks, err := load(o.Factory, file)
		if err != nil {
			return err
		}
		for _, k := range ks {
			j, err := k.PublicJWK()
			if err != nil {
				return cmdutil.Failf("%s: %v", displayName(file), err)
			}
			if prev, ok := byKID[j.Kid]; ok {
				if !sameKey(prev.pub, k.Public) {
					return cmdutil.Failf("kid %q names two different keys (in %s and %s)", j.Kid, displayName(prev.file), displayName(file))
				}
				continue
			}
			byKID[j.Kid] = seen{pub: k.Public, file: file}
			set.Keys = append(set.Keys, j)
		}
	}
	return cmdutil.WriteJSON(o.Factory.IOStreams.Out, set)
}

// sameKey compares two public keys by their thumbprints.
func sameKey(a, b crypto.PublicKey) bool {
	ta, err1 := keys.Thumbprint(a)
	tb, err2 := keys.Thumbprint(b)
	return err1 == nil && err2 == nil && ta == tb
}
