package jwt

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/token"
)

// VerifyOptions of `oauthkit jwt verify`.
type VerifyOptions struct {
	Factory    *cmdutil.Factory
	Token      string // the argument: a token, "Bearer <token>" or "-"
	JWKS       string // URL or file
	KeyFile    string
	Algs       []string
	Issuer     string
	Audience   string
	Leeway     time.Duration
	AllowNoExp bool
	Timeout    time.Duration
	Insecure   bool
	Output     string
}

// NewCmdVerify returns `oauthkit jwt verify`; runF replaces the run in tests.
func NewCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "verify <token>|- (--jwks URL|FILE | --key FILE)",
		Short: "Verify a JWT's signature and claims",
		Long: `Verify a JWT strictly and print its claims.

The signature is checked first, against --key (a PEM, JWK or JWKS file) or
--jwks (a JWKS file or an http(s) URL). The token's kid selects the key; a
key without a kid of its own (a PEM file) is tried whatever the token's kid.
Entries of a --jwks set that cannot verify a signature (symmetric keys,
"use": "enc", unsupported curves, RSA below 2048 bits) are skipped with a
note on standard error.
The algorithm is pinned to the key's own (RS256 for RSA, ES256/384/512 by
curve, EdDSA, or the JWK's "alg"), or to the --alg list. "alg: none" and
HMAC (HS256 keyed with the public key) are always refused.

Then: exp is required (unless --allow-no-exp) and must be in the future;
nbf and iat must not be in the future; with --iss the issuer must match
exactly; with --aud the audience (a string or an array) must include it.
--leeway tolerates clock skew. A token both expired and badly signed is
reported as badly signed.

Valid: exit 0 and the claims as JSON on standard output (-o json:
{"valid": true, "header": {...}, "claims": {...}}). Invalid: exit 1 and the
reason on standard error. A JWKS URL must be https:// (plain http:// only
to a loopback host, or with --insecure, which also skips TLS certificate
checks); a network error exits 4, a time-out (--timeout) exits 5.`,
		Example: `  oauthkit jwt verify "$TOKEN" --key keys/oauthkit.pub.pem
  oauthkit jwt verify - --jwks https://issuer.example/jwks.json --iss https://issuer.example --aud api < token.txt
  oauthkit jwt verify "$TOKEN" --jwks jwks.json --alg RS256,PS256 --leeway 30s -o json`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutput(opts.Output, "text", "json"); err != nil {
				return err
			}
			if (opts.JWKS == "") == (opts.KeyFile == "") {
				return cmdutil.UsageErrorf("give exactly one of --jwks or --key (see '%s --help')", cmd.CommandPath())
			}
			for _, a := range opts.Algs {
				if err := token.CheckAlgName(a); err != nil {
					return cmdutil.UsageErrorf("--alg: %v", err)
				}
			}
			if opts.Leeway < 0 {
				return cmdutil.UsageErrorf("--leeway must not be negative, got %s", opts.Leeway)
			}
			if opts.Timeout <= 0 {
				return cmdutil.UsageErrorf("--timeout must be positive, got %s", opts.Timeout)
			}
			opts.Token = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runVerify(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.JWKS, "jwks", "", "JWKS to verify with: an https:// URL or a file")
	fl.StringVar(&opts.KeyFile, "key", "", "key file to verify with: PEM, JWK or JWKS")
	fl.StringSliceVar(&opts.Algs, "alg", nil, "accepted algorithms, comma-separated (default: each key's own)")
	fl.StringVar(&opts.Issuer, "iss", "", "required issuer (iss), compared exactly")
	fl.StringVar(&opts.Audience, "aud", "", "required audience (aud must include it)")
	fl.DurationVar(&opts.Leeway, "leeway", 0, "clock skew tolerated for exp, nbf and iat (e.g. 30s)")
	fl.BoolVar(&opts.AllowNoExp, "allow-no-exp", false, "accept a token without exp")
	fl.DurationVar(&opts.Timeout, "timeout", 10*time.Second, "time limit for fetching a JWKS URL")
	fl.BoolVar(&opts.Insecure, "insecure", false, "allow a plain http:// JWKS URL to any host and skip TLS certificate checks (unsafe)")
	cmdutil.AddOutputFlag(cmd, &opts.Output, "text", "json")
	return cmd
}

func runVerify(opts *VerifyOptions) error {
	f := opts.Factory
	tok, err := readToken(f, opts.Token)
	if err != nil {
		return err
	}
	ks, err := loadVerifyKeys(opts)
	if err != nil {
		return err
	}
	v := &token.Verifier{
		Keys:            ks,
		Algs:            opts.Algs,
		Issuer:          opts.Issuer,
		Audience:        opts.Audience,
		Leeway:          opts.Leeway,
		AllowMissingExp: opts.AllowNoExp,
		Now:             f.Now,
	}
	got, err := v.Verify(tok)
	if err != nil {
		if token.KindOf(err) == token.KindMissingExp {
			err = fmt.Errorf("%w (--allow-no-exp accepts it)", err)
		}
		return tokenError(err)
	}
	ios := f.IOStreams
	if opts.Output == "json" {
		valid := true
		err = cmdutil.WriteJSON(ios.Out, tokenJSON{Valid: &valid, Header: got.RawHeader, Claims: got.RawClaims})
	} else {
		err = writeIndented(ios.Out, got.RawClaims)
	}
	if err != nil {
		return err
	}
	if ios.IsStderrTTY() {
		fmt.Fprintf(ios.ErrOut, "verified: %s signature by key %s\n", got.Alg, got.Key.KeyID())
	}
	return nil
}
