// Package clientopts holds what every client command (flow, token) shares:
// the server, client and output flags, the profile they fall back to, the
// HTTP client, the signal context and the mapping of flow errors to exit
// codes.
package clientopts

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/oauth"
	"github.com/oauthkit/oauthkit/internal/termtext"
)

// CommonOptions are the flags every flow and token command shares.
type CommonOptions struct {
	Factory *cmdutil.Factory

	Issuer, AuthorizeURL, TokenURL, IntrospectURL, RevokeURL, JWKSURL, UserinfoURL string

	ClientID, ClientSecret, ClientSecretFile, AuthMethod string
	// ClientKey, ClientKeyID, ClientKeyAlg: the private key of
	// private_key_jwt (--client-key FILE) and its kid and alg overrides.
	ClientKey, ClientKeyID, ClientKeyAlg string

	Scopes    []string
	Audience  string
	Resources []string
	Params    []string
	Insecure  bool
	Timeout   time.Duration
	Verbose   bool
	Profile   string
	Output    string
	// RefreshTokenOut: --refresh-token-out, on the grants that can return
	// a refresh token (registered by the flow commands).
	RefreshTokenOut string
	// NeedsSecret: the grant is for confidential clients only
	// (client-credentials, RFC 6749 §4.4): without a secret and without an
	// explicit --auth-method none it is a usage error, before any request.
	NeedsSecret string
	// IDToken: --no-verify-id-token and --leeway, on the grants that can
	// return an ID token (AddIDTokenFlags).
	IDToken IDTokenOptions
	// DPoP: --dpop and --dpop-key, on the commands that take them (AddDPoPFlags).
	DPoP DPoPOptions
	// ClientKeySignsRequests: --client-key also signs request objects (flow
	// authcode --request-object, RFC 9101), so it is wanted whatever the
	// client authentication method.
	ClientKeySignsRequests bool
	// IssuerLater: the issuer is found at run time (flow authcode
	// --resource-metadata, RFC 9728), so none is needed now.
	IssuerLater bool

	// profile is the loaded --profile, if any.
	profile *flow.Profile
	changed func(string) bool
	// fromEnv lists the flags an environment variable set (applyEnv).
	fromEnv []string
	// needsClient: the command has the client flags (FlagSet.Client).
	needsClient bool
	hasFlag     func(string) bool
}

// TokenFormats are the output formats of the grant commands.
var TokenFormats = []string{"json", "token", "header", "env"}

// Endpoint names an endpoint URL flag a command can take.
type Endpoint uint

// The endpoint URL flags.
const (
	AuthorizeURL Endpoint = 1 << iota
	TokenURL
	IntrospectURL
	RevokeURL
	JWKSURL
	UserinfoURL
)

// FlagSet says which of the shared flags a command uses: its help lists
// only those.
type FlagSet struct {
	// Endpoints: the endpoint URL flags (--issuer, --insecure, --timeout
	// and --profile always).
	Endpoints Endpoint
	// Client: --client-id, the secret flags and --auth-method.
	Client bool
	// Request: --scope, --audience, --resource and --param.
	Request bool
}

