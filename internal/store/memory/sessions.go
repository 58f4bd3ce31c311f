package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

type sessions struct{ s *Store }

// Sessions returns the browser session store.
func (s *Store) Sessions() store.SessionStore { return sessions{s} }

func copySession(b store.BrowserSession) store.BrowserSession {
	b.AuthTime = canon.Time(b.AuthTime)
	b.CreatedAt = canon.Time(b.CreatedAt)
	b.ExpiresAt = canon.Time(b.ExpiresAt)
	return b
}

func copyPending(p store.PendingRequest) store.PendingRequest {
	p.Data = canon.Bytes(p.Data)
	p.CreatedAt = canon.Time(p.CreatedAt)
	p.ExpiresAt = canon.Time(p.ExpiresAt)
	return p
}

// dropSession removes a session and its requests; mu must be held.
func (s *Store) dropSession(hash string) {
	delete(s.sessions, hash)
	delete(s.pending, hash)
}

// liveSession returns the session if it lives at now; mu must be held.
func (s *Store) liveSession(hash string, now time.Time) (store.BrowserSession, bool) {
	b, ok := s.sessions[hash]
	return b, ok && now.Before(b.ExpiresAt)
}

// makeRoom removes sessions of b's kind, earliest expiry first, until fewer
// than limit are left; mu must be held.
func (s *Store) makeRoom(b store.BrowserSession, limit int) {
	if limit <= 0 {
		return
	}
	var same []store.BrowserSession
	for _, o := range s.sessions {
		if o.Anonymous() == b.Anonymous() {
			same = append(same, o)
		}
	}
	if len(same) < limit {
		return
	}
	slices.SortFunc(same, func(x, y store.BrowserSession) int {
		return cmp.Or(x.ExpiresAt.Compare(y.ExpiresAt), cmp.Compare(x.Hash, y.Hash))
	})
	for _, o := range same[:len(same)-limit+1] {
		s.dropSession(o.Hash)
	}
}

func (ss sessions) Create(ctx context.Context, b store.BrowserSession, now time.Time, limit int) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if err := ss.s.lock(ctx); err != nil {
		return err
	}
	defer ss.s.mu.Unlock()
	if _, ok := ss.s.sessions[b.Hash]; ok {
		return fmt.Errorf("browser session: %w", store.ErrConflict)
	}
	ss.s.makeRoom(b, limit)
	ss.s.sessions[b.Hash] = copySession(b)
	return nil
}

func (ss sessions) Get(ctx context.Context, hash string, now time.Time) (store.BrowserSession, error) {
	if err := ss.s.lock(ctx); err != nil {
		return store.BrowserSession{}, err
	}
	defer ss.s.mu.Unlock()
	b, ok := ss.s.liveSession(hash, now)
	if !ok {
		return store.BrowserSession{}, fmt.Errorf("browser session: %w", store.ErrNotFound)
	}
	return b, nil
}

func (ss sessions) Touch(ctx context.Context, hash string, now, expiresAt time.Time) error {
	if err := ss.s.lock(ctx); err != nil {
		return err
	}
	defer ss.s.mu.Unlock()
	b, ok := ss.s.liveSession(hash, now)
	if !ok {
		return fmt.Errorf("browser session: %w", store.ErrNotFound)
	}
	b.ExpiresAt = canon.Time(expiresAt)
	ss.s.sessions[hash] = b
	return nil
}

func (ss sessions) Replace(ctx context.Context, oldHash string, b store.BrowserSession, now time.Time, limit int) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if err := ss.s.lock(ctx); err != nil {
		return err
	}
	defer ss.s.mu.Unlock()
	if _, ok := ss.s.liveSession(oldHash, now); !ok {
		return fmt.Errorf("browser session: %w", store.ErrNotFound)
	}
	if _, ok := ss.s.sessions[b.Hash]; ok {
		return fmt.Errorf("browser session: %w", store.ErrConflict)
	}
	reqs := ss.s.pending[oldHash]
	delete(ss.s.pending, oldHash)
	delete(ss.s.sessions, oldHash)
	ss.s.makeRoom(b, limit)
	ss.s.sessions[b.Hash] = copySession(b)
	if len(reqs) > 0 {
		moved := make(map[string]store.PendingRequest, len(reqs))
		for id, p := range reqs {
			p.SessionHash = b.Hash
			moved[id] = p
		}
		ss.s.pending[b.Hash] = moved
	}
	return nil
}

