package flow

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/keys"
)

// JWTBearerOptions are the options of `oauthkit flow jwt-bearer`.
type JWTBearerOptions struct {
	clientopts.CommonOptions
	AssertionFile string // the assertion, or '-' for stdin
	SignKey       string // mint the assertion with this private key
	Subject       string // sub of the minted assertion
}

// NewCmdJWTBearer returns `oauthkit flow jwt-bearer`.
func NewCmdJWTBearer(f *cmdutil.Factory, runF func(*JWTBearerOptions) error) *cobra.Command {
	opts := &JWTBearerOptions{CommonOptions: clientopts.CommonOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "jwt-bearer",
		Short: "Trade a signed JWT for a token (JWT bearer grant)",
		Long: `Run the JWT bearer grant (RFC 7523 §2.1): the client presents a JWT
assertion and gets an access token for the assertion's subject.

The assertion is read from --assertion-file ('-' for stdin), or minted
here with --sign-key (a private key file) for --subject: iss is the
client_id, aud the issuer (or the token endpoint), a fresh jti, exp 60 s
ahead. The client authenticates as usual (--auth-method, the secret flags,
or --client-key for private_key_jwt).`,
		Example: `  oauthkit flow jwt-bearer --issuer http://127.0.0.1:8080 --client-id robot --auth-method private_key_jwt --client-key robot.pem --sign-key robot.pem --subject alice
  oauthkit flow jwt-bearer --issuer https://as.example --client-id app --client-secret-file secret.txt --assertion-file assertion.jwt -o token`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := prepare(&opts.CommonOptions); err != nil {
				return err
			}
			switch {
			case opts.AssertionFile == "" && opts.SignKey == "":
				return cmdutil.UsageErrorf("give the assertion: --assertion-file FILE, or --sign-key KEY --subject SUB to mint one")
			case opts.AssertionFile != "" && opts.SignKey != "":
				return cmdutil.UsageErrorf("give --assertion-file or --sign-key, not both")
			case opts.SignKey != "" && opts.Subject == "":
				return cmdutil.UsageErrorf("--sign-key needs --subject, the user the token is for")
			case opts.Subject != "" && opts.SignKey == "":
				return cmdutil.UsageErrorf("--subject needs --sign-key: an assertion from --assertion-file names its own subject")
			}
			if runF != nil {
				return runF(opts)
			}
			return runGrant(&opts.CommonOptions, func(ctx context.Context, c *flow.Client) (*flow.TokenResponse, error) {
				assertion, err := opts.assertion(c)
				if err != nil {
					return nil, err
				}
				return c.JWTBearer(ctx, assertion, opts.Grant())
			})
		},
	}
	clientopts.AddCommonFlags(cmd, &opts.CommonOptions, defaultRequestTimeout, clientopts.FlagSet{Endpoints: clientopts.TokenURL, Client: true, Request: true})
	clientopts.AddDPoPFlags(cmd, &opts.DPoP)
	fl := cmd.Flags()
	fl.StringVar(&opts.AssertionFile, "assertion-file", "", "the JWT assertion, from a file ('-' = stdin)")
	fl.StringVar(&opts.SignKey, "sign-key", "", "mint the assertion, signed with this private key (PEM or JWK file)")
	fl.StringVar(&opts.Subject, "subject", "", "sub of the minted assertion: the user the token is for")
	clientopts.GroupFlag(cmd, "assertion-file", clientopts.GroupRequest)
	clientopts.GroupFlag(cmd, "sign-key", clientopts.GroupRequest)
	clientopts.GroupFlag(cmd, "subject", clientopts.GroupRequest)
	cmdutil.AddOutputFlag(cmd, &opts.Output, clientopts.TokenFormats...)
	clientopts.GroupFlag(cmd, "output", clientopts.GroupOutput)
	return cmd
}

// assertion reads or mints the grant's assertion.
func (o *JWTBearerOptions) assertion(c *flow.Client) (string, error) {
	if o.AssertionFile != "" {
		a, _, err := cmdutil.ReadSecret(o.Factory, cmdutil.SecretSource{File: o.AssertionFile})
		if err != nil {
			return "", err
		}
		a = strings.TrimSpace(a)
		if a == "" {
			return "", cmdutil.Failf("--assertion-file %s is empty", o.AssertionFile)
		}
		return a, nil
	}
	ks, err := keys.ParseFile(o.SignKey)
	if err != nil {
		return "", cmdutil.Failf("--sign-key %s: %v", o.SignKey, err)
	}
	for _, k := range ks {
		if k.IsPrivate() {
			return c.MintBearerAssertion(o.Subject, clientauth.AssertionKey{Key: k})
		}
	}
	return "", cmdutil.Failf("--sign-key %s holds no private key", o.SignKey)
}