// AddCommonFlags registers the shared flags set names on cmd, each in its
// help group (GroupFlag).
func AddCommonFlags(cmd *cobra.Command, o *CommonOptions, defaultTimeout time.Duration, set FlagSet) {
	fl := cmd.Flags()
	group := func(g string, names ...string) {
		for _, n := range names {
			GroupFlag(cmd, n, g)
		}
	}
	fl.StringVar(&o.Issuer, "issuer", "", "issuer URL; endpoints are discovered (env OAUTHKIT_ISSUER)")
	group(GroupServer, "issuer")
	for _, e := range []struct {
		ep         Endpoint
		name, help string
		dst        *string
	}{
		{AuthorizeURL, "authorize-url", "authorization endpoint (instead of or over discovery)", &o.AuthorizeURL},
		{TokenURL, "token-url", "token endpoint", &o.TokenURL},
		{IntrospectURL, "introspect-url", "introspection endpoint (RFC 7662)", &o.IntrospectURL},
		{RevokeURL, "revoke-url", "revocation endpoint (RFC 7009)", &o.RevokeURL},
		{JWKSURL, "jwks-url", "JWKS that ID tokens are verified with (default: jwks_uri)", &o.JWKSURL},
		{UserinfoURL, "userinfo-url", "UserInfo endpoint (OpenID Connect Core §5.3)", &o.UserinfoURL},
	} {
		if set.Endpoints&e.ep != 0 {
			fl.StringVar(e.dst, e.name, "", e.help)
			group(GroupServer, e.name)
		}
	}
	fl.BoolVar(&o.Insecure, "insecure", false, "skip TLS verification, allow plain http to any host (DANGEROUS)")
	fl.DurationVar(&o.Timeout, "timeout", defaultTimeout, "how long to wait (for the browser, or for the server)")
	fl.StringVar(&o.Profile, "profile", "", "settings from this profile (env OAUTHKIT_PROFILE)")
	group(GroupServer, "insecure", "timeout", "profile")
	if set.Client {
		fl.StringVar(&o.ClientID, "client-id", "", "client_id (env OAUTHKIT_CLIENT_ID)")
		fl.StringVar(&o.ClientSecret, "client-secret", "", "client secret (visible in the process list: prefer the next two)")
		fl.StringVar(&o.ClientSecretFile, "client-secret-file", "", "secret from a file ('-' = stdin), or OAUTHKIT_CLIENT_SECRET")
		fl.StringVar(&o.AuthMethod, "auth-method", "", "basic|post|none|private_key_jwt|client_secret_jwt")
		addClientKeyFlags(cmd, o)
		group(GroupClient, "client-id", "client-secret", "client-secret-file", "auth-method", "client-key", "client-key-id", "client-key-alg")
		_ = cmd.RegisterFlagCompletionFunc("auth-method", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"basic", "post", "none", "private_key_jwt", "client_secret_jwt"}, cobra.ShellCompDirectiveNoFileComp
		})
	}
	if set.Request {
		fl.StringArrayVar(&o.Scopes, "scope", nil, "scope to ask for (repeatable or space-separated)")
		fl.StringVar(&o.Audience, "audience", "", "audience parameter")
		fl.StringArrayVar(&o.Resources, "resource", nil, "resource indicator (RFC 8707, repeatable)")
		fl.StringArrayVar(&o.Params, "param", nil, "extra request parameter k=v (repeatable)")
		group(GroupRequest, "scope", "audience", "resource", "param")
	}
	fl.BoolVarP(&o.Verbose, "verbose", "v", false, "log each HTTP request and response on stderr, secrets masked")
	group(GroupOutput, "verbose")
	o.needsClient = set.Client
	o.changed = func(name string) bool { return cmd.Flags().Changed(name) }
	o.hasFlag = func(name string) bool { return cmd.Flags().Lookup(name) != nil }
	cmd.Flags().SortFlags = false // help lists them in their registration order
	cmd.SetUsageFunc(groupedUsage)
}

// Environment variables that stand in for flags (CI): a flag wins over
// them, they win over the profile (flag > env > profile > default).
var envDefaults = []struct{ flag, env string }{
	{"profile", "OAUTHKIT_PROFILE"},
	{"issuer", "OAUTHKIT_ISSUER"},
	{"client-id", "OAUTHKIT_CLIENT_ID"},
}

// applyEnv fills the flags of envDefaults the command line did not set.
func (o *CommonOptions) applyEnv() {
	for _, d := range envDefaults {
		v := o.Factory.Getenv(d.env)
		if v == "" || o.Changed(d.flag) || o.hasFlag == nil || !o.hasFlag(d.flag) {
			continue
		}
		switch d.flag {
		case "profile":
			o.Profile = v
		case "issuer":
			o.Issuer = v
		case "client-id":
			o.ClientID = v
		}
		o.fromEnv = append(o.fromEnv, d.flag)
	}
}

