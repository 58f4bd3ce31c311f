// Package memory is a store.Store held in memory: for tests and for
// `oauthkit serve --store memory`. It behaves like store/sqlite (the same
// storetest suite runs against both); one mutex makes every call atomic.
package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Store is an in-memory store.Store. Build it with New.
type Store struct {
	mu     sync.Mutex
	closed bool

	clients      map[string]store.Client
	users        map[string]store.User
	subjects     map[string]string // subject → username
	codes        map[string]store.Code
	families     map[string]store.Family
	familyByCode map[string]string               // code hash → family ID
	unredeemed   map[string]map[string]time.Time // client ID → its codes not redeemed (hash → expiry), for CountLive
	refresh      map[string]store.RefreshToken
	access       map[string]store.AccessToken // Revoked = revoked by itself
	keys         map[string]store.Key
	replays      map[string]time.Time // replay key → expiry
	devices      map[string]store.DeviceCode
	deviceByUser map[string]string // user code hash → device code hash
	pushed       map[string]store.PushedRequest
	sessions     map[string]store.BrowserSession
	pending      map[string]map[string]store.PendingRequest // session hash → request ID → request
	consents     map[consentKey]map[string]bool
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		clients:      map[string]store.Client{},
		users:        map[string]store.User{},
		subjects:     map[string]string{},
		codes:        map[string]store.Code{},
		families:     map[string]store.Family{},
		familyByCode: map[string]string{},
		unredeemed:   map[string]map[string]time.Time{},
		refresh:      map[string]store.RefreshToken{},
		access:       map[string]store.AccessToken{},
		keys:         map[string]store.Key{},
		replays:      map[string]time.Time{},
		devices:      map[string]store.DeviceCode{},
		deviceByUser: map[string]string{},
		pushed:       map[string]store.PushedRequest{},
		sessions:     map[string]store.BrowserSession{},
		pending:      map[string]map[string]store.PendingRequest{},
		consents:     map[consentKey]map[string]bool{},
	}
}

// Clients returns the client store.
func (s *Store) Clients() store.ClientStore { return clients{s} }

// Users returns the user store.
func (s *Store) Users() store.UserStore { return users{s} }

// Codes returns the authorization code store.
func (s *Store) Codes() store.CodeStore { return codes{s} }

// RefreshTokens returns the refresh token store.
func (s *Store) RefreshTokens() store.RefreshTokenStore { return refreshTokens{s} }

// AccessTokens returns the access token store.
func (s *Store) AccessTokens() store.AccessTokenStore { return accessTokens{s} }

// Keys returns the signing key store.
func (s *Store) Keys() store.KeyStore { return keys{s} }

// Ping reports ErrUnavailable once the store is closed.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	s.mu.Unlock()
	return nil
}

// Close drops nothing (the data stays for inspection) but makes every later
// call return ErrUnavailable.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// lock takes the mutex, unless ctx is done or the store closed. On success
// the caller must Unlock.
func (s *Store) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("%w: the store is closed", store.ErrUnavailable)
	}
	return nil
}
