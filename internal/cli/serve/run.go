package serve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
	"github.com/oauthkit/oauthkit/internal/control"
	"github.com/oauthkit/oauthkit/internal/provision"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/backend"
)

// shutdownGrace is how long in-flight requests get to finish on SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

// run checks the input and prepares the store (setup), then listens and
// serves until the context ends or a signal comes (serve).
func run(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	p, err := setup(ctx, opts)
	if err != nil {
		return err
	}
	defer p.st.Close()
	return p.serve(ctx)
}

// serve listens, prints the issuer as the first line of standard output,
// then the banner (or runs the dashboard), and serves until ctx ends; then
// it lets in-flight requests finish.
func (p *prepared) serve(ctx context.Context) error {
	errOut := p.f.IOStreams.ErrOut
	ln, err := net.Listen("tcp", p.opts.Addr)
	if err != nil {
		return cmdutil.Failf("listening on %s: %v", p.opts.Addr, err)
	}
	issuer, note := issuerFor(p.issuer, p.opts.Issuer != "", ln.Addr())
	if p.cfg != nil && issuer != p.cfg.Issuer { // the file's own issuer was checked at load
		if err := p.cfg.CheckCookieScope(issuer); err != nil { // docs/security.md rule 39
			ln.Close()
			return cmdutil.UsageErrorf("%s", configProblems(err))
		}
	}
	if note != "" {
		fmt.Fprintln(errOut, note)
	}

	logger := newLogger(errOut, p.opts.LogFormat)
	var dash *dashboardRun // --tui: the request log goes to the dashboard, not to standard error
	if p.opts.TUI {
		dash = newDashboardRun(p.f)
		dash.input = p.opts.tuiInput
		logger = slog.New(slog.DiscardHandler)
	}
	srv, err := p.authServer(issuer, logger, dash.observer())
	if err != nil {
		ln.Close()
		return err
	}
	go srv.RunPurger(ctx, time.Minute) // expired codes and tokens (docs/security.md rule 52)
	go p.keySet.RunReloader(ctx)       // keys from the store follow other replicas (docs/security.md rule 67)
	httpSrv := authserver.NewHTTPServer(srv.Handler(), logger)

	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()

	fmt.Fprintln(p.f.IOStreams.Out, issuer)
	info := bannerInfo{issuer: issuer, listen: listenURL(issuer, ln.Addr()), store: backend.Redact(p.dsn), keySource: p.keySource,
		signer: p.keySet.Signer(), demo: p.demo, demoPath: p.demoPath, config: p.cfg, controlTokenPath: p.controlTokenPath,
		registration: registrationBannerLine(p.registration, issuer)}
	if dash != nil {
		ctx = dash.start(ctx, info, p.started) // ends on q
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

// authServer is the authorization server for issuer; onEvent (nil: none)
// gets each answered request's event, as the request log does.
func (p *prepared) authServer(issuer string, logger *slog.Logger, onEvent func(authserver.Event)) (*authserver.Server, error) {
	settings := settingsFrom(p.cfg, issuer, p.opts.ProtectedScope)
	settings.DPoPNonce = p.opts.DPoPNonce
	settings.AutoApproveUser = p.opts.AutoApprove
	settings.Registration = p.registration
	settings.RequirePAR = settings.RequirePAR || p.opts.RequirePAR
	// A memory store is this process's alone; any other store may be
	// shared by several replicas, which must see the same sessions.
	settings.SessionsInStore = p.dsn != backend.Memory
	if p.demo != nil {
		settings.ScopeDescriptions = demoScopeDescriptions()
		settings.LoginNotice = "Zero-config demo: sign in as \"" + p.demo.Username + "\" with the password that oauthkit serve printed when it started."
	}
	srv, err := authserver.New(settings, authserver.Options{Store: p.st, Hasher: p.hasher, Keys: p.keySet, Now: p.f.Now, Logger: logger, OnEvent: onEvent,
		RequestLog: p.controlToken != "", StoreKind: storeKind(p.dsn)})
	if err != nil {
		return nil, cmdutil.Failf("%v", err)
	}
	if p.controlToken != "" { // --control (docs/control.md)
		srv.Mount(authserver.ControlPathPrefix, control.NewHandler(srv.Control(), p.controlToken))
	}
	return srv, nil
}

// storeDSN picks the store: --store, else the configuration's, else SQLite
// in the state directory (kept private, see checkStateDir; its notes go
// to errOut). demoPath is where zero-config demo credentials are kept (""
// for a memory store).
func storeDSN(opts *Options, cfg *config.Config, getenv func(string) string, errOut io.Writer) (dsn, demoPath string, err error) {
	switch {
	case opts.Store != "":
		dsn = opts.Store
	case cfg != nil && cfg.Store.Driver == "memory":
		dsn = "memory"
	case cfg != nil && cfg.Store.Driver == "sqlite":
		dsn = "sqlite:" + cfg.Resolve(cfg.Store.Path)
	case cfg != nil && cfg.Store.Driver == "postgres":
		dsn = cfg.Store.URL
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
		if err := checkStateDir(dir, errOut); err != nil {
			return "", "", cmdutil.Failf("%v", err)
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
		if opts.Store == "" && cfg != nil {
			return "", "", cmdutil.UsageErrorf("%s: store: %v", cfg.File, err)
		}
		return "", "", cmdutil.UsageErrorf("--store: %v", err)
	}
	if d.Kind == backend.SQLite && cfg == nil { // demo credentials exist only without a configuration
		demoPath = d.Path + ".demo.json"
	}
	return dsn, demoPath, nil
}

// storeKind is the kind of store dsn names, for /healthz.
func storeKind(dsn string) string {
	d, err := backend.ParseDSN(dsn)
	if err != nil {
		return ""
	}
	return d.Kind
}

func newLogger(w interface{ Write([]byte) (int, error) }, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// settingsFrom maps the configuration (or the defaults) to server settings.
func settingsFrom(cfg *config.Config, issuer, protectedScope string) authserver.Settings {
	s := provision.Settings(cfg, issuer)
	s.ProtectedScope = protectedScope
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
