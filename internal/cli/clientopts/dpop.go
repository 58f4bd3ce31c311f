package clientopts

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/keys"
)

// GroupDPoP is the help group of the DPoP flags.
const GroupDPoP = GroupRequest

// DPoPOptions are --dpop and --dpop-key (RFC 9449).
type DPoPOptions struct {
	Enabled bool
	KeyFile string
}

// AddDPoPFlags registers --dpop and --dpop-key on a command that talks to
// a token endpoint or a resource.
func AddDPoPFlags(cmd *cobra.Command, o *DPoPOptions) {
	fl := cmd.Flags()
	fl.BoolVar(&o.Enabled, "dpop", false, "bind the tokens to a new P-256 key with DPoP proofs (RFC 9449)")
	fl.StringVar(&o.KeyFile, "dpop-key", "", "sign DPoP proofs with this private key `FILE` (implies --dpop)")
	GroupFlag(cmd, "dpop", GroupDPoP)
	GroupFlag(cmd, "dpop-key", GroupDPoP)
}

// Signer returns the DPoP signer the flags ask for: nil without --dpop or
// a key file, the key of --dpop-key, else a fresh P-256 key for this run.
func (o DPoPOptions) Signer(f *cmdutil.Factory) (*flow.DPoPSigner, error) {
	if !o.Enabled && o.KeyFile == "" {
		return nil, nil
	}
	var key *keys.Key
	if o.KeyFile == "" {
		k, err := keys.Generate(keys.Spec{Type: keys.TypeEC, Curve: "P-256"})
		if err != nil {
			return nil, cmdutil.Failf("generating a DPoP key: %v", err)
		}
		key = k
	} else {
		ks, err := keys.ParseFile(o.KeyFile)
		if err != nil {
			return nil, cmdutil.UsageErrorf("--dpop-key %s: %v", o.KeyFile, err)
		}
		if len(ks) != 1 || !ks[0].IsPrivate() {
			return nil, cmdutil.UsageErrorf("--dpop-key %s: want one private key (PEM or JWK), the proofs are signed with it", o.KeyFile)
		}
		key = ks[0]
	}
	s, err := flow.NewDPoPSigner(key, f.Now)
	if err != nil {
		return nil, cmdutil.UsageErrorf("--dpop-key %s: %v", o.KeyFile, err)
	}
	return s, nil
}
