package serve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/backend"
)

// shutdownGrace is how long in-flight requests get to finish on SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

func run(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := opts.Factory
	errOut := f.IOStreams.ErrOut

	var (
		cfg *config.Config
		err error
	)
	if opts.ConfigFile != "" {
		if cfg, err = config.Load(opts.ConfigFile); err != nil {
			return cmdutil.UsageErrorf("%s", configProblems(err))
		}
	}
	// Check what needs no store before anything is created: a bad --issuer
	// or key file must not leave a state directory behind.
	if opts.Issuer != "" {
		if err := config.CheckIssuer(strings.TrimSuffix(opts.Issuer, "/")); err != nil {
			return cmdutil.UsageErrorf("--issuer: %v", err)
		}
	}
	keyFiles := opts.KeyFiles
	if len(keyFiles) == 0 && cfg != nil {
		for _, k := range cfg.Keys {
			keyFiles = append(keyFiles, cfg.Resolve(k))
		}
	}
	var keySet *authserver.KeySet
	var keySource string
	if len(keyFiles) > 0 {
		if keySet, keySource, err = loadKeyFiles(keyFiles, errOut); err != nil {
			return cmdutil.Failf("%v", err)
		}
	}

	dsn, demoPath, err := storeDSN(opts, cfg, f.Getenv)
	if err != nil {
		return err
	}
	st, err := backend.Open(ctx, dsn)
	if err != nil {
		return cmdutil.Failf("opening the store %s: %v", dsn, err)
	}
	defer st.Close()

	hasher := &hashing.Hasher{}
	if cfg != nil {
		if hasher, err = hashing.New(string(cfg.Tokens.Hashing.Algorithm), string(cfg.Tokens.Hashing.Fallback)); err != nil {
			return cmdutil.UsageErrorf("%s: tokens.hashing: %v", cfg.File, err)
		}
	}
	now := f.Now()
	var demo *demoCredentials
	if cfg != nil {
		if err := syncConfig(ctx, st, hasher, cfg, now); err != nil {
			return cmdutil.Failf("loading %s into the store: %v", cfg.File, err)
		}
	} else if demo, err = ensureDemo(ctx, st, hasher, demoPath, now); err != nil {
		return cmdutil.Failf("%v", err)
	}

	if keySet == nil {
		if keySet, keySource, err = loadStoreKeys(ctx, st, now); err != nil {
			return cmdutil.Failf("%v", err)
		}
	}

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return cmdutil.Failf("listening on %s: %v", opts.Addr, err)
	}
	issuer := opts.Issuer
	if issuer == "" && cfg != nil {
		issuer = cfg.Issuer
	}
	if issuer == "" {
		issuer = "http://" + listenHost(ln.Addr())
	}
	issuer = strings.TrimSuffix(issuer, "/")
	if err := config.CheckIssuer(issuer); err != nil {
		ln.Close()
		return cmdutil.UsageErrorf("--issuer %s: %v", issuer, err)
	}

	logger := newLogger(errOut, opts.LogFormat)
	var dash *dashboardRun // --tui: the request log goes to the dashboard, not to standard error
	if opts.TUI {
		dash = newDashboardRun(f)
		dash.input = opts.tuiInput
		logger = slog.New(slog.DiscardHandler)
	}
	settings := settingsFrom(cfg, issuer, opts.ProtectedScope)
	settings.AutoApproveUser = opts.AutoApprove
	if opts.AutoApprove != "" {
		if err := checkAutoApproveUser(ctx, st, opts.AutoApprove); err != nil {
			ln.Close()
			return err
		}
	}
	if demo != nil {
		settings.ScopeDescriptions = demoScopeDescriptions()
		settings.LoginNotice = "Zero-config demo: sign in as \"" + demo.Username + "\" with the password that oauthkit serve printed when it started."
	}
	srv, err := authserver.New(settings, authserver.Options{Store: st, Hasher: hasher, Keys: keySet, Now: f.Now, Logger: logger, OnEvent: dash.observer()})
	if err != nil {
		ln.Close()
		return cmdutil.Failf("%v", err)
	}
	httpSrv := authserver.NewHTTPServer(srv.Handler(), logger)

	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()

	fmt.Fprintln(f.IOStreams.Out, issuer)
	info := bannerInfo{issuer: issuer, store: dsn, keySource: keySource, signer: keySet.Signer(),
		demo: demo, demoPath: demoPath, config: cfg}
	if dash != nil {
		ctx = dash.start(ctx, info, now) // ends on q
		defer dash.stop()
	} else {
		printBanner(errOut, info)
	}

	select {
	case err := <-served:
		_ = dash.stop()
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return cmdutil.Failf("server stopped: %v", err)
		}
		return nil
	case <-ctx.Done():
	}
	dashErr := dash.stop()
	fmt.Fprintln(errOut, "shutting down (in-flight requests finish first)")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		return cmdutil.Failf("shutdown: %v", err)
	}
	if dashErr != nil {
		return cmdutil.Failf("dashboard: %v", dashErr)
	}
	return nil
}