// Prepare loads the profile and checks the flags (usage errors, exit 2).
func (o *CommonOptions) Prepare() error {
	o.applyEnv()
	if o.Profile != "" {
		path, err := flow.ProfilePath(o.Factory.Getenv)
		if err != nil {
			return cmdutil.Failf("%v", err)
		}
		p, err := flow.LoadProfile(path, o.Profile)
		if err != nil {
			return cmdutil.UsageErrorf("%v", err)
		}
		o.profile = p
		o.applyProfile(p)
	}
	if o.AuthMethod != "" {
		if _, err := flow.ParseAuthMethod(o.AuthMethod); err != nil {
			return cmdutil.UsageErrorf("--auth-method: %v", err)
		}
	}
	if err := o.checkClientKeyFlags(); err != nil {
		return err
	}
	if o.Timeout <= 0 {
		return cmdutil.UsageErrorf("--timeout must be positive, got %s", o.Timeout)
	}
	if err := o.IDToken.Check(); err != nil {
		return err
	}
	if o.ClientID == "" && o.needsClient {
		return cmdutil.UsageErrorf("--client-id is required")
	}
	for _, res := range o.Resources {
		if err := oauth.CheckResourceIndicator(res); err != nil {
			return cmdutil.UsageErrorf("--resource %q %v", termtext.Cut(res, 200), err)
		}
	}
	if o.Issuer == "" && !o.IssuerLater && o.TokenURL == "" && o.AuthorizeURL == "" && o.IntrospectURL == "" && o.RevokeURL == "" && o.UserinfoURL == "" {
		return cmdutil.UsageErrorf("name the server: --issuer URL, or the endpoint URLs (--token-url, --authorize-url, ...)")
	}
	if o.Issuer != "" {
		name := "--issuer"
		if slices.Contains(o.fromEnv, "issuer") {
			name = "OAUTHKIT_ISSUER"
		}
		if err := flow.CheckURL(name, o.Issuer, o.Insecure); err != nil {
			return cmdutil.UsageErrorf("%v", err)
		}
	}
	for _, u := range []struct{ name, v string }{{"--authorize-url", o.AuthorizeURL}, {"--token-url", o.TokenURL},
		{"--introspect-url", o.IntrospectURL}, {"--revoke-url", o.RevokeURL}, {"--jwks-url", o.JWKSURL}, {"--userinfo-url", o.UserinfoURL}} {
		if u.v != "" {
			if err := flow.CheckURL(u.name, u.v, o.Insecure); err != nil {
				return cmdutil.UsageErrorf("%v", err)
			}
		}
	}
	if _, err := o.extraParams(); err != nil {
		return err
	}
	return nil
}

// applyProfile fills what no flag set (flag > env > profile > default).
func (o *CommonOptions) applyProfile(p *flow.Profile) {
	set := func(flag string, dst *string, v string) {
		if !o.changed(flag) && !slices.Contains(o.fromEnv, flag) && v != "" && (o.hasFlag == nil || o.hasFlag(flag)) {
			*dst = v
		}
	}
	set("issuer", &o.Issuer, p.Issuer)
	set("authorize-url", &o.AuthorizeURL, p.AuthorizeURL)
	set("token-url", &o.TokenURL, p.TokenURL)
	set("introspect-url", &o.IntrospectURL, p.IntrospectURL)
	set("revoke-url", &o.RevokeURL, p.RevokeURL)
	set("jwks-url", &o.JWKSURL, p.JWKSURL)
	set("userinfo-url", &o.UserinfoURL, p.UserinfoURL)
	set("client-id", &o.ClientID, p.ClientID)
	set("auth-method", &o.AuthMethod, p.AuthMethod)
	set("client-key", &o.ClientKey, p.ClientKeyFile)
	set("client-key-id", &o.ClientKeyID, p.ClientKeyID)
	set("client-key-alg", &o.ClientKeyAlg, p.ClientKeyAlg)
	set("audience", &o.Audience, p.Audience)
	set("dpop-key", &o.DPoP.KeyFile, p.DPoPKey)
	if !o.changed("scope") && len(p.Scopes) > 0 {
		o.Scopes = p.Scopes
	}
	if !o.changed("resource") && len(p.Resources) > 0 {
		o.Resources = p.Resources
	}
	if !o.changed("param") {
		for k, v := range p.Params {
			o.Params = append(o.Params, k+"="+v)
		}
	}
}

