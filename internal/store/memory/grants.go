package memory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

type codes struct{ s *Store }

func (cs codes) Create(ctx context.Context, c store.Code) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := cs.s.lock(ctx); err != nil {
		return err
	}
	defer cs.s.mu.Unlock()
	if _, ok := cs.s.codes[c.Hash]; ok {
		return fmt.Errorf("create code: %w", store.ErrConflict)
	}
	c.AuthTime = canon.Time(c.AuthTime)
	c.ExpiresAt = canon.Time(c.ExpiresAt)
	c.UsedAt, c.FamilyID = time.Time{}, ""
	cs.s.codes[c.Hash] = c
	live := cs.s.unredeemed[c.ClientID]
	if live == nil {
		live = map[string]time.Time{}
		cs.s.unredeemed[c.ClientID] = live
	}
	live[c.Hash] = c.ExpiresAt
	return nil
}

// forgetUnredeemed takes the code out of its client's unredeemed codes;
// mu must be held.
func (s *Store) forgetUnredeemed(c store.Code) {
	live := s.unredeemed[c.ClientID]
	delete(live, c.Hash)
	if len(live) == 0 {
		delete(s.unredeemed, c.ClientID)
	}
}

func (cs codes) Redeem(ctx context.Context, hash string, now time.Time) (store.Code, error) {
	return cs.redeem(ctx, hash, now, "", store.RefreshToken{})
}

func (cs codes) RedeemInto(ctx context.Context, hash string, now time.Time, fam store.Family, first store.RefreshToken) (store.Code, error) {
	if err := canon.CheckRedemption(fam, first); err != nil {
		return store.Code{}, err
	}
	return cs.redeem(ctx, hash, now, fam.ID, first)
}

// redeem marks the code used and, with a familyID, creates its family
// under the same lock.
func (cs codes) redeem(ctx context.Context, hash string, now time.Time, familyID string, first store.RefreshToken) (store.Code, error) {
	if err := canon.RequireNow(now); err != nil {
		return store.Code{}, err
	}
	if err := cs.s.lock(ctx); err != nil {
		return store.Code{}, err
	}
	defer cs.s.mu.Unlock()
	s := cs.s
	c, ok := s.codes[hash]
	if !ok {
		return store.Code{}, fmt.Errorf("redeem code: %w", store.ErrNotFound)
	}
	c.FamilyID = s.familyByCode[hash]
	if err := canon.CodeFailure(c, now); err != nil {
		return c, err
	}
	if familyID != "" {
		if _, ok := s.families[familyID]; ok {
			return store.Code{}, fmt.Errorf("redeem code: grant %q: %w", familyID, store.ErrConflict)
		}
		if _, ok := s.refresh[first.Hash]; ok && first.Hash != "" {
			return store.Code{}, fmt.Errorf("redeem code: refresh token %w", store.ErrConflict)
		}
		s.families[familyID] = canon.FamilyFromCode(familyID, c, now)
		s.familyByCode[hash] = familyID
		if first.Hash != "" {
			s.refresh[first.Hash] = newToken(first, familyID, 0)
		}
		c.FamilyID = familyID
	}
	c.UsedAt = canon.Time(now)
	s.codes[hash] = c
	s.forgetUnredeemed(c)
	return c, nil
}

func (cs codes) CountLive(ctx context.Context, clientID string, now time.Time) (int, error) {
	if err := cs.s.lock(ctx); err != nil {
		return 0, err
	}
	defer cs.s.mu.Unlock()
	// The client's unredeemed codes only: a count that does not grow with
	// the codes of other clients or the redeemed ones kept for reuse
	// detection.
	n := 0
	for _, exp := range cs.s.unredeemed[clientID] {
		if now.Before(exp) {
			n++
		}
	}
	return n, nil
}

type refreshTokens struct{ s *Store }

func (rs refreshTokens) CreateFamily(ctx context.Context, f store.Family, first store.RefreshToken) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if first.Hash != "" {
		if err := first.Validate(); err != nil {
			return err
		}
	}
	if err := rs.s.lock(ctx); err != nil {
		return err
	}
	defer rs.s.mu.Unlock()
	s := rs.s
	if _, ok := s.families[f.ID]; ok {
		return fmt.Errorf("create grant %q: %w", f.ID, store.ErrConflict)
	}
	if _, ok := s.refresh[first.Hash]; ok && first.Hash != "" {
		return fmt.Errorf("create grant %q: refresh token %w", f.ID, store.ErrConflict)
	}
	if f.CodeHash != "" {
		if _, ok := s.codes[f.CodeHash]; !ok {
			return fmt.Errorf("create grant %q: its code: %w", f.ID, store.ErrNotFound)
		}
		if _, ok := s.familyByCode[f.CodeHash]; ok {
			return fmt.Errorf("create grant %q: a grant for its code %w", f.ID, store.ErrConflict)
		}
		s.familyByCode[f.CodeHash] = f.ID
	}
	f.AuthTime, f.CreatedAt, f.Revoked = canon.Time(f.AuthTime), canon.Time(f.CreatedAt), false
	s.families[f.ID] = f
	if first.Hash != "" {
		s.refresh[first.Hash] = newToken(first, f.ID, 0)
	}
	return nil
}

