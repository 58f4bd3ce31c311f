package oauthkittest

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/provision"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

//go:embed defaults.yaml
var defaultConfig []byte

// testKeyPEM is the embedded TEST key (see the package documentation).
//
//go:embed TEST-ONLY-rsa2048.key.pem
var testKeyPEM []byte

// configName names the configuration in its error messages.
const configName = "oauthkittest configuration"

// Server is a running authorization server for one test. Its methods are
// safe for concurrent use, but those that fail the test must be called
// from the test's goroutine (see the package documentation).
type Server struct {
	tb     testing.TB
	srv    *authserver.Server
	st     store.Store
	cfg    *config.Config
	issuer string
	client *http.Client
}

// NewServer starts a server on 127.0.0.1 and stops it when the test ends.
// A bad option or configuration fails the test.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	s, err := start(tb, &o)
	if err != nil {
		tb.Fatalf("oauthkittest.NewServer: %v", err)
	}
	return s
}

// start builds the server and registers its shutdown with tb.Cleanup.
func start(tb testing.TB, o *options) (*Server, error) {
	if err := errors.Join(o.errs...); err != nil {
		return nil, err
	}
	data := defaultConfig
	if o.hasConfig {
		data = o.configYAML
	}
	cfg, err := loadConfig(data)
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings { // e.g. a short client secret: worth knowing, not failing for
		tb.Log("oauthkittest: warning:", w)
	}
	keySet, err := keySet(tb, o, cfg)
	if err != nil {
		return nil, err
	}
	hasher, err := hashing.New(string(cfg.Tokens.Hashing.Algorithm), string(cfg.Tokens.Hashing.Fallback))
	if err != nil {
		return nil, fmt.Errorf("%s: tokens.hashing: %w", configName, err)
	}
	if hasher.SecretKey, err = hashing.LoadSecretKey(""); err != nil { // a fresh key in memory
		return nil, err
	}
	now := o.clock
	if now == nil {
		now = time.Now
	}
	ctx := context.Background()
	st := memory.New()
	if err := provision.Sync(ctx, st, hasher, cfg, now(), provision.Options{HashPassword: cheapHash}); err != nil {
		return nil, fmt.Errorf("loading the configuration: %w", err)
	}
	if o.autoApprove != "" {
		if _, err := st.Users().Get(ctx, o.autoApprove); err != nil {
			return nil, fmt.Errorf("WithAutoApprove %q: %w (the users are: %s)", o.autoApprove, err, userNames(cfg))
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening: %w", err)
	}
	issuer := "http://" + ln.Addr().String()
	if err := cfg.CheckCookieScope(issuer); err != nil { // docs/security.md rule 39, as serve checks it
		ln.Close()
		return nil, err
	}
	settings := provision.Settings(cfg, issuer)
	settings.AutoApproveUser = o.autoApprove
	logger := o.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	srv, err := authserver.New(settings, authserver.Options{Store: st, Hasher: hasher, Keys: keySet, Now: now,
		Logger: logger, RequestLog: true})
	if err != nil {
		ln.Close()
		return nil, err
	}
	httpSrv := authserver.NewHTTPServer(srv.Handler(), logger)
	conns := trackConns(httpSrv)
	runCtx, cancel := context.WithCancel(ctx)
	go srv.RunPurger(runCtx, time.Minute)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = httpSrv.Serve(ln) // ErrServerClosed once the test ends
	}()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	s := &Server{tb: tb, srv: srv, st: st, cfg: cfg, issuer: issuer,
		client: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
	tb.Cleanup(func() {
		cancel()
		transport.CloseIdleConnections()
		// As httptest.Server.Close: connections that carry no request
		// now go at once (Shutdown would give a client's spare, unused
		// connection 5 s); requests still running get 5 s to finish.
		httpSrv.SetKeepAlivesEnabled(false)
		_ = ln.Close()
		conns.closeIdle()
		shutdownCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		if httpSrv.Shutdown(shutdownCtx) != nil {
			_ = httpSrv.Close() // a request still running (a queued delay): cut it
		}
		<-served
		_ = st.Close()
	})
	return s, nil
}

// loadConfig parses the configuration and refuses what the test server
// decides itself.
func loadConfig(data []byte) (*config.Config, error) {
	cfg, err := config.Parse(data, configName)
	if err != nil {
		var es config.Errors
		if errors.As(err, &es) && len(es) > 1 {
			lines := make([]string, len(es))
			for i, e := range es {
				lines[i] = e.Error()
			}
			return nil, fmt.Errorf("%d problems:\n  %s", len(es), strings.Join(lines, "\n  "))
		}
		return nil, err
	}
	switch {
	case cfg.Issuer != "":
		return nil, fmt.Errorf("%s: issuer: leave it out, the test server's issuer is its own address (Server.Issuer)", configName)
	case cfg.Store.Driver != "":
		return nil, fmt.Errorf("%s: store: leave it out, the test server keeps everything in memory", configName)
	}
	return cfg, nil
}

// keySet is WithKey's key, else the configuration's key files, else the
// embedded test key.
func keySet(tb testing.TB, o *options, cfg *config.Config) (*authserver.KeySet, error) {
	if o.signer != nil {
		return authserver.NewKeySet(o.signer, o.more...)
	}
	if len(cfg.Keys) > 0 {
		files := make([]string, len(cfg.Keys))
		for i, k := range cfg.Keys {
			files[i] = cfg.Resolve(k)
		}
		var warn strings.Builder
		set, _, err := provision.KeyFiles(files, &warn)
		if warn.Len() > 0 {
			tb.Log(strings.TrimSpace(warn.String()))
		}
		return set, err
	}
	ks, err := keys.Parse(testKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("the embedded test key: %w", err)
	}
	return authserver.NewKeySet(ks[0])
}

// cheapHash hashes a configured password for a server that lives for one
// test: bcrypt at its lowest cost (see the package documentation).
func cheapHash(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	return string(h), err
}

func userNames(cfg *config.Config) string {
	names := make([]string, len(cfg.Users))
	for i, u := range cfg.Users {
		names[i] = u.Username
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Issuer is the server's issuer identifier, http://127.0.0.1:PORT.
func (s *Server) Issuer() string { return s.issuer }

// URL is the server's base URL; the same as Issuer.
func (s *Server) URL() string { return s.issuer }

// HTTPClient returns a client for this server (its own connection pool,
// closed when the test ends). It follows redirects like any http.Client.
func (s *Server) HTTPClient() *http.Client { return s.client }

// JWKS returns the server's published keys, as /jwks.json serves them.
func (s *Server) JWKS() keys.JWKS { return s.srv.Keys().JWKS() }

// Now is the server's clock: the base clock plus the skew.
func (s *Server) Now() time.Time { return s.srv.Now() }

// fatalf fails the test with the operation's error.
func (s *Server) fatalf(format string, args ...any) {
	s.tb.Helper()
	s.tb.Fatalf("oauthkittest: "+format, args...)
}

// connSet tracks the server's connections and their states.
type connSet struct {
	mu    sync.Mutex
	state map[net.Conn]http.ConnState
}

func trackConns(srv *http.Server) *connSet {
	cs := &connSet{state: map[net.Conn]http.ConnState{}}
	srv.ConnState = func(c net.Conn, st http.ConnState) {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		if st == http.StateClosed || st == http.StateHijacked {
			delete(cs.state, c)
			return
		}
		cs.state[c] = st
	}
	return cs
}

// closeIdle closes the connections that are not serving a request.
func (cs *connSet) closeIdle() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for c, st := range cs.state {
		if st == http.StateNew || st == http.StateIdle {
			_ = c.Close()
		}
	}
}