func (ss sessions) Delete(ctx context.Context, hash string) error {
	if err := ss.s.lock(ctx); err != nil {
		return err
	}
	defer ss.s.mu.Unlock()
	ss.s.dropSession(hash)
	return nil
}

func (ss sessions) PutPending(ctx context.Context, p store.PendingRequest, now time.Time, limit int) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := ss.s.lock(ctx); err != nil {
		return err
	}
	defer ss.s.mu.Unlock()
	if _, ok := ss.s.liveSession(p.SessionHash, now); !ok {
		return fmt.Errorf("browser session: %w", store.ErrNotFound)
	}
	reqs := ss.s.pending[p.SessionHash]
	if reqs == nil {
		reqs = map[string]store.PendingRequest{}
		ss.s.pending[p.SessionHash] = reqs
	}
	reqs[p.ID] = copyPending(p)
	var live []store.PendingRequest
	for id, q := range reqs {
		if !now.Before(q.ExpiresAt) {
			delete(reqs, id)
		} else if id != p.ID {
			live = append(live, q)
		}
	}
	if limit > 0 && len(live)+1 > limit {
		slices.SortFunc(live, func(x, y store.PendingRequest) int {
			return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), cmp.Compare(x.ID, y.ID))
		})
		for _, q := range live[:len(live)+1-limit] {
			delete(reqs, q.ID)
		}
	}
	return nil
}

func (ss sessions) GetPending(ctx context.Context, sessionHash, id string, now time.Time) (store.PendingRequest, error) {
	if err := ss.s.lock(ctx); err != nil {
		return store.PendingRequest{}, err
	}
	defer ss.s.mu.Unlock()
	if _, ok := ss.s.liveSession(sessionHash, now); ok {
		if p, ok := ss.s.pending[sessionHash][id]; ok && now.Before(p.ExpiresAt) {
			return copyPending(p), nil
		}
	}
	return store.PendingRequest{}, fmt.Errorf("waiting request: %w", store.ErrNotFound)
}

func (ss sessions) DeletePending(ctx context.Context, sessionHash, id string) error {
	if err := ss.s.lock(ctx); err != nil {
		return err
	}
	defer ss.s.mu.Unlock()
	if reqs := ss.s.pending[sessionHash]; reqs != nil {
		delete(reqs, id)
		if len(reqs) == 0 {
			delete(ss.s.pending, sessionHash)
		}
	}
	return nil
}

// consentKey names what one user allowed one client.
type consentKey struct{ subject, clientID string }

type consents struct{ s *Store }

// Consents returns the store of remembered consents.
func (s *Store) Consents() store.ConsentStore { return consents{s} }

// forgetConsents drops the consents drop selects; mu must be held.
func (s *Store) forgetConsents(drop func(consentKey) bool) {
	for k := range s.consents {
		if drop(k) {
			delete(s.consents, k)
		}
	}
}

func (cs consents) Grant(ctx context.Context, subject, clientID string, scopes []string, now time.Time) error {
	if subject == "" || clientID == "" {
		return fmt.Errorf("consent: subject and client are required: %w", store.ErrInvalid)
	}
	if err := cs.s.lock(ctx); err != nil {
		return err
	}
	defer cs.s.mu.Unlock()
	k := consentKey{subject, clientID}
	set := cs.s.consents[k]
	if set == nil {
		set = map[string]bool{}
		cs.s.consents[k] = set
	}
	for _, sc := range scopes {
		set[sc] = true
	}
	return nil
}

func (cs consents) Scopes(ctx context.Context, subject, clientID string) ([]string, error) {
	if err := cs.s.lock(ctx); err != nil {
		return nil, err
	}
	defer cs.s.mu.Unlock()
	var out []string
	for sc := range cs.s.consents[consentKey{subject, clientID}] {
		out = append(out, sc)
	}
	slices.Sort(out)
	return out, nil
}
