// Package check is the `oauthkit check` command: the conformance self-test
// of internal/check run against a live authorization server, printed as a
// table, JSON or JUnit XML.
package check

import (
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/check"
	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/fileutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// Options are the flags of `oauthkit check`.
type Options struct {
	clientopts.CommonOptions

	RedirectURI string
	PublicID    string
	OtherID     string
	OtherFile   string
	OtherMethod string
	Login       string
	LoginWait   time.Duration
	Only        []string
	Skip        []string
	Strict      bool
	JUnit       string

	checks []check.Check
}

// NewCmdCheck returns `oauthkit check`.
func NewCmdCheck(f *cmdutil.Factory) *cobra.Command {
	o := &Options{CommonOptions: clientopts.CommonOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Test an authorization server against the OAuth 2.0 and OpenID Connect rules",
		Long: `Run a catalogue of conformance checks against a live authorization server:
discovery, JWKS, the token endpoint, JWT access tokens, the authorization
endpoint (exact redirect URI matching, PKCE, single-use codes bound to their
client and redirect URI), refresh token rotation and reuse detection,
introspection and revocation, and OpenID Connect ID tokens and UserInfo.

Each check has an ID, a title, the RFC or OpenID section it tests, a level
(MUST or SHOULD) and a result: pass, fail (with the requests and answers as
evidence, secrets masked) or skip (with the reason: no credentials for it,
grant not offered, needs a person). A SHOULD not met is a warning unless
--strict. The authorization endpoint is driven without a browser: servers
that approve without a person (oauthkit serve --auto-approve) are followed
through their redirects; for a login page, --login PROGRAM is run with the
authorization URL and must print the final redirect URL (docs/check.md).

It is safe against production-like servers: at most 64 requests per check,
no guessing of secrets or tokens, and every token obtained is revoked at the
end. Exit 0 when nothing failed, 3 when a check failed, 2 usage, 4 server
unreachable.`,
		Example: `  oauthkit check --issuer http://127.0.0.1:8080 --client-id app --client-secret-file secret.txt --redirect-uri http://127.0.0.1/callback
  oauthkit check --profile staging --only discovery,jwks -o json
  oauthkit check --issuer https://as.example --client-id app --client-secret-file s.txt --junit check.xml --strict`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.prepare(); err != nil {
				return err
			}
			return o.run()
		},
	}
	clientopts.AddCommonFlags(cmd, &o.CommonOptions, 30*time.Second, clientopts.FlagSet{Client: true})
	fl := cmd.Flags()
	fl.StringArrayVar(&o.Scopes, "scope", nil, "scope to ask for in the grants (repeatable or space-separated)")
	fl.StringArrayVar(&o.CommonOptions.Params, "param", nil, "extra authorization request parameter k=v (repeatable), e.g. prompt=consent")
	fl.StringVar(&o.RedirectURI, "redirect-uri", "", "a redirect URI registered for the client (the authz checks need it)")
	fl.StringVar(&o.PublicID, "public-client-id", "", "a public client (no secret) registered for --redirect-uri, for the PKCE checks")
	fl.StringVar(&o.OtherID, "other-client-id", "", "a second client, for the checks that codes and tokens are bound to their client")
	fl.StringVar(&o.OtherFile, "other-client-secret-file", "", "its secret from a file ('-' = stdin), or OAUTHKIT_OTHER_CLIENT_SECRET")
	fl.StringVar(&o.OtherMethod, "other-auth-method", "", "basic|post|none for the second client (default: as --auth-method's default)")
	fl.StringVar(&o.Login, "login", "", "program run with the authorization URL when the server shows a login page; prints the final redirect URL")
	fl.DurationVar(&o.LoginWait, "login-timeout", time.Minute, "how long one --login run may take")
	for _, n := range []string{"scope", "param", "redirect-uri", "public-client-id", "other-client-id", "other-client-secret-file", "other-auth-method", "login", "login-timeout"} {
		clientopts.GroupFlag(cmd, n, clientopts.GroupRequest)
	}
	fl.StringSliceVar(&o.Only, "only", nil, "run only these checks or groups (comma-separated IDs or group names)")
	fl.StringSliceVar(&o.Skip, "skip", nil, "do not run these checks or groups")
	fl.BoolVar(&o.Strict, "strict", false, "a SHOULD not met is a failure, not a warning")
	cmdutil.AddOutputFlag(cmd, &o.Output, "table", "json")
	fl.StringVar(&o.JUnit, "junit", "", "also write the results as JUnit XML to this file (one testcase per check)")
	for _, n := range []string{"only", "skip", "strict", "output", "junit"} {
		clientopts.GroupFlag(cmd, n, clientopts.GroupOutput)
	}
	return cmd
}

