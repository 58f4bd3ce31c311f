package authserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/oauthkit/oauthkit/internal/cookiescope"
	"github.com/oauthkit/oauthkit/internal/dpop"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/oauth"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/token"
)

// Response profiles of the token endpoint and access-token formats (their
// one definition is internal/oauth).
const (
	ProfileRFC6749 = oauth.ProfileRFC6749
	ProfileApigee  = oauth.ProfileApigee
	FormatJWT      = oauth.FormatJWT
	FormatOpaque   = oauth.FormatOpaque
)

// Settings are the server's policy: lifetimes, formats and profiles.
type Settings struct {
	Issuer          string                // exact; never derived from a request (docs/security.md rule 21)
	Audience        string                // aud of access tokens; the issuer when empty
	Format          oauth.TokenFormat     // FormatJWT or FormatOpaque
	Profile         oauth.ResponseProfile // ProfileRFC6749 or ProfileApigee
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	CodeTTL         time.Duration
	// IDTokenTTL is the lifetime of OpenID Connect ID tokens (default 1h).
	IDTokenTTL time.Duration
	// ProtectedScope, when set, is the scope /protected demands.
	ProtectedScope string
	// ScopeDescriptions lists the scopes the server knows, for discovery.
	ScopeDescriptions map[string]string
	// RefreshRaceLeeway: a rotated-out refresh token presented within this
	// time of its rotation is a lost race (invalid_grant, family kept),
	// later it is a replay (family revoked).
	RefreshRaceLeeway time.Duration

	// PKCE says who must send a code_challenge at /authorize: PKCERequired
	// (every client), PKCEPublic (public clients; the default when empty)
	// or PKCEOptional (nobody, but it is checked when sent).
	PKCE oauth.PKCEPolicy
	// AutoApproveUser, when set, makes /authorize answer every client at
	// once for this username (or for a login_hint naming a known user),
	// without login or consent pages (`serve --auto-approve USER`).
	AutoApproveUser string
	// LoginNotice is shown on the login page, e.g. which demo user to use.
	LoginNotice string
	// SessionTTL is how long a browser session stays signed in (default 8h).
	SessionTTL time.Duration
	// AccessTokenAlgs maps a client ID to the JWS algorithm of its JWT
	// access tokens (a client's access_token_signing_alg); other clients,
	// and every ID token, get the signer's. Each algorithm needs a private
	// key in the key set (KeySet.SignerFor), checked by New.
	AccessTokenAlgs map[string]string
	// DPoPNonce makes /token and the resources demand a server nonce in
	// DPoP proofs (RFC 9449 §8), valid for DPoPNonceLifetime (default 5m).
	DPoPNonce         bool
	DPoPNonceLifetime time.Duration
	// Registration turns on dynamic client registration (RFC 7591, 7592).
	Registration RegistrationSettings
	// TrustedIssuers are the other issuers whose JWTs a token exchange
	// accepts (grant_token_exchange.go); none: only this server's tokens.
	TrustedIssuers []TrustedIssuer
	// DeviceCodeTTL is the lifetime of device and user codes (RFC 8628,
	// default DefaultDeviceCodeTTL); DeviceInterval the polling interval
	// they announce (whole seconds, default DefaultDeviceInterval).
	DeviceCodeTTL  time.Duration
	DeviceInterval time.Duration
	// Resources are the protected resources tokens may be issued for
	// (RFC 8707), besides the demo /protected one.
	Resources []Resource
	// RequirePAR makes every client push its authorization requests
	// (RFC 9126 §5); a client can also require it for itself.
	RequirePAR bool
	// PARTTL is the lifetime of a pushed request's request_uri (default 60s).
	PARTTL time.Duration
	// AssertionSecrets maps the ID of each client_secret_jwt client to its
	// plain secret, the HMAC key of its assertions (RFC 7523 §2.2). It is
	// held in memory only; the store keeps the secret's hash
	// (docs/security.md rule 74).
	AssertionSecrets map[string][]byte
	// JWKSFetch tunes the fetching of clients' jwks_uri (zero: defaults).
	JWKSFetch JWKSFetchOptions
	// SessionsInStore keeps the browser sessions and their waiting
	// requests in the store, where every server sharing it sees them
	// (several replicas, docs/serve.md), rather than in this process's
	// bounded memory (docs/security.md rules 40, 42 and 66).
	SessionsInStore bool
}

