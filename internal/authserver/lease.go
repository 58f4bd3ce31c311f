package authserver

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/token"
)

// Self-contained access tokens (docs/serve.md §9, docs/security.md rule 109).
//
// A JWT access token of a grant without a family (client_credentials, the
// JWT bearer grant) is not recorded one by one: everything a check needs is
// in its signed claims. What stays in the store is
//   - a lease: one record per server process and leasePeriod, committed
//     before the first token that names it; every such token's jti is the
//     lease ID followed by 16 random bytes (leaseOf), and a token whose
//     lease the store does not know is refused, so a JWT signed with the
//     server's key but not issued by a server on this store (a wiped store,
//     `oauthkit jwt sign` with the same key) is not active;
//   - a revocation: revoking such a token records it then, revoked.
// So issuing one costs no write, and a crash loses nothing: the lease was
// committed before any of its tokens was answered.

// leasePeriod is how long one lease names new tokens; its record lives
// until the last of them can expire.
const leasePeriod = time.Hour

// leaseRecordPrefix marks a lease's record among the access token records:
// no jti (base64url) or token hash has a colon.
const leaseRecordPrefix = "lease:"

// leaseRecordClient is the ClientID of a lease's record: no client's.
const leaseRecordClient = "oauthkit:lease"

// maxKnownLeases bounds the leases a server remembers as known (its own and
// other replicas'); past it, expired ones go first, then lookups go to the
// store (docs/security.md rule 37).
const maxKnownLeases = 4096

// leases is a server's current lease and the leases it has seen in the store.
type leases struct {
	mu      sync.Mutex
	id      string    // the current lease; "" before the first token
	until   time.Time // new tokens name it until then
	covers  time.Time // its record's expiry: tokens expiring later need a new lease
	knownMu sync.RWMutex
	known   map[string]time.Time // lease ID → its record's expiry
}

// leaseFor returns the lease a new self-contained token issued at now and
// expiring at exp names, committing a new one first when needed.
func (s *Server) leaseFor(ctx context.Context, now, exp time.Time) (string, error) {
	l := &s.leases
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.id != "" && now.Before(l.until) && !exp.After(l.covers) {
		return l.id, nil
	}
	id := randomToken(9)
	covers := now.Add(leasePeriod).Add(exp.Sub(now))
	rec := store.AccessToken{ID: leaseRecordPrefix + id, ClientID: leaseRecordClient, Subject: leaseRecordClient,
		IssuedAt: now, ExpiresAt: covers}
	if err := s.store.AccessTokens().Record(ctx, rec); err != nil {
		return "", err
	}
	l.id, l.until, l.covers = id, now.Add(leasePeriod), covers
	l.remember(id, covers, now)
	return id, nil
}

// remember notes a lease as known until its record expires.
func (l *leases) remember(id string, expires, now time.Time) {
	l.knownMu.Lock()
	defer l.knownMu.Unlock()
	if l.known == nil {
		l.known = map[string]time.Time{}
	}
	if len(l.known) >= maxKnownLeases {
		for k, e := range l.known {
			if !now.Before(e) {
				delete(l.known, k)
			}
		}
		if len(l.known) >= maxKnownLeases {
			return
		}
	}
	l.known[id] = expires
}

// leaseIDLength and selfContainedJTILength: a lease ID is 9 random bytes
// (12 base64url characters); a self-contained token's jti is its lease ID
// followed by 16 random bytes, 25 bytes of base64url in all. A recorded
// token's jti is an orderedID (issue.go): 31 characters.
const (
	leaseIDLength          = 12
	selfContainedJTILength = leaseIDLength + 22
)

// leaseOf returns the lease a self-contained token's jti names; ok is false
// for the jti of a recorded token.
func leaseOf(jti string) (lease string, ok bool) {
	if len(jti) != selfContainedJTILength {
		return "", false
	}
	return jti[:leaseIDLength], true
}

// selfContained reports whether a jti is a self-contained token's.
func selfContained(jti string) bool {
	_, ok := leaseOf(jti)
	return ok
}

// leaseKnown reports whether the lease a self-contained token names was
// committed to the store by a server and has not expired at now.
func (s *Server) leaseKnown(ctx context.Context, lease string, now time.Time) (bool, error) {
	l := &s.leases
	l.knownMu.RLock()
	exp, ok := l.known[lease]
	l.knownMu.RUnlock()
	if ok {
		return now.Before(exp), nil
	}
	rec, err := s.store.AccessTokens().Get(ctx, leaseRecordPrefix+lease)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if rec.ClientID != leaseRecordClient {
		return false, nil
	}
	l.remember(lease, rec.ExpiresAt, now)
	return now.Before(rec.ExpiresAt), nil
}

// accessRecord returns the record of a verified JWT access token: its
// stored record, or for a self-contained token (rule 109) what its claims
// say, Revoked when a revocation was recorded, and ErrNotFound when its
// lease is unknown.
func (s *Server) accessRecord(ctx context.Context, jti string, claims map[string]any, now time.Time) (store.AccessToken, error) {
	lease, self := leaseOf(jti)
	if !self {
		return s.store.AccessTokens().Get(ctx, jti)
	}
	known, err := s.leaseKnown(ctx, lease, now)
	if err != nil {
		return store.AccessToken{}, err
	}
	if !known {
		return store.AccessToken{}, store.ErrNotFound
	}
	rec := s.selfContainedRecord(jti, claims)
	stored, err := s.store.AccessTokens().Get(ctx, jti)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return store.AccessToken{}, err
	default:
		rec.Revoked = stored.Revoked
	}
	return rec, nil
}

// selfContainedRecord is the record a self-contained token would have had:
// what its verified claims say.
// Its Audience is "", the server's: grants with resource indicators are
// recorded (selfContainedGrant), so an aud without the server's audience is
// refused as for a recorded token.
func (s *Server) selfContainedRecord(jti string, claims map[string]any) store.AccessToken {
	rec := store.AccessToken{ID: jti}
	rec.ClientID, _ = claims["client_id"].(string)
	rec.Subject, _ = claims["sub"].(string)
	rec.Scope, _ = claims["scope"].(string)
	if iat, ok, err := token.NumericDate(claims, "iat"); ok && err == nil {
		rec.IssuedAt = iat
	}
	if exp, ok, err := token.NumericDate(claims, "exp"); ok && err == nil {
		rec.ExpiresAt = exp
	}
	return rec
}

// revokeAccessRecord revokes an access token: a self-contained one gets its
// record now, revoked (rule 109), so the revocation is as durable as any.
func (s *Server) revokeAccessRecord(ctx context.Context, rec store.AccessToken) error {
	if selfContained(rec.ID) {
		rec.Revoked = false
		if err := s.store.AccessTokens().Record(ctx, rec); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	err := s.store.AccessTokens().Revoke(ctx, rec.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
