package keys

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/keys"
)

// InspectOptions of `oauthkit keys inspect`.
type InspectOptions struct {
	Factory *cmdutil.Factory
	File    string
	Output  string
}

// KeyInfo describes one key (-o json).
type KeyInfo struct {
	Type       string `json:"type"`
	Bits       int    `json:"bits,omitempty"`
	Curve      string `json:"curve,omitempty"`
	KID        string `json:"kid"`
	Thumbprint string `json:"thumbprint"`
	Alg        string `json:"alg"`
	Use        string `json:"use,omitempty"`
	Private    bool   `json:"private"`
}

// NewCmdInspect returns `oauthkit keys inspect`; runF replaces the run in tests.
func NewCmdInspect(f *cmdutil.Factory, runF func(*InspectOptions) error) *cobra.Command {
	opts := &InspectOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "inspect FILE",
		Short: "Describe each key: type, size or curve, kid, alg, private or not",
		Long: `Describe each key in FILE (PEM, JWK or JWKS): its type (rsa, ec, ed25519),
RSA size in bits or EC curve, kid (the JWK's, else the RFC 7638 thumbprint),
thumbprint, alg (the JWK's, else the key's default) and whether the private
key is present. -o json prints a JSON array with one object per key.`,
		Example: `  oauthkit keys inspect oauthkit.key.pem
  oauthkit keys inspect jwks.json -o json | jq -r '.[].kid'`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if err := cmdutil.CheckOutput(opts.Output, "text", "json"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runInspect(opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, "text", "json")
	return cmd
}

func runInspect(o *InspectOptions) error {
	ks, err := load(o.Factory, o.File)
	if err != nil {
		return err
	}
	infos := make([]KeyInfo, 0, len(ks))
	for _, k := range ks {
		tp, err := keys.Thumbprint(k.Public)
		if err != nil {
			return cmdutil.Failf("%s: %v", displayName(o.File), err)
		}
		typ, bits, curve := keys.Info(k.Public)
		info := KeyInfo{Type: typ, KID: k.KeyID(), Thumbprint: tp, Alg: k.Algorithm(), Use: k.Use, Private: k.IsPrivate()}
		switch typ {
		case keys.TypeRSA:
			info.Bits = bits
		case keys.TypeEC:
			info.Curve = curve
		}
		infos = append(infos, info)
	}
	out := o.Factory.IOStreams.Out
	if o.Output == "json" {
		return cmdutil.WriteJSON(out, infos)
	}
	for i, info := range infos {
		if len(infos) > 1 {
			if i > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "key %d of %d\n", i+1, len(infos))
		}
		fmt.Fprintf(out, "type:        %s\n", info.Type)
		if info.Bits != 0 {
			fmt.Fprintf(out, "bits:        %d\n", info.Bits)
		}
		if info.Curve != "" {
			fmt.Fprintf(out, "curve:       %s\n", info.Curve)
		}
		fmt.Fprintf(out, "kid:         %s\n", info.KID)
		fmt.Fprintf(out, "thumbprint:  %s\n", info.Thumbprint)
		fmt.Fprintf(out, "alg:         %s\n", info.Alg)
		if info.Use != "" {
			fmt.Fprintf(out, "use:         %s\n", info.Use)
		}
		fmt.Fprintf(out, "private:     %s\n", yesNo(info.Private))
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