func (o *Options) prepare() error {
	if err := cmdutil.CheckOutput(o.Output, "table", "json"); err != nil {
		return err
	}
	if o.Profile != "" || o.Factory.Getenv("OAUTHKIT_PROFILE") != "" {
		// --redirect-uri falls back to the profile's, like flow authcode.
		defer func() {
			if p := o.LoadedProfile(); p != nil && o.RedirectURI == "" {
				o.RedirectURI = p.RedirectURI
			}
		}()
	}
	g := o.Factory.Getenv
	if o.Issuer == "" && o.Profile == "" && g("OAUTHKIT_ISSUER") == "" && g("OAUTHKIT_PROFILE") == "" {
		return cmdutil.UsageErrorf("--issuer is required: check discovers the server")
	}
	if err := o.Prepare(); err != nil {
		return err
	}
	if o.Issuer == "" {
		return cmdutil.UsageErrorf("--issuer is required: check discovers the server")
	}
	checks, err := check.Select(o.Only, o.Skip)
	if err != nil {
		return cmdutil.UsageErrorf("%v", err)
	}
	o.checks = checks
	if o.RedirectURI != "" {
		if u, err := url.Parse(o.RedirectURI); err != nil || u.Scheme == "" || u.Fragment != "" {
			return cmdutil.UsageErrorf("--redirect-uri %q must be an absolute URI without fragment", o.RedirectURI)
		}
	}
	if o.OtherMethod != "" {
		m, err := flow.ParseAuthMethod(o.OtherMethod)
		if err != nil {
			return cmdutil.UsageErrorf("--other-auth-method: %v", err)
		}
		if m == flow.AuthPrivateKeyJWT {
			return cmdutil.UsageErrorf("--other-auth-method private_key_jwt: oauthkit check has no key for the second client; use basic, post or client_secret_jwt")
		}
	}
	if o.Login != "" {
		if _, err := exec.LookPath(o.Login); err != nil {
			return cmdutil.UsageErrorf("--login %s: %v", o.Login, errors.Unwrap(err))
		}
	}
	if o.LoginWait <= 0 {
		return cmdutil.UsageErrorf("--login-timeout must be positive, got %s", o.LoginWait)
	}
	return nil
}