func newToken(t store.RefreshToken, familyID string, count int) store.RefreshToken {
	return store.RefreshToken{
		Hash:         t.Hash,
		IssuedAt:     canon.Time(t.IssuedAt),
		ExpiresAt:    canon.Time(t.ExpiresAt),
		FamilyID:     familyID,
		RefreshCount: count,
		Status:       store.StatusActive,
	}
}

func (rs refreshTokens) Rotate(ctx context.Context, r store.Rotation) (store.Family, error) {
	if err := r.Validate(); err != nil {
		return store.Family{}, err
	}
	if err := canon.RequireNow(r.Now); err != nil {
		return store.Family{}, err
	}
	if err := rs.s.lock(ctx); err != nil {
		return store.Family{}, err
	}
	defer rs.s.mu.Unlock()
	s := rs.s
	old, ok := s.refresh[r.OldHash]
	if !ok {
		return store.Family{}, fmt.Errorf("rotate refresh token: %w", store.ErrNotFound)
	}
	f := s.families[old.FamilyID]
	if err := canon.RefreshFailure(old, f, r.Now, r.Leeway); err != nil {
		if errors.Is(err, store.ErrReused) {
			s.revokeFamily(f.ID)
			f = s.families[f.ID]
		}
		return f, err
	}
	if _, ok := s.refresh[r.Next.Hash]; ok {
		return f, fmt.Errorf("rotate refresh token: next token %w", store.ErrConflict)
	}
	if err := r.CheckFamily(f.ID); err != nil {
		return f, err
	}
	if r.Access != nil {
		if _, ok := s.access[r.Access.ID]; ok {
			return f, fmt.Errorf("rotate refresh token: access token %w", store.ErrConflict)
		}
	}
	old.Status, old.RotatedAt = store.StatusRotated, canon.Time(r.Now)
	s.refresh[old.Hash] = old
	s.refresh[r.Next.Hash] = newToken(r.Next, f.ID, old.RefreshCount+1)
	if r.Access != nil {
		s.putAccess(*r.Access)
	}
	return f, nil
}

func (rs refreshTokens) Lookup(ctx context.Context, hash string) (store.RefreshToken, store.Family, error) {
	if err := rs.s.lock(ctx); err != nil {
		return store.RefreshToken{}, store.Family{}, err
	}
	defer rs.s.mu.Unlock()
	t, ok := rs.s.refresh[hash]
	if !ok {
		return store.RefreshToken{}, store.Family{}, fmt.Errorf("refresh token: %w", store.ErrNotFound)
	}
	return t, rs.s.families[t.FamilyID], nil
}

func (rs refreshTokens) RevokeFamily(ctx context.Context, id string) error {
	if err := rs.s.lock(ctx); err != nil {
		return err
	}
	defer rs.s.mu.Unlock()
	if _, ok := rs.s.families[id]; !ok {
		return fmt.Errorf("revoke grant %q: %w", id, store.ErrNotFound)
	}
	rs.s.revokeFamily(id)
	return nil
}

// revokeFamily marks family id revoked and its active tokens revoked; the
// caller holds the lock and knows the family exists.
func (s *Store) revokeFamily(id string) {
	f := s.families[id]
	f.Revoked = true
	s.families[id] = f
	for h, t := range s.refresh {
		if t.FamilyID == id && t.Status == store.StatusActive {
			t.Status = store.StatusRevoked
			s.refresh[h] = t
		}
	}
}

type accessTokens struct{ s *Store }

func (as accessTokens) Record(ctx context.Context, a store.AccessToken) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := as.s.lock(ctx); err != nil {
		return err
	}
	defer as.s.mu.Unlock()
	if _, ok := as.s.access[a.ID]; ok {
		return fmt.Errorf("record access token: %w", store.ErrConflict)
	}
	if _, ok := as.s.families[a.FamilyID]; a.FamilyID != "" && !ok {
		return fmt.Errorf("record access token: grant %q: %w", a.FamilyID, store.ErrNotFound)
	}
	as.s.putAccess(a)
	return nil
}

// putAccess stores a new access token's record; the caller holds the lock.
func (s *Store) putAccess(a store.AccessToken) {
	a.IssuedAt, a.ExpiresAt, a.Revoked = canon.Time(a.IssuedAt), canon.Time(a.ExpiresAt), false
	s.access[a.ID] = a
}

func (as accessTokens) Get(ctx context.Context, id string) (store.AccessToken, error) {
	if err := as.s.lock(ctx); err != nil {
		return store.AccessToken{}, err
	}
	defer as.s.mu.Unlock()
	a, ok := as.s.access[id]
	if !ok {
		return store.AccessToken{}, fmt.Errorf("access token: %w", store.ErrNotFound)
	}
	if a.FamilyID != "" && as.s.families[a.FamilyID].Revoked {
		a.Revoked = true
	}
	return a, nil
}

func (as accessTokens) Revoke(ctx context.Context, id string) error {
	if err := as.s.lock(ctx); err != nil {
		return err
	}
	defer as.s.mu.Unlock()
	a, ok := as.s.access[id]
	if !ok {
		return fmt.Errorf("revoke access token: %w", store.ErrNotFound)
	}
	a.Revoked = true
	as.s.access[id] = a
	return nil
}
