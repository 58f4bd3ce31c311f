// Package client implements `oauthkit client register|show|update|delete`:
// dynamic client registration (RFC 7591) and management (RFC 7592) against
// any authorization server that offers it, keeping the client as a flow
// profile.
package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/fileutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// defaultTimeout bounds each command's requests.
const defaultTimeout = 30 * time.Second

// outputFormats: text (secrets masked) or json (the server's answer as
// sent, secrets included).
var outputFormats = []string{"text", "json"}

// NewCmdClient returns the `oauthkit client` command group.
func NewCmdClient(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "client <command>",
		Short: "Register and manage OAuth clients dynamically (RFC 7591, RFC 7592)",
		Long: `Register a client at an authorization server that offers dynamic client
registration (RFC 7591): 'client register' discovers the server's
registration_endpoint, registers the client and keeps it as a flow profile, so
'oauthkit flow ... --profile NAME' uses it at once. The client secret and the
registration access token go to files beside the profile file (mode 0600),
never into the profile itself and never to the terminal unless -o json asks.

'client show', 'client update' and 'client delete' read, replace and delete
the registration (RFC 7592) at its registration_client_uri with its
registration access token, both taken from the profile.

Exit codes: 0 ok, 1 failure, 2 usage, 3 the server answered an OAuth error,
4 network or TLS, 5 timed out, 130 cancelled.`,
		Example: `  oauthkit client register --issuer http://127.0.0.1:8080 --redirect-uri http://127.0.0.1/callback --profile myapp
  oauthkit client show --profile myapp
  oauthkit client delete --profile myapp`,
		Args: cmdutil.NoArgs,
	}
	cmd.AddCommand(newCmdRegister(f, nil), newCmdShow(f, nil), newCmdUpdate(f, nil), newCmdDelete(f, nil))
	return cmd
}

// baseOptions are the flags every client command has.
type baseOptions struct {
	f        *cmdutil.Factory
	Profile  string
	Output   string
	Insecure bool
	Timeout  time.Duration
	Verbose  bool
}

func (o *baseOptions) addFlags(cmd *cobra.Command, profileHelp string) {
	fl := cmd.Flags()
	fl.StringVar(&o.Profile, "profile", "", profileHelp)
	fl.BoolVar(&o.Insecure, "insecure", false, "skip TLS verification, allow plain http to any host (DANGEROUS)")
	fl.DurationVar(&o.Timeout, "timeout", defaultTimeout, "how long to wait for the server")
	fl.BoolVarP(&o.Verbose, "verbose", "v", false, "log each HTTP request and response on stderr, secrets masked")
	cmdutil.AddOutputFlag(cmd, &o.Output, outputFormats...)
}

// check checks the shared flags (usage errors, exit 2).
func (o *baseOptions) check() error {
	if err := cmdutil.CheckOutput(o.Output, outputFormats...); err != nil {
		return err
	}
	if o.Timeout <= 0 {
		return cmdutil.UsageErrorf("--timeout must be positive, got %s", o.Timeout)
	}
	if o.Profile != "" && !flow.ValidProfileName(o.Profile) {
		return cmdutil.UsageErrorf("--profile %q: use letters, digits, '.', '_' and '-' (it also names the profile's secret files)", o.Profile)
	}
	return nil
}

// flowClient is the HTTP client with --insecure, -v and --timeout applied.
func (o *baseOptions) flowClient() *flow.Client {
	co := clientopts.CommonOptions{Factory: o.f, Insecure: o.Insecure, Verbose: o.Verbose, Timeout: o.Timeout}
	if o.Insecure {
		fmt.Fprintln(o.f.IOStreams.ErrOut, "WARNING: --insecure: TLS certificates are NOT verified and plain http is allowed; anyone on the network path can read and change the credentials")
	}
	return &flow.Client{HTTP: co.HTTPClient(), Now: o.f.Now}
}

// context is the command's context: Ctrl-C cancels it, --timeout ends it.
func (o *baseOptions) context() (context.Context, context.CancelFunc) {
	ctx, stop := clientopts.SignalContext()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	return ctx, func() { cancel(); stop() }
}

// profilePath is the profile file.
func (o *baseOptions) profilePath() (string, error) {
	path, err := flow.ProfilePath(o.f.Getenv)
	if err != nil {
		return "", cmdutil.Failf("%v", err)
	}
	return path, nil
}

