package client

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/netutil"
)

// RegistrationTokenEnv holds the initial access token when no file names it.
const RegistrationTokenEnv = "OAUTHKIT_REGISTRATION_TOKEN"

type registerOptions struct {
	baseOptions
	Issuer           string
	RegistrationURL  string
	RedirectURIs     []string
	Name             string
	GrantTypes       []string
	AuthMethod       string
	Scopes           []string
	InitialTokenFile string
	Force            bool
}

func newCmdRegister(f *cmdutil.Factory, runF func(*registerOptions) error) *cobra.Command {
	o := &registerOptions{baseOptions: baseOptions{f: f}}
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Register a client at a server's registration endpoint (RFC 7591)",
		Long: `Register a new client (RFC 7591 §3): discover the issuer's
registration_endpoint (or take --registration-url), send the client metadata
and keep the answer as the flow profile --profile NAME: issuer, client_id,
auth method, scopes, the first redirect URI and the registration_client_uri.
The client secret and the registration access token are written to
NAME.client-secret and NAME.registration-token beside the profile file
(mode 0600); the profile names those files. An existing profile of that name
is kept unless --force.

Without --profile, -o json is required: the answer, secrets included, is then
the only copy. Text output masks the secrets.

Metadata left out takes the server's defaults (RFC 7591 §2: grant_types
authorization_code, token_endpoint_auth_method client_secret_basic).
response_types is derived from --grant-type. A server in token mode needs the
initial access token: --initial-access-token-file FILE or
OAUTHKIT_REGISTRATION_TOKEN. If the profile cannot be written, the
registration is deleted again (RFC 7592 §2.3).`,
		Example: `  # a public client for 'oauthkit flow authcode'
  oauthkit client register --issuer http://127.0.0.1:8080 --redirect-uri http://127.0.0.1/callback --auth-method none --profile myapp
  oauthkit flow authcode --profile myapp

  # a confidential service client, registration guarded by an initial access token
  oauthkit client register --issuer https://as.example --grant-type client_credentials --scope read --initial-access-token-file iat.txt --profile batch
  oauthkit flow client-credentials --profile batch -o token

  # print everything, secrets included, and keep no profile
  oauthkit client register --issuer http://127.0.0.1:8080 --redirect-uri https://app.example/cb -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.prepare(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return o.run()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Issuer, "issuer", "", "issuer URL; its registration_endpoint is discovered (env OAUTHKIT_ISSUER)")
	fl.StringVar(&o.RegistrationURL, "registration-url", "", "registration endpoint (instead of the discovered one)")
	fl.StringArrayVar(&o.RedirectURIs, "redirect-uri", nil, "redirect URI (repeatable)")
	fl.StringVar(&o.Name, "name", "", "client_name")
	fl.StringArrayVar(&o.GrantTypes, "grant-type", nil, "grant type (repeatable): authorization_code, refresh_token, client_credentials, ...")
	fl.StringVar(&o.AuthMethod, "auth-method", "", "basic|post|none (or the RFC 7591 names; default: the server's, client_secret_basic)")
	fl.StringArrayVar(&o.Scopes, "scope", nil, "scope (repeatable or space-separated)")
	fl.StringVar(&o.InitialTokenFile, "initial-access-token-file", "", "initial access token from a file ('-' = stdin), or "+RegistrationTokenEnv)
	fl.BoolVar(&o.Force, "force", false, "replace an existing profile of the same name")
	o.addFlags(cmd, "keep the client as this flow profile (its secrets in files beside it)")
	return cmd
}

func (o *registerOptions) prepare(cmd *cobra.Command) error {
	if err := o.check(); err != nil {
		return err
	}
	if o.Issuer == "" && !cmd.Flags().Changed("issuer") {
		o.Issuer = o.f.Getenv("OAUTHKIT_ISSUER")
	}
	if o.Issuer == "" {
		return cmdutil.UsageErrorf("--issuer is required")
	}
	if err := flow.CheckURL("--issuer", o.Issuer, o.Insecure); err != nil {
		return cmdutil.UsageErrorf("%v", err)
	}
	if o.RegistrationURL != "" {
		if err := flow.CheckURL("--registration-url", o.RegistrationURL, o.Insecure); err != nil {
			return cmdutil.UsageErrorf("%v", err)
		}
	}
	if o.Profile == "" && o.Output != "json" {
		return cmdutil.UsageErrorf("nothing would keep the client secret and the registration access token: give --profile NAME to save them, or -o json to print them")
	}
	var err error
	if o.AuthMethod, err = authMethodName(o.AuthMethod); err != nil {
		return err
	}
	return nil
}

func (o *registerOptions) run() error {
	errOut := o.f.IOStreams.ErrOut
	initial, _, err := cmdutil.ReadSecret(o.f, cmdutil.SecretSource{File: o.InitialTokenFile, EnvVar: RegistrationTokenEnv})
	if err != nil {
		return err
	}
	var path string
	if o.Profile != "" {
		if path, err = o.profilePath(); err != nil {
			return err
		}
		pf, err := flow.ReadProfiles(path)
		if err != nil {
			return cmdutil.Failf("%v", err)
		}
		if _, exists := pf.Profiles[o.Profile]; exists && !o.Force {
			return cmdutil.UsageErrorf("profile %s exists in %s; choose another name or add --force to replace it", o.Profile, path)
		}
	}
	ctx, cancel := o.context()
	defer cancel()
	c := o.flowClient()
	endpoint := o.RegistrationURL
	if endpoint == "" {
		md, err := c.Discover(ctx, o.Issuer, o.Insecure)
		if err != nil {
			return mapError(err)
		}
		endpoint = md.RegistrationEndpoint
	}
	m := flow.ClientMetadata{ClientName: o.Name, RedirectURIs: o.RedirectURIs, GrantTypes: o.GrantTypes,
		TokenEndpointAuthMethod: o.AuthMethod, Scope: strings.Join(flow.SplitScopes(o.Scopes), " ")}
	reg, err := c.Register(ctx, endpoint, initial, m, o.Insecure)
	if err != nil {
		return mapError(err)
	}
	var secretAt, tokenAt string
	if o.Profile != "" {
		if secretAt, tokenAt, err = o.save(path, reg); err != nil {
			if reg.RegistrationClientURI != "" && reg.RegistrationAccessToken != "" {
				if derr := c.DeleteRegistration(ctx, reg.RegistrationClientURI, reg.RegistrationAccessToken); derr == nil {
					return cmdutil.Failf("%v; the registration of client %s was deleted again (RFC 7592 §2.3)", err, reg.ClientID)
				}
			}
			return cmdutil.Failf("%v; client %s stays registered at the server and its secrets are lost: run again with -o json", err, reg.ClientID)
		}
		fmt.Fprintf(errOut, "registered client %s; saved as profile %s in %s\n", reg.ClientID, o.Profile, path)
	}
	return writeRegistration(o.f.IOStreams.Out, o.Output, reg, secretAt, tokenAt)
}

// save writes the secret files, then the profile naming them.
func (o *registerOptions) save(path string, reg *flow.Registration) (secretAt, tokenAt string, err error) {
	secretAt, tokenAt = secretFiles(path, o.Profile)
	p := profileOf(o.Issuer, reg)
	if reg.ClientSecret != "" {
		if err := writeSecret(secretAt, reg.ClientSecret); err != nil {
			return "", "", fmt.Errorf("writing the client secret: %w", err)
		}
		p.ClientSecretFile = filepath.Base(secretAt)
	} else {
		secretAt = ""
	}
	if reg.RegistrationAccessToken != "" {
		if err := writeSecret(tokenAt, reg.RegistrationAccessToken); err != nil {
			return "", "", fmt.Errorf("writing the registration access token: %w", err)
		}
		p.RegistrationTokenFile = filepath.Base(tokenAt)
	} else {
		tokenAt = ""
	}
	if err := flow.SaveProfile(path, o.Profile, p); err != nil {
		return "", "", err
	}
	return secretAt, tokenAt, nil
}

// profileOf is the flow profile of a registered client (its secret files
// are set by the caller).
func profileOf(issuer string, reg *flow.Registration) *flow.Profile {
	p := &flow.Profile{Issuer: issuer, ClientID: reg.ClientID, Scopes: strings.Fields(reg.Scope),
		RegistrationClientURI: reg.RegistrationClientURI}
	if _, err := flow.ParseAuthMethod(reg.TokenEndpointAuthMethod); err == nil {
		p.AuthMethod = reg.TokenEndpointAuthMethod
	}
	for _, u := range reg.RedirectURIs { // flow authcode catches the code on a loopback one
		if pu, err := url.Parse(u); err == nil && pu.Scheme == "http" && netutil.IsLoopbackHost(pu.Hostname()) {
			p.RedirectURI = u
			break
		}
	}
	return p
}
