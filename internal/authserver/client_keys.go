package authserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/keys"
)

// JWKSFetchOptions tune how the server fetches a client's jwks_uri
// (docs/security.md rule 76). Zero values take the defaults.
type JWKSFetchOptions struct {
	// HTTP is the client that fetches (nil: one without a global timeout,
	// bounded by Timeout per fetch).
	HTTP *http.Client
	// Timeout bounds one fetch (default 5s).
	Timeout time.Duration
	// MaxSize bounds the JWK Set's size (default 256 KiB).
	MaxSize int64
	// TTL is how long a fetched set is used (default 5m).
	TTL time.Duration
	// RefetchFloor: an assertion with an unknown kid fetches the set again,
	// at most once per RefetchFloor per URI (default 30s), so unknown kids
	// cannot make the server hammer the client's host.
	RefetchFloor time.Duration
}

func (o JWKSFetchOptions) withDefaults() JWKSFetchOptions {
	if o.HTTP == nil {
		o.HTTP = &http.Client{}
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.MaxSize <= 0 {
		o.MaxSize = 256 << 10
	}
	if o.TTL <= 0 {
		o.TTL = 5 * time.Minute
	}
	if o.RefetchFloor <= 0 {
		o.RefetchFloor = 30 * time.Second
	}
	return o
}

// jwksCache holds the fetched key sets of the clients' jwks_uri.
type jwksCache struct {
	opts JWKSFetchOptions
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]*jwksEntry
}

// jwksEntry is one URI's set; its mutex makes concurrent fetches of one
// URI one fetch.
type jwksEntry struct {
	mu        sync.Mutex
	keys      []*keys.Key
	fetched   time.Time // zero: never fetched successfully
	tried     time.Time // the last fetch attempt
	refreshed time.Time // the last fetch for an unknown kid
}

func newJWKSCache(o JWKSFetchOptions, now func() time.Time) *jwksCache {
	return &jwksCache{opts: o.withDefaults(), now: now, entries: map[string]*jwksEntry{}}
}

// get returns the keys of uri: the cached set while it is younger than
// the TTL; with refresh (an unknown kid), a new fetch unless the last
// such fetch is younger than the floor. A failed fetch is not retried
// within the floor either.
func (c *jwksCache) get(ctx context.Context, uri string, refresh bool) ([]*keys.Key, error) {
	c.mu.Lock()
	e := c.entries[uri]
	if e == nil {
		e = &jwksEntry{}
		c.entries[uri] = e
	}
	c.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	now := c.now()
	within := func(t time.Time, d time.Duration) bool { return !t.IsZero() && now.Sub(t) < d }
	fresh := within(e.fetched, c.opts.TTL)
	switch {
	case fresh && !refresh:
		return e.keys, nil
	case fresh && within(e.refreshed, c.opts.RefetchFloor):
		return e.keys, nil // refreshed for an unknown kid moments ago
	case !fresh && e.tried.After(e.fetched) && within(e.tried, c.opts.RefetchFloor):
		return nil, fmt.Errorf("jwks_uri %s: the last fetch failed less than %s ago", uri, c.opts.RefetchFloor)
	}
	e.tried = now
	if refresh {
		e.refreshed = now
	}
	ks, err := c.fetch(ctx, uri)
	if err != nil {
		return nil, err
	}
	e.keys, e.fetched = ks, now
	return ks, nil
}

func (c *jwksCache) fetch(ctx context.Context, uri string) ([]*keys.Key, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks_uri %s: %v", uri, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := c.opts.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwks_uri %s: %v", uri, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks_uri %s answered HTTP %d", uri, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("jwks_uri %s: %v", uri, err)
	}
	if int64(len(data)) > c.opts.MaxSize {
		return nil, fmt.Errorf("jwks_uri %s: the JWK Set is larger than %d bytes", uri, c.opts.MaxSize)
	}
	ks, _, err := keys.ParseVerificationSet(data)
	if err != nil {
		return nil, fmt.Errorf("jwks_uri %s: %v", uri, err)
	}
	var public []*keys.Key
	for _, k := range ks {
		if !k.IsPrivate() { // a published private key is not trusted at all
			public = append(public, k)
		}
	}
	if len(public) == 0 {
		return nil, fmt.Errorf("jwks_uri %s: no public signing key", uri)
	}
	return public, nil
}

// clientVerification is what a client's assertions are verified with:
// its public keys (jwks, or jwks_uri through the cache; refresh fetches
// it again, see jwksCache.get) and, for client_secret_jwt, its secret.
// withSecret is false for JWT bearer grant assertions, which are signed
// with keys only.
func (s *Server) clientVerification(ctx context.Context, c store.Client, refresh, withSecret bool) (clientauth.Verification, error) {
	v := clientauth.Verification{Alg: c.Ext.AssertionAlg, Now: s.now()}
	if withSecret && c.AuthMethod == string(clientauth.MethodSecretJWT) {
		v.Secret = s.settings.AssertionSecrets[c.ID]
		if len(v.Secret) == 0 {
			return v, errors.New("the server has no plain secret for this client_secret_jwt client")
		}
		return v, nil
	}
	if !withSecret && c.AuthMethod == string(clientauth.MethodSecretJWT) {
		v.Alg = "" // the pinned HS alg is for client authentication
	}
	switch {
	case len(c.Ext.JWKS) > 0:
		ks, _, err := keys.ParseVerificationSet(c.Ext.JWKS)
		if err != nil {
			return v, fmt.Errorf("the client's jwks: %v", err)
		}
		v.Keys = ks
	case c.Ext.JWKSURI != "":
		ks, err := s.clientKeys.get(ctx, c.Ext.JWKSURI, refresh)
		if err != nil {
			return v, err
		}
		v.Keys = ks
	default:
		return v, errors.New("the client has no public keys (jwks, jwks_file or jwks_uri)")
	}
	return v, nil
}
