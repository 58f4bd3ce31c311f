package authserver

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/internal/store"
)

// Registration modes (config.RegistrationOpen, config.RegistrationToken).
const (
	RegistrationOpen  = config.RegistrationOpen
	RegistrationToken = config.RegistrationToken
)

// PathRegister is the registration endpoint (RFC 7591 §3); a registered
// client is managed at PathRegister/CLIENT_ID (RFC 7592 §2).
const PathRegister = "/register"

// RegistrationSettings turn on dynamic client registration (RFC 7591) and
// its management (RFC 7592). The zero value is off.
type RegistrationSettings struct {
	// Mode is "" (off), RegistrationOpen or RegistrationToken.
	Mode string
	// InitialAccessToken is what token mode demands as a Bearer token at
	// PathRegister (RFC 7591 §3); the server keeps only its SHA-256 and
	// compares in constant time.
	InitialAccessToken string
	// RatePerMinute bounds the registration requests of one client IP
	// address per minute (default config.DefaultRegistrationRate).
	RatePerMinute int
	// MaxClients bounds the registered clients in the store (default
	// config.DefaultRegistrationMaxClients).
	MaxClients int
}

// registrar is the registration state of a server.
type registrar struct {
	initialDigest [sha256.Size]byte
	limit         *rateWindow
	mu            sync.Mutex // one registration at a time: the count and the insert (MaxClients)
}

// checkRegistration fills the defaults of the settings and prepares the
// registrar; nil when registration is off.
func checkRegistration(r *RegistrationSettings, srv *Server) (*registrar, error) {
	switch r.Mode {
	case "":
		return nil, nil
	case RegistrationOpen:
		if r.InitialAccessToken != "" {
			return nil, errors.New("authserver: an initial access token needs registration mode token")
		}
	case RegistrationToken:
		if r.InitialAccessToken == "" {
			return nil, errors.New("authserver: registration mode token needs an initial access token")
		}
	default:
		return nil, errors.New("authserver: registration mode must be open or token")
	}
	if r.RatePerMinute <= 0 {
		r.RatePerMinute = config.DefaultRegistrationRate
	}
	if r.MaxClients <= 0 {
		r.MaxClients = config.DefaultRegistrationMaxClients
	}
	g := &registrar{limit: newRateWindow(r.RatePerMinute, srv)}
	if r.Mode == RegistrationToken {
		g.initialDigest = sha256.Sum256([]byte(r.InitialAccessToken))
	}
	return g, nil
}

// RegistrationEndpoint is the registration endpoint's URL, "" when
// registration is off (discovery lists it only when on).
func (s *Server) RegistrationEndpoint() string {
	if s.registrar == nil {
		return ""
	}
	return s.settings.Issuer + PathRegister
}

// registrationURI is where a registered client is managed (RFC 7592 §2).
func (s *Server) registrationURI(clientID string) string {
	return s.settings.Issuer + PathRegister + "/" + clientID
}

// handleRegister is the registration endpoint: POST client metadata, get a
// client (RFC 7591 §3). Every request counts against the rate limit of
// its address, the refused ones too (docs/security.md rule 106).
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		WriteError(w, &Error{Code: ErrInvalidRequest, Status: http.StatusMethodNotAllowed, Description: "use POST to register a client (RFC 7591 §3.1)"})
		return
	}
	if wait, ok := s.registrar.limit.allow(clientIP(r)); !ok {
		WriteError(w, &Error{Code: ErrTemporarilyUnavailable, Status: http.StatusTooManyRequests, RetryAfter: wait,
			Description: "too many registration requests from this address; retry in " + strconv.Itoa(wait) + "s (docs/security.md rule 106)"})
		return
	}
	if s.settings.Registration.Mode == RegistrationToken {
		if e := s.checkInitialToken(r); e != nil {
			WriteBearerError(w, e)
			return
		}
	}
	md, e := readClientMetadata(w, r)
	if e != nil {
		WriteError(w, e)
		return
	}
	c, e := s.buildRegisteredClient("dcr-"+randomHex(12), md)
	if e != nil {
		WriteError(w, e)
		return
	}
	secret := ""
	if c.AuthMethod != "none" {
		secret = randomToken(32)
	}
	regToken := randomToken(32)
	c.Ext.RegistrationTokenHash = s.hasher.HashSecret(regToken)
	if secret != "" {
		c.SecretHash = s.hasher.HashSecret(secret)
	}
	c.CreatedAt = s.now()

	s.registrar.mu.Lock()
	e = s.insertRegistered(r, c)
	s.registrar.mu.Unlock()
	if e != nil {
		WriteError(w, e)
		return
	}
	noteClient(r, c.ID)
	s.log.Info("client registered", "client_id", c.ID, "auth_method", c.AuthMethod, "grant_types", c.GrantTypes)
	NoStore(w)
	WriteJSON(w, http.StatusCreated, s.clientInformation(c, secret, regToken))
}

// insertRegistered stores a new registered client unless the store holds
// MaxClients of them already (docs/security.md rule 106).
func (s *Server) insertRegistered(r *http.Request, c store.Client) *Error {
	all, err := s.store.Clients().List(r.Context())
	if err != nil {
		return s.storeError(err)
	}
	n := 0
	for _, x := range all {
		if x.Ext.Registered {
			n++
		}
	}
	if max := s.settings.Registration.MaxClients; n >= max {
		return &Error{Code: ErrAccessDenied, Status: http.StatusForbidden,
			Description: "the server holds its maximum of " + strconv.Itoa(max) + " registered clients; delete one (RFC 7592 §2.3) or raise registration.max_clients (docs/security.md rule 106)"}
	}
	if err := s.store.Clients().Put(r.Context(), c); err != nil {
		return s.storeError(err)
	}
	return nil
}

// checkInitialToken checks the Bearer initial access token of token mode
// (RFC 7591 §3): both sides are hashed to SHA-256 and compared in constant
// time, so neither the length nor a prefix of the token leaks
// (docs/security.md rule 104).
func (s *Server) checkInitialToken(r *http.Request) *Error {
	tok, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized,
			Description: "this server registers clients only with an initial access token: send it as a Bearer token (RFC 7591 §3, RFC 6750 §2.1)"}
	}
	got := sha256.Sum256([]byte(tok))
	if subtle.ConstantTimeCompare(got[:], s.registrar.initialDigest[:]) != 1 {
		return &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized,
			Description: "the initial access token is not valid (RFC 7591 §3, RFC 6750 §3.1)"}
	}
	return nil
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b)
}