func (o *CommonOptions) extraParams() (url.Values, error) {
	v := url.Values{}
	for _, p := range o.Params {
		k, val, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, cmdutil.UsageErrorf("--param %q: want name=value", p)
		}
		v.Add(k, val)
	}
	if err := flow.CheckExtraParams(v); err != nil {
		return nil, cmdutil.UsageErrorf("%v", err)
	}
	return v, nil
}

// Grant returns the scope, audience, resource and extra parameters.
func (o *CommonOptions) Grant() flow.Grant {
	extra, _ := o.extraParams() // checked in Prepare
	return flow.Grant{Scopes: flow.SplitScopes(o.Scopes), Audience: o.Audience, Resources: o.Resources, Extra: extra}
}

// Secret resolves the client secret: flag, file, OAUTHKIT_CLIENT_SECRET,
// then the profile's client_secret_file or client_secret_env.
func (o *CommonOptions) Secret() (string, bool, error) {
	f := o.Factory
	s, ok, err := cmdutil.ReadSecret(f, cmdutil.SecretSource{Value: o.ClientSecret, File: o.ClientSecretFile,
		EnvVar: "OAUTHKIT_CLIENT_SECRET", FlagSet: o.changed("client-secret")})
	if err != nil || ok {
		if ok && o.changed("client-secret") {
			cmdutil.WarnSecretInArgv(f, "--client-secret", "--client-secret-file or OAUTHKIT_CLIENT_SECRET")
		}
		return s, ok, err
	}
	if p := o.profile; p != nil {
		switch {
		case p.ClientSecretFile != "":
			return cmdutil.ReadSecret(f, cmdutil.SecretSource{File: p.ClientSecretFile})
		case p.ClientSecretEnv != "":
			if v := f.Getenv(p.ClientSecretEnv); v != "" {
				return v, true, nil
			}
			return "", false, cmdutil.Failf("profile %s: the environment variable %s (client_secret_env) is empty", o.Profile, p.ClientSecretEnv)
		}
	}
	return "", false, nil
}

// HTTPClient is the factory's client with --insecure and -v applied.
func (o *CommonOptions) HTTPClient() *http.Client {
	base := o.Factory.HTTPClient()
	hc := *base
	var rt http.RoundTripper = hc.Transport
	if o.Insecure {
		t, ok := rt.(*http.Transport)
		if !ok || t == nil {
			t = http.DefaultTransport.(*http.Transport)
		}
		t = t.Clone()
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{}
		}
		t.TLSClientConfig.InsecureSkipVerify = true
		rt = t
	}
	if o.Verbose {
		if rt == nil {
			rt = http.DefaultTransport
		}
		rt = &flow.LoggingTransport{Base: rt, W: o.Factory.IOStreams.ErrOut}
	}
	hc.Transport = rt
	if o.Timeout < hc.Timeout || hc.Timeout == 0 {
		hc.Timeout = o.Timeout
	}
	return &hc
}

