package jwt

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// defaultLifetime is the exp of a minted token, as the Tencent demo's 300 s.
const defaultLifetime = 5 * time.Minute

// SignOptions of `oauthkit jwt sign`.
type SignOptions struct {
	Factory *cmdutil.Factory
	KeyFile string
	Claims  string // JSON object, or @file / @- for stdin
	Issuer  string
	Subject string
	Aud     []string
	Scope   string
	Exp     time.Duration
	Nbf     time.Duration
	KID     string
	Typ     string
	Alg     string
	JTI     string
	// Set records which flags were given (they override --claims).
	Set map[string]bool
}

// NewCmdSign returns `oauthkit jwt sign`; runF replaces the run in tests.
func NewCmdSign(f *cmdutil.Factory, runF func(*SignOptions) error) *cobra.Command {
	opts := &SignOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "sign --key FILE [flags]",
		Short: "Mint a signed JWT with a private key",
		Long: `Sign a JWT with a private key (PEM or JWK) and print it on one line.

The claims start from --claims (a JSON object, or @FILE, or @- for standard
input). iat, nbf, exp (now + 5m) and jti (128 random bits) are filled in
when --claims does not set them, like the Tencent API Gateway demo server
does. The flags --iss, --sub, --aud (repeatable: more than one gives an
array), --scope, --exp, --nbf and --jti override --claims; --exp and --nbf
are offsets from now (negative for a token already expired), --exp 0 leaves
exp out, --jti "" leaves jti out.

The header gets alg (default: the key's, e.g. RS256, ES256, EdDSA), kid
(default: the key's kid or its RFC 7638 thumbprint; --kid "" leaves it out)
and typ (default JWT; at+jwt for RFC 9068 access tokens).`,
		Example: `  oauthkit jwt sign --key keys/oauthkit.key.pem --iss https://issuer.test --sub alice --aud api
  oauthkit jwt sign --key keys/oauthkit.private.jwk.json --claims '{"foo":"bar","wup":90}' --exp 1h
  oauthkit jwt sign --key keys/oauthkit.key.pem --alg PS256 --typ at+jwt --scope "read write" --aud api --aud web
  oauthkit jwt sign --key keys/oauthkit.key.pem --exp -1m   # an expired token, to test a verifier`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.KeyFile == "" {
				return cmdutil.UsageErrorf("--key is required: the private key to sign with (see '%s --help')", cmd.CommandPath())
			}
			if opts.Alg != "" {
				if err := token.CheckAlgName(opts.Alg); err != nil {
					return cmdutil.UsageErrorf("--alg: %v", err)
				}
			}
			opts.Set = map[string]bool{}
			cmd.Flags().Visit(func(fl *pflag.Flag) { opts.Set[fl.Name] = true })
			if runF != nil {
				return runF(opts)
			}
			return runSign(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.KeyFile, "key", "", "private key to sign with: PEM or JWK (required)")
	fl.StringVar(&opts.Claims, "claims", "", "claims as a JSON object, or @FILE (@- for standard input)")
	fl.StringVar(&opts.Issuer, "iss", "", "issuer (iss)")
	fl.StringVar(&opts.Subject, "sub", "", "subject (sub)")
	fl.StringArrayVar(&opts.Aud, "aud", nil, "audience (aud); repeat for several")
	fl.StringVar(&opts.Scope, "scope", "", `scope claim, space-separated (e.g. "read write")`)
	fl.DurationVar(&opts.Exp, "exp", defaultLifetime, "lifetime: exp = now + this (0 leaves exp out)")
	fl.DurationVar(&opts.Nbf, "nbf", 0, "nbf = now + this")
	fl.StringVar(&opts.KID, "kid", "", "key ID in the header (default: the key's kid or thumbprint)")
	fl.StringVar(&opts.Typ, "typ", "JWT", "token type in the header (at+jwt for access tokens)")
	fl.StringVar(&opts.Alg, "alg", "", "signing algorithm (default: the key's, e.g. RS256)")
	fl.StringVar(&opts.JTI, "jti", "", "token ID (default: 128 random bits)")
	return cmd
}

func runSign(opts *SignOptions) error {
	f := opts.Factory
	key, err := loadSigningKey(opts)
	if err != nil {
		return err
	}
	if opts.Alg != "" {
		if err := keys.CheckAlg(key.Public, opts.Alg); err != nil {
			return cmdutil.UsageErrorf("--alg: %v", err)
		}
	}
	claims, err := buildClaims(opts, f.Now())
	if err != nil {
		return err
	}
	tok, err := token.Sign(claims, key, token.SignOptions{
		Alg:     opts.Alg,
		KID:     opts.KID,
		OmitKID: opts.Set["kid"] && opts.KID == "",
		Typ:     opts.Typ,
	})
	if err != nil {
		return cmdutil.Failf("%v", err)
	}
	_, err = fmt.Fprintln(f.IOStreams.Out, tok)
	return err
}

// loadSigningKey reads the one private key of --key (--kid picks one when
// the file holds several).
func loadSigningKey(opts *SignOptions) (*keys.Key, error) {
	ks, err := keys.ParseFile(opts.KeyFile)
	if err != nil {
		return nil, cmdutil.InputError(err)
	}
	var private []*keys.Key
	for _, k := range ks {
		if k.IsPrivate() {
			private = append(private, k)
		}
	}
	switch {
	case len(private) == 0:
		return nil, cmdutil.Failf("%s holds only a public key: signing needs a private key", opts.KeyFile)
	case len(private) == 1:
		return private[0], nil
	}
	var ids []string
	for _, k := range private {
		if opts.KID != "" && k.KeyID() == opts.KID {
			return k, nil
		}
		ids = append(ids, k.KeyID())
	}
	return nil, cmdutil.Failf("%s holds %d private keys: choose one with --kid (%s)", opts.KeyFile, len(private), strings.Join(ids, ", "))
}

// buildClaims merges --claims, the defaults and the flags, in that order of
// increasing precedence.
func buildClaims(opts *SignOptions, now time.Time) (map[string]any, error) {
	claims, err := readClaims(opts)
	if err != nil {
		return nil, err
	}
	setDefault := func(name string, v any) {
		if _, ok := claims[name]; !ok {
			claims[name] = v
		}
	}
	setDefault("iat", now.Unix())
	if opts.Set["nbf"] {
		claims["nbf"] = now.Add(opts.Nbf).Unix()
	} else {
		setDefault("nbf", now.Unix())
	}
	switch {
	case opts.Set["exp"] && opts.Exp == 0:
		delete(claims, "exp")
	case opts.Set["exp"]:
		claims["exp"] = now.Add(opts.Exp).Unix()
	default:
		setDefault("exp", now.Add(defaultLifetime).Unix())
	}
	switch {
	case opts.Set["jti"] && opts.JTI == "":
		delete(claims, "jti")
	case opts.Set["jti"]:
		claims["jti"] = opts.JTI
	default:
		if _, ok := claims["jti"]; !ok {
			jti, err := randomID()
			if err != nil {
				return nil, cmdutil.Failf("generating jti: %v", err)
			}
			claims["jti"] = jti
		}
	}
	for flag, value := range map[string]string{"iss": opts.Issuer, "sub": opts.Subject, "scope": opts.Scope} {
		if opts.Set[flag] {
			claims[flag] = value
		}
	}
	switch len(opts.Aud) {
	case 0:
	case 1:
		claims["aud"] = opts.Aud[0]
	default:
		claims["aud"] = opts.Aud
	}
	return claims, nil
}

// randomID returns 128 random bits, base64url-encoded (22 characters).
func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
