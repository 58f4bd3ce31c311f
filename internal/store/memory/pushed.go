package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

type pushed struct{ s *Store }

// PushedRequests returns the store of pushed authorization requests.
func (s *Store) PushedRequests() store.PushedRequestStore { return pushed{s} }

func (ps pushed) Put(ctx context.Context, p store.PushedRequest) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := ps.s.lock(ctx); err != nil {
		return err
	}
	defer ps.s.mu.Unlock()
	if _, ok := ps.s.pushed[p.Hash]; ok {
		return fmt.Errorf("pushed request: %w", store.ErrConflict)
	}
	p.ExpiresAt = canon.Time(p.ExpiresAt)
	ps.s.pushed[p.Hash] = p
	return nil
}

func (ps pushed) Take(ctx context.Context, hash string, now time.Time) (store.PushedRequest, error) {
	if err := canon.RequireNow(now); err != nil {
		return store.PushedRequest{}, err
	}
	if err := ps.s.lock(ctx); err != nil {
		return store.PushedRequest{}, err
	}
	defer ps.s.mu.Unlock()
	p, ok := ps.s.pushed[hash]
	if !ok {
		return store.PushedRequest{}, fmt.Errorf("pushed request: %w", store.ErrNotFound)
	}
	delete(ps.s.pushed, hash)
	if !now.Before(p.ExpiresAt) {
		return p, fmt.Errorf("pushed request: %w", store.ErrExpired)
	}
	return p, nil
}

func (ps pushed) CountLive(ctx context.Context, clientID string, now time.Time) (int, error) {
	if err := ps.s.lock(ctx); err != nil {
		return 0, err
	}
	defer ps.s.mu.Unlock()
	n := 0
	for _, p := range ps.s.pushed {
		if p.ClientID == clientID && now.Before(p.ExpiresAt) {
			n++
		}
	}
	return n, nil
}
