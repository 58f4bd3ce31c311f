package client

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

type updateOptions struct {
	baseOptions
	RedirectURIs []string
	Name         string
	GrantTypes   []string
	AuthMethod   string
	Scopes       []string
}

func newCmdUpdate(f *cmdutil.Factory, runF func(*updateOptions) error) *cobra.Command {
	o := &updateOptions{baseOptions: baseOptions{f: f}}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Change a registered client's metadata (RFC 7592 §2.2)",
		Long: `Replace the metadata of the client of --profile NAME (RFC 7592 §2.2). An update
replaces all of it, so the current registration is read first and the flags
given change only their members: --redirect-uri, --grant-type and --scope
replace the whole list. The client_id cannot change. The profile follows the
answer (auth method, scopes, redirect URI, and the secret when the server
issues a new one).`,
		Example: `  oauthkit client update --profile myapp --redirect-uri http://127.0.0.1/callback --redirect-uri https://app.example/cb
  oauthkit client update --profile myapp --scope "openid read" -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(); err != nil {
				return err
			}
			var err error
			if o.AuthMethod, err = authMethodName(o.AuthMethod); err != nil {
				return err
			}
			fl := cmd.Flags()
			if !fl.Changed("redirect-uri") && !fl.Changed("name") && !fl.Changed("grant-type") && !fl.Changed("auth-method") && !fl.Changed("scope") {
				return cmdutil.UsageErrorf("nothing to change: give --redirect-uri, --name, --grant-type, --auth-method or --scope")
			}
			if runF != nil {
				return runF(o)
			}
			return o.run(fl.Changed)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&o.RedirectURIs, "redirect-uri", nil, "redirect URI (repeatable; replaces the list)")
	fl.StringVar(&o.Name, "name", "", "client_name")
	fl.StringArrayVar(&o.GrantTypes, "grant-type", nil, "grant type (repeatable; replaces the list)")
	fl.StringVar(&o.AuthMethod, "auth-method", "", "basic|post|none (or the RFC 7591 names)")
	fl.StringArrayVar(&o.Scopes, "scope", nil, "scope (repeatable or space-separated; replaces the scope)")
	o.addFlags(cmd, "the profile of the client (required)")
	return cmd
}

func (o *updateOptions) run(changed func(string) bool) error {
	p, uri, tok, err := o.managed()
	if err != nil {
		return err
	}
	ctx, cancel := o.context()
	defer cancel()
	c := o.flowClient()
	cur, err := c.ReadRegistration(ctx, uri, tok, o.Insecure)
	if err != nil {
		return mapError(err)
	}
	if tok, err = o.keepRotated(p, tok, cur); err != nil {
		return err
	}
	m := flow.ClientMetadata{ClientID: cur.ClientID, ClientName: cur.ClientName, RedirectURIs: cur.RedirectURIs,
		GrantTypes: cur.GrantTypes, TokenEndpointAuthMethod: cur.TokenEndpointAuthMethod, Scope: cur.Scope}
	if changed("redirect-uri") {
		m.RedirectURIs = o.RedirectURIs
	}
	if changed("name") {
		m.ClientName = o.Name
	}
	if changed("grant-type") {
		m.GrantTypes = o.GrantTypes
	}
	if changed("auth-method") {
		m.TokenEndpointAuthMethod = o.AuthMethod
	}
	if changed("scope") {
		m.Scope = strings.Join(flow.SplitScopes(o.Scopes), " ")
	}
	reg, err := c.UpdateRegistration(ctx, uri, tok, m, o.Insecure)
	if err != nil {
		return mapError(err)
	}
	if _, err = o.keepRotated(p, tok, reg); err != nil {
		return err
	}
	secretAt, err := o.follow(reg)
	if err != nil {
		return cmdutil.Failf("the client is updated at the server, but profile %s is not: %v", o.Profile, err)
	}
	fmt.Fprintf(o.f.IOStreams.ErrOut, "updated client %s; profile %s follows\n", reg.ClientID, o.Profile)
	return writeRegistration(o.f.IOStreams.Out, o.Output, reg, secretAt, "")
}

// follow makes the profile match the updated registration.
func (o *updateOptions) follow(reg *flow.Registration) (string, error) {
	path, err := o.profilePath()
	if err != nil {
		return "", err
	}
	pf, err := flow.ReadProfiles(path)
	if err != nil {
		return "", err
	}
	p := pf.Profiles[o.Profile]
	if p == nil {
		return "", fmt.Errorf("profile %s is gone from %s", o.Profile, path)
	}
	next := profileOf(p.Issuer, reg)
	next.RegistrationTokenFile = p.RegistrationTokenFile
	if next.RegistrationClientURI == "" {
		next.RegistrationClientURI = p.RegistrationClientURI
	}
	secretAt := ""
	switch {
	case reg.TokenEndpointAuthMethod == "none":
	case reg.ClientSecret != "":
		secretAt, _ = secretFiles(path, o.Profile)
		if err := writeSecret(secretAt, reg.ClientSecret); err != nil {
			return "", err
		}
		next.ClientSecretFile = filepath.Base(secretAt)
	default:
		next.ClientSecretFile = p.ClientSecretFile
	}
	return secretAt, flow.SaveProfile(path, o.Profile, next)
}
