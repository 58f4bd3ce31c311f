// Package keygen implements `oauthkit keygen`.
package keygen

import (
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/keys"
)

// Layouts of the written files.
const (
	LayoutDefault = "default"
	LayoutTencent = "tencent"
)

// Options of `oauthkit keygen`.
type Options struct {
	Factory *cmdutil.Factory

	Type       string
	Bits       int
	Curve      string
	OutDir     string
	Name       string
	KID        string
	Alg        string
	Layout     string
	PKCS1      bool
	PrivateJWK bool
	Force      bool
	Output     string

	// Which flags were given on the command line.
	BitsSet, CurveSet, NameSet, KIDSet, AlgSet bool
}

// NewCmdKeygen returns `oauthkit keygen`; runF replaces the run in tests.
func NewCmdKeygen(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Generate a signing key pair: private PEM, public PEM, JWK and JWKS",
		Long: `Generate a key pair for signing tokens and write it as files:

  NAME.key.pem    the private key, PKCS#8 PEM (PKCS#1 with --pkcs1), mode 0600
  NAME.pub.pem    the public key, SPKI PEM, mode 0644
  NAME.jwk.json   the public key as a JWK with kid, alg and use "sig"
  NAME.jwks.json  the same JWK in a key set: {"keys": [...]}
  NAME.private.jwk.json  the private JWK, mode 0600 (only with --private-jwk)

The kid is the RFC 7638 SHA-256 thumbprint of the public key unless --kid
is given. The alg is RS256 for RSA, ES256/ES384/ES512 for EC P-256/P-384/P-521
and EdDSA for Ed25519; --alg picks another one of the key's family (PS256 for
an RSA key, for example).

--layout tencent writes instead the three files of the Tencent Cloud API
Gateway demo (produce_key.py): priv_pem, public_pem and public, the bare
public JWK ({"e":"AQAB","kty":"RSA","n":"..."}) to paste into the gateway's
public key field. RSA only.

Files are written atomically and all or nothing. An existing file is never
overwritten without --force: if any target exists, nothing is written.

A summary goes to standard error; -o json prints it as JSON on standard output.`,
		Example: `  oauthkit keygen
  oauthkit keygen --type ec --curve P-384 --out-dir keys --name issuer
  oauthkit keygen --type ed25519 --kid 2024-01 -o json
  oauthkit keygen --bits 3072 --alg PS256 --private-jwk --force
  oauthkit keygen --layout tencent --out-dir gateway`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			opts.BitsSet, opts.CurveSet, opts.NameSet = fl.Changed("bits"), fl.Changed("curve"), fl.Changed("name")
			opts.KIDSet, opts.AlgSet = fl.Changed("kid"), fl.Changed("alg")
			if err := validate(opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return run(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Type, "type", keys.TypeRSA, "key type: rsa|ec|ed25519")
	fl.IntVar(&opts.Bits, "bits", 2048, "RSA key size: 2048|3072|4096")
	fl.StringVar(&opts.Curve, "curve", "P-256", "EC curve: P-256|P-384|P-521")
	fl.StringVar(&opts.OutDir, "out-dir", ".", "directory for the files (created 0700 if missing)")
	fl.StringVar(&opts.Name, "name", "oauthkit", "base name of the files")
	fl.StringVar(&opts.KID, "kid", "", "key ID (default: the RFC 7638 thumbprint)")
	fl.StringVar(&opts.Alg, "alg", "", "JWS algorithm recorded in the JWK (default: by key type)")
	fl.StringVar(&opts.Layout, "layout", LayoutDefault, "file layout: default|tencent")
	fl.BoolVar(&opts.PKCS1, "pkcs1", false, "write an RSA private key as PKCS#1 instead of PKCS#8")
	fl.BoolVar(&opts.PrivateJWK, "private-jwk", false, "also write NAME.private.jwk.json (mode 0600)")
	fl.BoolVar(&opts.Force, "force", false, "overwrite existing files")
	cmdutil.AddOutputFlag(cmd, &opts.Output, "text", "json")
	for name, values := range map[string][]string{
		"type": {keys.TypeRSA, keys.TypeEC, keys.TypeEd25519}, "bits": {"2048", "3072", "4096"},
		"curve": keys.Curves(), "layout": {LayoutDefault, LayoutTencent},
	} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
	return cmd
}

// validate checks the flags together; every mistake is a usage error.
func validate(o *Options) error {
	if err := cmdutil.CheckOutput(o.Output, "text", "json"); err != nil {
		return err
	}
	switch o.Type {
	case keys.TypeRSA, keys.TypeEC, keys.TypeEd25519:
	default:
		return cmdutil.UsageErrorf("--type %q is not one of rsa, ec, ed25519", o.Type)
	}
	if o.BitsSet && o.Type != keys.TypeRSA {
		return cmdutil.UsageErrorf("--bits only applies to --type rsa")
	}
	if o.CurveSet && o.Type != keys.TypeEC {
		return cmdutil.UsageErrorf("--curve only applies to --type ec")
	}
	if o.Type == keys.TypeRSA {
		if o.Bits < keys.MinRSABits {
			return cmdutil.UsageErrorf("--bits %d: RSA keys below %d bits are refused as insecure", o.Bits, keys.MinRSABits)
		}
		if !slices.Contains(keys.RSABits(), o.Bits) {
			return cmdutil.UsageErrorf("--bits %d is not one of 2048, 3072, 4096", o.Bits)
		}
	}
	if o.Type == keys.TypeEC && !slices.Contains(keys.Curves(), o.Curve) {
		return cmdutil.UsageErrorf("--curve %q is not one of %s", o.Curve, strings.Join(keys.Curves(), ", "))
	}
	if o.PKCS1 && o.Type != keys.TypeRSA {
		return cmdutil.UsageErrorf("--pkcs1 only applies to --type rsa")
	}
	if o.AlgSet {
		allowed := o.spec().Algs()
		if !slices.Contains(allowed, o.Alg) {
			return cmdutil.UsageErrorf("--alg %q cannot be used with %s (allowed: %s)", o.Alg, o.describe(), strings.Join(allowed, ", "))
		}
	}
	if o.KIDSet && (strings.TrimSpace(o.KID) == "" || strings.ContainsFunc(o.KID, isControl)) {
		return cmdutil.UsageErrorf("--kid must be a non-empty, printable string")
	}
	switch o.Layout {
	case LayoutDefault:
	case LayoutTencent:
		if o.Type != keys.TypeRSA {
			return cmdutil.UsageErrorf("--layout tencent writes RSA keys only, not --type %s", o.Type)
		}
		for flag, set := range map[string]bool{"--name": o.NameSet, "--private-jwk": o.PrivateJWK, "--kid": o.KIDSet, "--alg": o.AlgSet} {
			if set {
				return cmdutil.UsageErrorf("%s cannot be used with --layout tencent (its files are priv_pem, public_pem and public)", flag)
			}
		}
	default:
		return cmdutil.UsageErrorf("--layout %q is not one of default, tencent", o.Layout)
	}
	if o.Name == "" || o.Name == "." || o.Name == ".." || strings.ContainsAny(o.Name, `/\`) || strings.ContainsFunc(o.Name, isControl) {
		return cmdutil.UsageErrorf("--name %q must be a plain file name (no directory; use --out-dir)", o.Name)
	}
	if o.OutDir == "" {
		return cmdutil.UsageErrorf("--out-dir must not be empty")
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// spec is the key to generate.
func (o *Options) spec() keys.Spec {
	switch o.Type {
	case keys.TypeRSA:
		return keys.Spec{Type: o.Type, Bits: o.Bits}
	case keys.TypeEC:
		return keys.Spec{Type: o.Type, Curve: o.Curve}
	}
	return keys.Spec{Type: o.Type}
}

// describe names the key for messages: "an RSA 2048-bit key".
func (o *Options) describe() string {
	switch o.Type {
	case keys.TypeRSA:
		return "an RSA " + strconv.Itoa(o.Bits) + "-bit key"
	case keys.TypeEC:
		return "an EC " + o.Curve + " key"
	}
	return "an Ed25519 key"
}

// keyLabel is "RSA 2048-bit", "EC P-256" or "Ed25519" (summary line).
func (o *Options) keyLabel() string {
	return strings.TrimSuffix(strings.TrimPrefix(o.describe(), "an "), " key")
}