// Server is the authorization server. Build it with New; its Handler serves
// every endpoint.
type Server struct {
	settings Settings
	store    store.Store
	hasher   *hashing.Hasher
	keys     *KeySet
	now      func() time.Time
	log      *slog.Logger
	onEvent  func(Event)
	throttle *throttle
	hashes   *hashGate // bounds concurrent password hashing (docs/security.md rule 41)
	signs    cpuGate   // bounds concurrent token signing (signgate.go)
	leases   leases    // self-contained access tokens (lease.go)

	// verifiedTokens remembers the access tokens whose signature verified
	// (bearer.go): a token introspected again is not verified again; its
	// claims and its record are checked every time.
	verifiedTokens *token.SignatureMemo

	deviceGuesses *throttle // wrong user codes on the device page (docs/security.md rule 79)

	deprecationOnce sync.Once
	dummyOnce       sync.Once
	dummyHash       string

	health healthState

	sessions   sessionBackend // browser sessions of the login and consent pages
	cookiePath string         // Path of the session cookie (docs/security.md rule 39)
	pages      *pages

	dpop           *dpop.Verifier // DPoP proofs (dpop.go)
	nonces         *dpop.Nonces   // nil unless Settings.DPoPNonce
	registrar      *registrar     // dynamic client registration; nil when off
	clientKeys     *jwksCache     // clients' jwks_uri keys (client_keys.go)
	assertionDummy assertionDummy // client_assertion.go

	control *Control                // runtime steering (docs/control.md)
	mounts  map[string]http.Handler // extra handlers (Mount), e.g. the control API
}

// Options are what New needs besides the settings.
type Options struct {
	Store  store.Store
	Hasher *hashing.Hasher
	Keys   *KeySet
	Now    func() time.Time
	Logger *slog.Logger
	// OnEvent, when set, is called with each request's Event once it is
	// answered (after the request log line), on the request's goroutine:
	// it must not block.
	OnEvent func(Event)
	// RequestLog keeps the last RequestLogSize requests for
	// Control().Requests (`serve --control`, oauthkittest).
	RequestLog bool
	// StoreKind ("memory", "sqlite", "postgres") is reported by /healthz
	// as "backend"; "" leaves it out.
	StoreKind string
}