// config builds the run's configuration: the main client through the
// shared client options (secret, discovery fallbacks, auth method).
func (o *Options) config() (check.Config, error) {
	f := o.Factory
	secret, haveSecret, err := o.Secret()
	if err != nil {
		return check.Config{}, err
	}
	method := flow.DefaultAuthMethod(haveSecret, nil)
	if o.AuthMethod != "" {
		method, _ = flow.ParseAuthMethod(o.AuthMethod)
	}
	if method == flow.AuthPrivateKeyJWT {
		// Its checks judge a client by its secret; they do not sign.
		return check.Config{}, cmdutil.UsageErrorf("oauthkit check does not run with --auth-method private_key_jwt; use a client with a secret (basic, post or client_secret_jwt)")
	}
	if method != flow.AuthNone && !haveSecret {
		return check.Config{}, cmdutil.UsageErrorf("--auth-method %s needs a client secret: --client-secret-file, OAUTHKIT_CLIENT_SECRET or --client-secret", o.AuthMethod)
	}
	if method == flow.AuthNone {
		secret = ""
	}
	cfg := check.Config{
		Issuer: o.Issuer, HTTP: o.HTTPClient(), Now: f.Now, Insecure: o.Insecure,
		Client:      check.Client{ID: o.ClientID, Secret: secret, AuthMethod: method},
		RedirectURI: o.RedirectURI, Scopes: flow.SplitScopes(o.Scopes), Strict: o.Strict,
	}
	if g := o.Grant(); len(g.Extra) > 0 { // checked by Prepare
		cfg.AuthParams = g.Extra
	}
	if o.PublicID != "" {
		cfg.Public = &check.Client{ID: o.PublicID, AuthMethod: flow.AuthNone}
	}
	if o.OtherID != "" {
		s, ok, err := cmdutil.ReadSecret(f, cmdutil.SecretSource{File: o.OtherFile, EnvVar: "OAUTHKIT_OTHER_CLIENT_SECRET"})
		if err != nil {
			return cfg, err
		}
		m := flow.DefaultAuthMethod(ok, nil)
		if o.OtherMethod != "" {
			m, _ = flow.ParseAuthMethod(o.OtherMethod)
		}
		cfg.Other = &check.Client{ID: o.OtherID, Secret: s, AuthMethod: m}
	} else if o.OtherFile != "" {
		return cfg, cmdutil.UsageErrorf("--other-client-secret-file needs --other-client-id")
	}
	if o.Login != "" {
		cfg.Login = &check.ScriptLogin{Path: o.Login, RedirectURI: o.RedirectURI, Stderr: f.IOStreams.ErrOut, Timeout: o.LoginWait}
	}
	return cfg, nil
}

func (o *Options) run() error {
	cfg, err := o.config()
	if err != nil {
		return err
	}
	ios := o.Factory.IOStreams
	if o.Insecure {
		fmt.Fprintln(ios.ErrOut, "WARNING: --insecure: TLS certificates are NOT verified and plain http is allowed")
	}
	for _, l := range check.Plan(cfg, o.checks) {
		fmt.Fprintln(ios.ErrOut, l)
	}
	ctx, stop := clientopts.SignalContext()
	defer stop()
	var onResult func(check.Report)
	n := 0
	if ios.CanRunTUI() {
		onResult = func(r check.Report) {
			n++
			fmt.Fprintf(ios.ErrOut, "\r\033[K[%d/%d] %-32s %s", n, len(o.checks), r.ID, resultWord(r))
		}
	}
	reports, err := check.Run(ctx, cfg, o.checks, onResult)
	if onResult != nil {
		fmt.Fprint(ios.ErrOut, "\r\033[K")
	}
	switch {
	case errors.Is(err, check.ErrUnreachable):
		return cmdutil.NetworkError(err)
	case errors.Is(err, flow.ErrCancelled):
		return cmdutil.ErrCancelled
	case err != nil:
		return cmdutil.Failf("%v", err)
	}
	if o.JUnit != "" {
		data, err := check.JUnit(o.Issuer, reports)
		if err != nil {
			return cmdutil.Failf("%v", err)
		}
		if err := fileutil.WriteFile(o.JUnit, data, 0o644, true); err != nil {
			return cmdutil.Failf("--junit: %v", err)
		}
	}
	if o.Output == "json" {
		if err := cmdutil.WriteJSON(ios.Out, reports); err != nil {
			return err
		}
	} else {
		writeTable(ios.Out, reports, ios.ColorEnabled())
	}
	pass, fail, skip := check.Count(reports)
	fmt.Fprintf(ios.ErrOut, "%d checks: %d passed, %d failed, %d skipped\n", len(reports), pass, fail, skip)
	if fail > 0 {
		return cmdutil.OAuthError(fmt.Errorf("%d of %d checks failed: %s", fail, len(reports), failedIDs(reports)))
	}
	return nil
}

// failedIDs lists the failed checks' IDs.
func failedIDs(reports []check.Report) string {
	var ids []string
	for _, r := range reports {
		if r.Result == check.Fail {
			ids = append(ids, r.ID)
		}
	}
	return strings.Join(ids, ", ")
}
