package flow

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// TokenExchangeOptions are the options of `oauthkit flow token-exchange`.
type TokenExchangeOptions struct {
	clientopts.CommonOptions
	SubjectTokenFile, SubjectTokenType string
	ActorTokenFile, ActorTokenType     string
	RequestedTokenType                 string
}

// NewCmdTokenExchange returns `oauthkit flow token-exchange`.
func NewCmdTokenExchange(f *cmdutil.Factory, runF func(*TokenExchangeOptions) error) *cobra.Command {
	opts := &TokenExchangeOptions{CommonOptions: clientopts.CommonOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "token-exchange",
		Short: "Trade a token for another one (token exchange, RFC 8693)",
		Long: `Run a token exchange (RFC 8693): the client sends a token it holds (the
subject token, e.g. the access token a user's request came with) and gets a new
one, for another audience (--audience, --resource), narrower (--scope), or
carrying who acts for the subject (--actor-token-file: the new token's "act"
claim).

Tokens are read from files ('-' = stdin) or OAUTHKIT_SUBJECT_TOKEN and
OAUTHKIT_ACTOR_TOKEN, never from the command line. Token types are short names
(access_token, refresh_token, id_token, jwt, saml1, saml2) or any absolute URI;
the subject's defaults to access_token, the actor's too when an actor token is
given. --requested-token-type asks for a type (the server's default otherwise).

The answer goes to standard output (-o json shows issued_token_type); the
server's refusals (invalid_target, invalid_scope, invalid_grant, …) exit 3.`,
		Example: `  oauthkit flow token-exchange --issuer http://127.0.0.1:8080 --client-id gateway --client-secret-file secret.txt --subject-token-file at.txt --audience https://api-b.example --scope read
  oauthkit flow client-credentials --profile worker -o token | oauthkit flow token-exchange --profile gateway --subject-token-file user-at.txt --actor-token-file - -o json
  OAUTHKIT_SUBJECT_TOKEN=$AT oauthkit flow token-exchange --profile gateway --requested-token-type id_token -o token`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			x, err := opts.request()
			if err != nil {
				return err
			}
			return runGrant(&opts.CommonOptions, func(ctx context.Context, c *flow.Client) (*flow.TokenResponse, error) {
				return c.ExchangeToken(ctx, x)
			})
		},
	}
	clientopts.AddCommonFlags(cmd, &opts.CommonOptions, defaultRequestTimeout, clientopts.FlagSet{Endpoints: clientopts.TokenURL, Client: true, Request: true})
	clientopts.AddDPoPFlags(cmd, &opts.DPoP)
	fl := cmd.Flags()
	fl.StringVar(&opts.SubjectTokenFile, "subject-token-file", "", "the subject token from a file ('-' = stdin), or OAUTHKIT_SUBJECT_TOKEN")
	fl.StringVar(&opts.SubjectTokenType, "subject-token-type", "access_token", "its type: access_token|refresh_token|id_token|jwt|saml1|saml2 or a URI")
	fl.StringVar(&opts.ActorTokenFile, "actor-token-file", "", "the actor's token from a file ('-' = stdin), or OAUTHKIT_ACTOR_TOKEN")
	fl.StringVar(&opts.ActorTokenType, "actor-token-type", "", "its type (default access_token)")
	fl.StringVar(&opts.RequestedTokenType, "requested-token-type", "", "the type to ask for (default: the server's)")
	for _, n := range []string{"subject-token-file", "subject-token-type", "actor-token-file", "actor-token-type", "requested-token-type"} {
		clientopts.GroupFlag(cmd, n, clientopts.GroupRequest)
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, clientopts.TokenFormats...)
	clientopts.GroupFlag(cmd, "output", clientopts.GroupOutput)
	addRefreshTokenOutFlag(cmd, &opts.CommonOptions)
	return cmd
}

// check validates the flags before any file is read (usage errors).
func (o *TokenExchangeOptions) check() error {
	if err := prepare(&o.CommonOptions); err != nil {
		return err
	}
	for _, p := range o.Params {
		for _, name := range []string{"subject_token", "actor_token", "subject_token_type", "actor_token_type", "requested_token_type"} {
			if strings.HasPrefix(p, name+"=") {
				return cmdutil.UsageErrorf("--param %s: use its own flag (tokens are read from files, never from the command line)", name)
			}
		}
	}
	stdin := 0
	for _, f := range []string{o.SubjectTokenFile, o.ActorTokenFile, o.ClientSecretFile} {
		if f == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return cmdutil.UsageErrorf("only one of --subject-token-file, --actor-token-file and --client-secret-file can read standard input")
	}
	for _, t := range []struct{ flag, v string }{{"--subject-token-type", o.SubjectTokenType}, {"--actor-token-type", o.ActorTokenType}, {"--requested-token-type", o.RequestedTokenType}} {
		if t.v == "" {
			continue
		}
		if _, err := flow.ParseTokenType(t.v); err != nil {
			return cmdutil.UsageErrorf("%s: %v", t.flag, err)
		}
	}
	if o.ActorTokenType != "" && o.ActorTokenFile == "" && o.Factory.Getenv("OAUTHKIT_ACTOR_TOKEN") == "" {
		return cmdutil.UsageErrorf("--actor-token-type needs an actor token: --actor-token-file FILE or OAUTHKIT_ACTOR_TOKEN")
	}
	return nil
}

// request reads the tokens and builds the exchange.
func (o *TokenExchangeOptions) request() (flow.TokenExchange, error) {
	f := o.Factory
	subject, ok, err := cmdutil.ReadSecret(f, cmdutil.SecretSource{File: o.SubjectTokenFile, EnvVar: "OAUTHKIT_SUBJECT_TOKEN"})
	if err != nil {
		return flow.TokenExchange{}, err
	}
	if !ok || subject == "" {
		return flow.TokenExchange{}, cmdutil.UsageErrorf("no subject token: give --subject-token-file FILE ('-' = stdin) or set OAUTHKIT_SUBJECT_TOKEN")
	}
	x := flow.TokenExchange{SubjectToken: subject, Grant: o.Grant()}
	x.SubjectTokenType, _ = flow.ParseTokenType(o.SubjectTokenType) // checked
	actor, ok, err := cmdutil.ReadSecret(f, cmdutil.SecretSource{File: o.ActorTokenFile, EnvVar: "OAUTHKIT_ACTOR_TOKEN"})
	if err != nil {
		return flow.TokenExchange{}, err
	}
	if ok {
		if actor == "" {
			return flow.TokenExchange{}, cmdutil.UsageErrorf("the actor token is empty")
		}
		x.ActorToken = actor
		typ := o.ActorTokenType
		if typ == "" {
			typ = "access_token"
		}
		x.ActorTokenType, _ = flow.ParseTokenType(typ)
	}
	if o.RequestedTokenType != "" {
		x.RequestedTokenType, _ = flow.ParseTokenType(o.RequestedTokenType)
	}
	return x, nil
}
