// Package serve implements `oauthkit serve`, the local authorization server.
package serve

import (
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

// Options of `oauthkit serve`.
type Options struct {
	Factory *cmdutil.Factory

	Addr           string
	Issuer         string
	ConfigFile     string
	Store          string
	KeyFiles       []string
	LogFormat      string
	ProtectedScope string
	StateDir       string
	AutoApprove    string
	TUI            bool
	// RequirePAR: every client must use the PAR endpoint (RFC 9126 §5).
	RequirePAR bool
	// Control serves the control API (docs/control.md) under
	// $ISSUER/_oauthkit/control/, guarded by the token in ControlTokenFile
	// (else a generated one in the state directory).
	Control          bool
	ControlTokenFile string
	// DPoPNonce makes DPoP proofs carry a server nonce (RFC 9449 §8).
	DPoPNonce bool
	// Registration turns on dynamic client registration (RFC 7591, 7592):
	// "open" or "token" (an initial access token, from
	// RegistrationTokenFile or OAUTHKIT_REGISTRATION_TOKEN).
	Registration          string
	RegistrationTokenFile string
	// SecretKeyFile holds the server's secret key (the HMAC key of client
	// secrets); every replica on one store must use the same one.
	SecretKeyFile string

	tuiInput  io.Reader       // keys of the dashboard in tests (nil: the terminal)
	passwords *passwordHasher // user password hashing in tests (nil: defaultPasswords)
}

// NewCmdServe returns `oauthkit serve`; runF replaces the run in tests.
func NewCmdServe(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a real local OAuth 2.0 authorization server",
		Long: `Run a local OAuth 2.0 authorization server: token endpoint with the
client_credentials, password, authorization_code and refresh_token grants
(refresh tokens rotate; reuse revokes the grant), introspection (RFC 7662),
revocation (RFC 7009), JWKS, OAuth metadata (RFC 8414,
/.well-known/oauth-authorization-server), OpenID Connect discovery
(/.well-known/openid-configuration) with ID tokens, /userinfo and
/protected, a demo resource that answers only a valid Bearer token.

The authorization endpoint /authorize (response_type code, with PKCE S256;
response_type token for clients configured for the implicit grant) shows a
login page and a consent page in the browser; /authorize/logout ends the browser
session. --auto-approve USER answers every authorization request at once for
that user (or for the user a login_hint names), without pages: what CI needs
to test an application's login without a browser.

Clients configured for the device authorization grant (RFC 8628,
grant_types: [device_code]) get /device_authorization and the page /device
where a person enters the user code; --auto-approve approves their device
codes at once.

With no flags it keeps its state in the user's state directory
($XDG_STATE_HOME/oauthkit, else ~/.local/state/oauthkit on Linux): a SQLite
store with the signing key, a demo confidential client, a demo public client
and a demo user, created on first start and kept across restarts. It prints
the issuer, the endpoints, the demo credentials and a curl line per grant on
standard error.

For scripts: the first line on standard output is the issuer URL, printed
once the server accepts connections. Without --issuer it follows the
address bound (--addr 127.0.0.1:0 picks a free port); a configuration's
plain-http loopback issuer that names another address follows it too, with
a note on standard error. An https or non-loopback issuer (a reverse
proxy) is kept, and the banner shows the listening address as well.
SIGINT or SIGTERM shut it down gracefully. --config FILE declares clients, users, lifetimes and hashing
(see docs/serve.md); the configuration's clients and users then replace the
demo ones.

--tui shows a live dashboard on standard error instead of the banner and
the request log: the issuer, the store, the demo credentials (secrets
masked until s is pressed), the recent requests newest first and counters
per grant type and error code. q stops the server as SIGINT does. It
needs standard error to be a terminal.

--control turns on the control API under $ISSUER/_oauthkit/control/, for
tests: queued failures, tampered answers, login-as, extra claims, clock
skew, key rotation, bulk revocation and the request log, steered with
'oauthkit ctl' (see docs/control.md). Every call needs the control token:
--control-token-file FILE, else a random token kept in the control-token
file of the state directory (mode 0600; the banner names the file, never
the token). It is off by default: never turn it on for a server others use.

--registration open|token turns on dynamic client registration (RFC 7591)
at $ISSUER/register and its management (RFC 7592) at the
registration_client_uri it returns; discovery then lists
registration_endpoint. Registered clients follow the rules of configured
ones, persist in the store and survive a restart with --config. In token
mode a registration needs the initial access token as a Bearer token:
--registration-token-file FILE or OAUTHKIT_REGISTRATION_TOKEN, never a
flag value. See docs/serve.md.`,
		Example: `  # zero-config: state in ~/.local/state/oauthkit
  oauthkit serve

  # a throwaway server on a free port, issuer URL captured by a script
  oauthkit serve --store memory --addr 127.0.0.1:0 > issuer.txt &

  # declared clients and users, your own signing key
  oauthkit keygen --out-dir keys
  oauthkit serve --config oauthkit.yaml --key keys/oauthkit.key.pem

  # CI: /authorize answers at once for the demo user, no login page
  oauthkit serve --store memory --auto-approve demo

  # a live dashboard of the requests in the terminal (s shows the secrets, q stops)
  oauthkit serve --store memory --tui

  # a test harness: steer it with oauthkit ctl (docs/control.md)
  oauthkit serve --store memory --addr 127.0.0.1:0 --control

  # clients may register themselves (RFC 7591) with an initial access token
  oauthkit serve --registration token --registration-token-file iat.txt`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.LogFormat != "text" && opts.LogFormat != "json" {
				return cmdutil.UsageErrorf("--log-format %q is not one of text, json", opts.LogFormat)
			}
			if opts.TUI && !f.IOStreams.CanRunTUI() {
				return cmdutil.UsageErrorf("--tui needs a terminal")
			}
			if runF != nil {
				return runF(opts)
			}
			tuneGC(os.LookupEnv)
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "address to listen on (127.0.0.1:0 picks a free port)")
	fl.StringVar(&opts.Issuer, "issuer", "", "issuer URL (default: the configuration's, else http://ADDR)")
	fl.StringVar(&opts.ConfigFile, "config", "", "configuration file (YAML, see docs/serve.md)")
	fl.StringVar(&opts.Store, "store", "", "token store: sqlite:PATH, memory or postgres://USER@HOST:5432/DB (password from PGPASSWORD or ~/.pgpass; default: the configuration's, else sqlite in the state directory)")
	fl.StringArrayVar(&opts.KeyFiles, "key", nil, "signing key file, PEM or JWK (repeatable: the first signs, all are published)")
	fl.StringVar(&opts.LogFormat, "log-format", "text", "request log format on standard error: text|json")
	fl.StringVar(&opts.ProtectedScope, "protected-scope", "", "scope that /protected demands (403 insufficient_scope without it)")
	fl.StringVar(&opts.AutoApprove, "auto-approve", "", "answer /authorize at once for this `USER` (or a login_hint naming a known user), without login or consent pages")
	fl.BoolVar(&opts.RequirePAR, "require-par", false, "every client must push its authorization requests to /par (RFC 9126); a client can require it for itself in the configuration")
	fl.BoolVar(&opts.TUI, "tui", false, "live dashboard on standard error (a terminal): requests, counters, demo credentials; q stops")
	fl.BoolVar(&opts.Control, "control", false, "serve the control API for tests under $ISSUER/_oauthkit/control/ (see 'oauthkit ctl', docs/control.md)")
	fl.StringVar(&opts.ControlTokenFile, "control-token-file", "", "read the control API's token from this `FILE` (default: a generated one in the state directory's control-token)")
	fl.BoolVar(&opts.DPoPNonce, "dpop-nonce", false, "demand a server nonce (DPoP-Nonce) in DPoP proofs at /token and the resources (RFC 9449 §8)")
	fl.StringVar(&opts.Registration, "registration", "", "turn on dynamic client registration at $ISSUER/register (RFC 7591, 7592): open|token (token: an initial access token is required)")
	fl.StringVar(&opts.RegistrationTokenFile, "registration-token-file", "", "read the initial access token of --registration token from this `FILE` (else OAUTHKIT_REGISTRATION_TOKEN)")
	fl.StringVar(&opts.SecretKeyFile, "secret-key-file", "", "the server's secret key (HMAC of client secrets), created when missing; replicas on one store share it (default: beside a SQLite store; for PostgreSQL the state directory's secret-key)")
	fl.StringVar(&opts.StateDir, "state-dir", "", "state directory for the zero-config store (default: $XDG_STATE_HOME/oauthkit)")
	return cmd
}