// New returns a server; it fails on missing dependencies or settings.
func New(s Settings, o Options) (*Server, error) {
	switch {
	case s.Issuer == "":
		return nil, errors.New("authserver: an issuer is required")
	case o.Store == nil:
		return nil, errors.New("authserver: a store is required")
	case o.Keys == nil || o.Keys.Signer() == nil:
		return nil, errors.New("authserver: a signing key is required")
	case s.AccessTokenTTL <= 0 || s.RefreshTokenTTL <= 0 || s.CodeTTL <= 0:
		return nil, errors.New("authserver: token lifetimes must be positive")
	}
	for _, id := range slices.Sorted(maps.Keys(s.AccessTokenAlgs)) {
		if alg := s.AccessTokenAlgs[id]; o.Keys.SignerFor(alg) == nil {
			return nil, fmt.Errorf("authserver: client %s: its access tokens are signed with %s, but no private key of the key set has that algorithm", id, alg)
		}
	}
	if s.Audience == "" {
		s.Audience = s.Issuer
	}
	if s.Format == "" {
		s.Format = FormatJWT
	}
	if s.IDTokenTTL <= 0 {
		s.IDTokenTTL = time.Hour
	}
	if s.RefreshRaceLeeway == 0 {
		s.RefreshRaceLeeway = 2 * time.Second
	}
	if s.Profile == "" {
		s.Profile = ProfileRFC6749
	}
	switch s.PKCE {
	case "":
		s.PKCE = PKCEPublic
	case PKCERequired, PKCEPublic, PKCEOptional:
	default:
		return nil, errors.New("authserver: PKCE policy must be required, public or optional")
	}
	if s.PARTTL <= 0 {
		s.PARTTL = time.Minute
	}
	if s.SessionTTL <= 0 {
		s.SessionTTL = 8 * time.Hour
	}
	if o.Hasher == nil {
		o.Hasher = &hashing.Hasher{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	// Every clock reading goes through the control's skew (ctl clock).
	base := o.Now
	ctl := &Control{log: newRequestLog()}
	o.Now = func() time.Time { return base().Add(ctl.Skew()) }
	onEvent := o.OnEvent
	if o.RequestLog {
		onEvent = func(ev Event) {
			ctl.log.add(ev)
			if o.OnEvent != nil {
				o.OnEvent(ev)
			}
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	// Whoever built the store before may have hashed passwords (argon2id,
	// 64 MiB each): hand that memory back now rather than keep it resident
	// for the life of an idle server (docs/security.md rule 41).
	debug.FreeOSMemory()
	srv := &Server{
		settings: s, store: o.Store, hasher: o.Hasher, keys: o.Keys,
		now: o.Now, log: o.Logger, onEvent: onEvent, throttle: newThrottle(o.Now), deviceGuesses: newThrottle(o.Now), hashes: defaultHashGate(),
		signs: defaultSignGate(), verifiedTokens: token.NewSignatureMemo(verifiedTokensMax),
		pages: mustParsePages(), cookiePath: cookiescope.Path(s.Issuer), control: ctl,
	}
	srv.sessions = memSessions{newSessionStore(o.Now, s.SessionTTL)}
	if s.SessionsInStore {
		srv.sessions = &storeSessions{st: o.Store, hasher: o.Hasher, now: o.Now, ttl: s.SessionTTL, log: o.Logger,
			onFault: srv.noteStoreFailure}
	}
	srv.dpop = &dpop.Verifier{Now: o.Now, Replays: o.Store.Replays()}
	if s.DPoPNonce {
		srv.nonces = dpop.NewNonces([]byte(randomToken(32)), s.DPoPNonceLifetime, o.Now)
		srv.dpop.Nonces = srv.nonces
	}
	srv.clientKeys = newJWKSCache(s.JWKSFetch, o.Now)
	ctl.srv = srv
	srv.health.kind = o.StoreKind
	reg, err := checkRegistration(&srv.settings.Registration, srv)
	if err != nil {
		return nil, err
	}
	srv.registrar = reg
	return srv, nil
}

// Control returns the server's runtime control (docs/control.md).
func (s *Server) Control() *Control { return s.control }

// Now is the server's clock: the injected one plus the control's skew.
func (s *Server) Now() time.Time { return s.now() }

// Keys returns the server's key set.
func (s *Server) Keys() *KeySet { return s.keys }

// Mount serves h at pattern (a net/http ServeMux pattern) beside the
// endpoints, behind the same host check and request log; call it before
// Handler. The control API is mounted at ControlPathPrefix this way.
func (s *Server) Mount(pattern string, h http.Handler) {
	if s.mounts == nil {
		s.mounts = map[string]http.Handler{}
	}
	s.mounts[pattern] = h
}

// Handler returns the HTTP handler with every endpoint and the middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/token", s.handleToken)
	mux.HandleFunc("/introspect", s.handleIntrospect)
	mux.HandleFunc("/revoke", s.handleRevoke)
	mux.HandleFunc("/jwks.json", s.handleJWKS)
	mux.HandleFunc("/userinfo", s.handleUserinfo)
	mux.HandleFunc("/protected", s.handleProtected)
	mux.HandleFunc("/.well-known/oauth-authorization-server", s.handleDiscovery)
	mux.HandleFunc("/.well-known/openid-configuration", s.handleDiscovery)
	mux.HandleFunc("/healthz", s.handleHealth)
	mux.HandleFunc(PathPAR, s.handlePAR)
	mux.HandleFunc(PathProtectedResourceMetadata, s.handleResourceMetadata)
	mux.HandleFunc(PathProtectedResourceMetadata+ProtectedPath, s.handleResourceMetadata)
	mux.HandleFunc(PathAuthorize, s.handleAuthorize)
	mux.HandleFunc(PathLogin, s.handleLogin)
	mux.HandleFunc(PathConsent, s.handleConsent)
	mux.HandleFunc(PathLogout, s.handleLogout)
	mux.HandleFunc(PathDeviceAuthorization, s.handleDeviceAuthorization)
	mux.HandleFunc(PathVerification, s.handleVerification)
	mux.HandleFunc(PathDevice, s.handleDevicePage)
	for _, old := range []string{"/login", "/consent", "/logout"} {
		mux.HandleFunc(old, movedPage(PathAuthorize+old))
	}
	if s.registrar != nil {
		mux.HandleFunc(PathRegister, s.handleRegister)
		mux.HandleFunc(PathRegister+"/{id}", s.handleRegistration)
	}
	for pattern, h := range s.mounts {
		mux.Handle(pattern, h)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, &Error{Code: "not_found", Status: http.StatusNotFound,
			Description: "no endpoint at " + r.URL.Path + "; see " + s.settings.Issuer + "/.well-known/oauth-authorization-server"})
	})
	return observe(s.checkHost(s.injectFailures(mux)), s.log, s.now, s.onEvent)
}

// Settings returns the settings in force (after defaults).
func (s *Server) Settings() Settings { return s.settings }

// healthWriteEvery is how often /healthz may commit its test write: a
// poller hitting it every 100 ms does not turn into 10 commits a second
// (docs/security.md rule 52).
const healthWriteEvery = 5 * time.Second

// healthState remembers the last successful store ping and whether a
// store failure was seen since.
type healthState struct {
	mu     sync.Mutex
	lastOK time.Time
	failed bool
	kind   string // Options.StoreKind
}

// healthBody is the JSON of /healthz: the status, plus the store's kind
// when the server knows it.
func (s *Server) healthBody(status map[string]string) map[string]string {
	if s.health.kind != "" {
		status["backend"] = s.health.kind
	}
	return status
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	s.health.mu.Lock()
	fresh := !s.health.failed && !s.health.lastOK.IsZero() && now.Sub(s.health.lastOK) < healthWriteEvery
	s.health.mu.Unlock()
	if fresh {
		WriteJSON(w, http.StatusOK, s.healthBody(map[string]string{"status": "ok"}))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.noteStoreFailure()
		s.log.Warn("health check: store unavailable", "err", err)
		WriteJSON(w, http.StatusServiceUnavailable, s.healthBody(map[string]string{"status": "unavailable", "store": "unavailable"}))
		return
	}
	s.health.mu.Lock()
	s.health.lastOK, s.health.failed = now, false
	s.health.mu.Unlock()
	WriteJSON(w, http.StatusOK, s.healthBody(map[string]string{"status": "ok"}))
}

// noteStoreFailure makes the next /healthz ask the store again.
func (s *Server) noteStoreFailure() {
	s.health.mu.Lock()
	s.health.failed = true
	s.health.mu.Unlock()
}

// storeError turns a store failure into the answer: 503
// temporarily_unavailable for an unavailable store (docs/security.md rule 38),
// else 500 server_error. The cause goes to the log only.
func (s *Server) storeError(err error) *Error {
	s.noteStoreFailure()
	if errors.Is(err, store.ErrUnavailable) {
		s.log.Warn("store unavailable", "err", err)
		return NewError(ErrTemporarilyUnavailable, "the token store is unavailable; retry shortly")
	}
	s.log.Error("store error", "err", err)
	return NewError(ErrServerError, "internal error in the token store; see the server log")
}