// Client builds the flow client: secret, discovery, endpoints, auth method.
func (o *CommonOptions) Client(ctx context.Context) (*flow.Client, error) {
	errOut := o.Factory.IOStreams.ErrOut
	if o.Insecure {
		fmt.Fprintln(errOut, "WARNING: --insecure: TLS certificates are NOT verified and plain http is allowed; anyone on the network path can read and change the tokens")
	}
	var secret string
	var haveSecret bool
	var err error
	if o.ClientID != "" { // token userinfo has no client
		if secret, haveSecret, err = o.Secret(); err != nil {
			return nil, err
		}
	}
	if o.NeedsSecret != "" && !haveSecret && o.AuthMethod == "" {
		return nil, cmdutil.UsageErrorf("%s needs a client secret: --client-secret-file FILE, OAUTHKIT_CLIENT_SECRET or --client-secret (or --auth-method none to send none)", o.NeedsSecret)
	}
	c := &flow.Client{HTTP: o.HTTPClient(), Now: o.Factory.Now, ClientID: o.ClientID, Secret: secret, IDTokens: o.IDToken.Policy()}
	if c.IDTokens.Skip {
		fmt.Fprintln(errOut, WarnNoVerify)
	}
	dp, derr := o.DPoP.Signer(o.Factory) // RFC 9449
	if derr != nil {
		return nil, derr
	}
	c.DPoP = dp
	if o.Issuer != "" {
		md, err := c.Discover(ctx, o.Issuer, o.Insecure)
		if err != nil {
			return nil, MapError(err)
		}
		c.Endpoints = md.Endpoints()
	}
	e := &c.Endpoints
	for _, s := range []struct {
		dst *string
		v   string
	}{{&e.Authorization, o.AuthorizeURL}, {&e.Token, o.TokenURL},
		{&e.Introspection, o.IntrospectURL}, {&e.Revocation, o.RevokeURL}, {&e.JWKS, o.JWKSURL}, {&e.Userinfo, o.UserinfoURL}} {
		if s.v != "" {
			*s.dst = s.v
		}
	}
	if o.AuthMethod != "" {
		c.AuthMethod, _ = flow.ParseAuthMethod(o.AuthMethod)
	} else {
		c.AuthMethod = flow.DefaultAuthMethod(haveSecret, e.TokenAuthMethods)
	}
	if c.AuthMethod == flow.AuthPrivateKeyJWT {
		if c.AssertionKey, err = o.assertionKey(); err != nil {
			return nil, err
		}
	} else if c.AuthMethod != flow.AuthNone && !haveSecret {
		return nil, cmdutil.UsageErrorf("--auth-method %s needs a client secret: --client-secret-file, OAUTHKIT_CLIENT_SECRET or --client-secret", o.AuthMethod)
	}
	if c.AuthMethod == flow.AuthSecretJWT {
		c.AssertionKey.Alg = o.ClientKeyAlg
	}
	if c.AuthMethod == flow.AuthNone && haveSecret {
		fmt.Fprintln(errOut, "warning: --auth-method none: the client secret is not sent")
	}
	return c, nil
}

// LoadedProfile is the profile --profile named (nil without one).
func (o *CommonOptions) LoadedProfile() *flow.Profile { return o.profile }

// Changed reports whether the user set the flag on the command line.
func (o *CommonOptions) Changed(name string) bool { return o.changed != nil && o.changed(name) }

// ClientWithin builds the client with discovery bounded by --timeout too.
func (o *CommonOptions) ClientWithin(ctx context.Context) (*flow.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	return o.Client(ctx)
}

// InvalidClientHint explains an invalid_client answer to a request that
// authenticated with HTTP Basic because nothing chose a method: servers
// answer the same for a wrong secret and for a client registered for
// client_secret_post, so the hint names --auth-method post.
func (o *CommonOptions) InvalidClientHint(c *flow.Client, err error) {
	var oe *flow.OAuthError
	if c == nil || o.AuthMethod != "" || c.AuthMethod != flow.AuthBasic || !errors.As(err, &oe) || oe.Code != "invalid_client" {
		return
	}
	if m := c.Endpoints.TokenAuthMethods; len(m) > 0 && !slices.Contains(m, "client_secret_post") {
		return
	}
	fmt.Fprintln(o.Factory.IOStreams.ErrOut, "hint: the secret was sent with HTTP Basic (client_secret_basic); if the client is registered for client_secret_post, add --auth-method post")
}