// managed loads --profile and what RFC 7592 needs from it: the
// registration client URI and the registration access token.
func (o *baseOptions) managed() (*flow.Profile, string, string, error) {
	if o.Profile == "" {
		return nil, "", "", cmdutil.UsageErrorf("--profile is required: the profile 'oauthkit client register --profile NAME' wrote")
	}
	path, err := o.profilePath()
	if err != nil {
		return nil, "", "", err
	}
	p, err := flow.LoadProfile(path, o.Profile)
	if err != nil {
		return nil, "", "", cmdutil.UsageErrorf("%v", err)
	}
	if p.RegistrationClientURI == "" || p.RegistrationTokenFile == "" {
		return nil, "", "", cmdutil.UsageErrorf("profile %s has no registration_client_uri and registration_token_file: it was not written by 'oauthkit client register'", o.Profile)
	}
	if err := flow.CheckURL("profile "+o.Profile+" registration_client_uri", p.RegistrationClientURI, o.Insecure); err != nil {
		return nil, "", "", cmdutil.UsageErrorf("%v", err)
	}
	tok, _, err := cmdutil.ReadSecret(o.f, cmdutil.SecretSource{File: p.RegistrationTokenFile})
	if err != nil {
		return nil, "", "", err
	}
	return p, p.RegistrationClientURI, tok, nil
}

// keepRotated saves a registration access token the server rotated (RFC
// 7592 §3: an answer may carry a new one, and the old one then stops
// working) to the profile's token file, and returns the token to use next.
func (o *baseOptions) keepRotated(p *flow.Profile, current string, reg *flow.Registration) (string, error) {
	if reg.RegistrationAccessToken == "" || reg.RegistrationAccessToken == current {
		return current, nil
	}
	if err := writeSecret(p.RegistrationTokenFile, reg.RegistrationAccessToken); err != nil {
		return "", cmdutil.Failf("the server issued a new registration access token, but saving it to %s failed: %v", p.RegistrationTokenFile, err)
	}
	fmt.Fprintf(o.f.IOStreams.ErrOut, "the server rotated the registration access token; saved in %s\n", p.RegistrationTokenFile)
	return reg.RegistrationAccessToken, nil
}

// secretFiles are the files beside the profile file that keep a
// profile's client secret and registration access token.
func secretFiles(profilePath, name string) (secret, token string) {
	dir := filepath.Dir(profilePath)
	return filepath.Join(dir, name+".client-secret"), filepath.Join(dir, name+".registration-token")
}

// writeSecret writes a secret file, readable by the owner alone.
func writeSecret(path, value string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return fileutil.WriteFile(path, []byte(value+"\n"), 0o600, true)
}

// mask shows the first four characters of a secret.
func mask(s string) string {
	if len(s) <= 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + strings.Repeat("*", 8) + fmt.Sprintf(" (%d characters)", len(s))
}

// writeRegistration prints a registration: -o json as the server sent it,
// text with the secrets masked and where they are kept.
func writeRegistration(w io.Writer, format string, r *flow.Registration, secretAt, tokenAt string) error {
	if format == "json" {
		return cmdutil.WriteJSON(w, r.Raw)
	}
	line := func(k, v string) { fmt.Fprintf(w, "%-27s %s\n", k+":", v) }
	line("client_id", r.ClientID)
	if r.ClientSecret != "" {
		line("client_secret", mask(r.ClientSecret)+where(secretAt))
	}
	if r.ClientSecretExpiresAt == 0 && (r.ClientSecret != "" || r.TokenEndpointAuthMethod != "none") {
		line("client_secret_expires_at", "0 (never)")
	} else if r.ClientSecretExpiresAt > 0 {
		line("client_secret_expires_at", time.Unix(r.ClientSecretExpiresAt, 0).UTC().Format(time.RFC3339))
	}
	if r.ClientName != "" {
		line("client_name", r.ClientName)
	}
	line("token_endpoint_auth_method", r.TokenEndpointAuthMethod)
	line("grant_types", strings.Join(r.GrantTypes, " "))
	line("redirect_uris", strings.Join(r.RedirectURIs, " "))
	line("scope", r.Scope)
	if r.RegistrationClientURI != "" {
		line("registration_client_uri", r.RegistrationClientURI)
	}
	if r.RegistrationAccessToken != "" {
		line("registration_access_token", mask(r.RegistrationAccessToken)+where(tokenAt))
	}
	return nil
}

func where(path string) string {
	if path == "" {
		return ""
	}
	return ", in " + path
}

// authMethodName turns --auth-method (basic|post|none or the RFC 7591
// name) into the RFC 7591 name.
func authMethodName(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	m, err := flow.ParseAuthMethod(s)
	if err != nil {
		return "", cmdutil.UsageErrorf("--auth-method: %v", err)
	}
	switch m {
	case flow.AuthBasic:
		return "client_secret_basic", nil
	case flow.AuthPost:
		return "client_secret_post", nil
	}
	return "none", nil
}

// mapError maps a flow error to its exit code.
func mapError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return cmdutil.TimeoutError(err)
	}
	return clientopts.MapError(err)
}