// storeDSN picks the store: --store, else the configuration's, else SQLite
// in the state directory. demoPath is where zero-config demo credentials
// are kept ("" for a memory store).
func storeDSN(opts *Options, cfg *config.Config, getenv func(string) string) (dsn, demoPath string, err error) {
	switch {
	case opts.Store != "":
		dsn = opts.Store
	case cfg != nil && cfg.Store.Driver == "memory":
		dsn = "memory"
	case cfg != nil && cfg.Store.Driver == "sqlite":
		dsn = "sqlite:" + cfg.Resolve(cfg.Store.Path)
	default:
		dir := opts.StateDir
		if dir == "" {
			if dir, err = stateDir(getenv); err != nil {
				return "", "", cmdutil.Failf("%v", err)
			}
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", "", cmdutil.Failf("creating the state directory: %v", err)
		}
		if cfg != nil {
			// A configuration without a store gets a store of its own in the
			// state directory, so it neither sees nor deletes the demo
			// registrations of zero-config mode (or another file's).
			return "sqlite:" + filepath.Join(dir, configStoreName(cfg.File)), "", nil
		}
		return "sqlite:" + filepath.Join(dir, "oauthkit.db"), filepath.Join(dir, "demo-credentials.json"), nil
	}
	d, err := backend.ParseDSN(dsn)
	if err != nil {
		return "", "", cmdutil.UsageErrorf("--store: %v", err)
	}
	if d.Kind == backend.SQLite && cfg == nil { // demo credentials exist only without a configuration
		demoPath = d.Path + ".demo.json"
	}
	return dsn, demoPath, nil
}

func listenHost(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
	}
	return tcp.String()
}

func newLogger(w interface{ Write([]byte) (int, error) }, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// settingsFrom maps the configuration (or the defaults) to server settings.
func settingsFrom(cfg *config.Config, issuer, protectedScope string) authserver.Settings {
	s := authserver.Settings{
		Issuer: issuer, ProtectedScope: protectedScope,
		Format: authserver.FormatJWT, Profile: authserver.ProfileRFC6749,
		AccessTokenTTL: config.DefaultAccessTokenTTL, RefreshTokenTTL: config.DefaultRefreshTokenTTL,
		CodeTTL: config.DefaultCodeTTL, IDTokenTTL: config.DefaultIDTokenTTL,
	}
	if cfg == nil {
		return s
	}
	s.Audience = cfg.Tokens.Audience
	s.Format = string(cfg.Tokens.Format)
	s.Profile = string(cfg.ResponseProfile)
	s.AccessTokenTTL, s.RefreshTokenTTL, s.CodeTTL = cfg.Tokens.AccessTokenTTL, cfg.Tokens.RefreshTokenTTL, cfg.Tokens.CodeTTL
	s.IDTokenTTL = cfg.Tokens.IDTokenTTL
	s.ScopeDescriptions = cfg.Scopes
	s.PKCE = string(cfg.PKCE)
	return s
}

// checkAutoApproveUser refuses an --auto-approve user the store does not have.
func checkAutoApproveUser(ctx context.Context, st store.Store, name string) error {
	_, err := st.Users().Get(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		users, lerr := st.Users().List(ctx)
		if lerr != nil {
			return cmdutil.Failf("reading the users: %v", lerr)
		}
		names := make([]string, len(users))
		for i, u := range users {
			names[i] = u.Username
		}
		return cmdutil.UsageErrorf("--auto-approve %s: no such user; the users are: %s", name, strings.Join(names, ", "))
	}
	if err != nil {
		return cmdutil.Failf("reading the users: %v", err)
	}
	return nil
}

// demoScopeDescriptions are shown on the consent page in zero-config mode.
func demoScopeDescriptions() map[string]string {
	return map[string]string{"read": "Read your data", "write": "Create and change your data",
		"openid": "Sign you in with your account", "profile": "Your name and username", "email": "Your email address"}
}

// configStoreName names the default store of a configuration file:
// config-<first 12 hex digits of the SHA-256 of its absolute path>.db.
func configStoreName(file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	sum := sha256.Sum256([]byte(abs))
	return "config-" + hex.EncodeToString(sum[:6]) + ".db"
}

// configProblems lists every problem of an invalid configuration, one per
// line, not only the first.
func configProblems(err error) string {
	var es config.Errors
	if !errors.As(err, &es) || len(es) < 2 {
		return err.Error()
	}
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return fmt.Sprintf("%d problems in the configuration:\n  %s", len(es), strings.Join(lines, "\n  "))
}
