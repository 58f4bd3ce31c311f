package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

type clients struct{ s *Store }

func (cs clients) Get(ctx context.Context, id string) (store.Client, error) {
	if err := cs.s.lock(ctx); err != nil {
		return store.Client{}, err
	}
	defer cs.s.mu.Unlock()
	c, ok := cs.s.clients[id]
	if !ok {
		return store.Client{}, fmt.Errorf("client %q: %w", id, store.ErrNotFound)
	}
	return canon.Client(c)
}

func (cs clients) Put(ctx context.Context, c store.Client) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c, err := canon.Client(c)
	if err != nil {
		return err
	}
	if err := cs.s.lock(ctx); err != nil {
		return err
	}
	defer cs.s.mu.Unlock()
	cs.s.clients[c.ID] = c
	return nil
}

func (cs clients) Delete(ctx context.Context, id string) error {
	if err := cs.s.lock(ctx); err != nil {
		return err
	}
	defer cs.s.mu.Unlock()
	if _, ok := cs.s.clients[id]; !ok {
		return fmt.Errorf("client %q: %w", id, store.ErrNotFound)
	}
	delete(cs.s.clients, id)
	cs.s.forgetConsents(func(k consentKey) bool { return k.clientID == id })
	return nil
}

func (cs clients) List(ctx context.Context) ([]store.Client, error) {
	if err := cs.s.lock(ctx); err != nil {
		return nil, err
	}
	defer cs.s.mu.Unlock()
	var out []store.Client
	for _, c := range cs.s.clients {
		c, err := canon.Client(c)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b store.Client) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

type users struct{ s *Store }

func copyUser(u store.User) (store.User, error) {
	claims, err := canon.Claims(u.Claims)
	if err != nil {
		return store.User{}, fmt.Errorf("user %q: %w", u.Username, err)
	}
	u.Claims = claims
	return u, nil
}

func (us users) Get(ctx context.Context, username string) (store.User, error) {
	if err := us.s.lock(ctx); err != nil {
		return store.User{}, err
	}
	defer us.s.mu.Unlock()
	u, ok := us.s.users[username]
	if !ok {
		return store.User{}, fmt.Errorf("user %q: %w", username, store.ErrNotFound)
	}
	return copyUser(u)
}

func (us users) GetBySubject(ctx context.Context, subject string) (store.User, error) {
	if err := us.s.lock(ctx); err != nil {
		return store.User{}, err
	}
	defer us.s.mu.Unlock()
	name, ok := us.s.subjects[subject]
	if !ok {
		return store.User{}, fmt.Errorf("user with subject %q: %w", subject, store.ErrNotFound)
	}
	return copyUser(us.s.users[name])
}

func (us users) Put(ctx context.Context, u store.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	u, err := copyUser(u)
	if err != nil {
		return err
	}
	if err := us.s.lock(ctx); err != nil {
		return err
	}
	defer us.s.mu.Unlock()
	if owner, ok := us.s.subjects[u.Subject]; ok && owner != u.Username {
		return fmt.Errorf("user %q: subject %q belongs to another user: %w", u.Username, u.Subject, store.ErrConflict)
	}
	if old, ok := us.s.users[u.Username]; ok {
		delete(us.s.subjects, old.Subject)
	}
	us.s.users[u.Username] = u
	us.s.subjects[u.Subject] = u.Username
	return nil
}

func (us users) Delete(ctx context.Context, username string) error {
	if err := us.s.lock(ctx); err != nil {
		return err
	}
	defer us.s.mu.Unlock()
	u, ok := us.s.users[username]
	if !ok {
		return fmt.Errorf("user %q: %w", username, store.ErrNotFound)
	}
	delete(us.s.subjects, u.Subject)
	delete(us.s.users, username)
	us.s.forgetConsents(func(k consentKey) bool { return k.subject == u.Subject })
	return nil
}

func (us users) List(ctx context.Context) ([]store.User, error) {
	if err := us.s.lock(ctx); err != nil {
		return nil, err
	}
	defer us.s.mu.Unlock()
	var out []store.User
	for _, u := range us.s.users {
		u, err := copyUser(u)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b store.User) int { return cmp.Compare(a.Username, b.Username) })
	return out, nil
}

type keys struct{ s *Store }

func copyKey(k store.Key) store.Key {
	k.PrivatePEM = canon.Bytes(k.PrivatePEM)
	k.CreatedAt = canon.Time(k.CreatedAt)
	return k
}

func (ks keys) Add(ctx context.Context, k store.Key) error {
	if err := k.Validate(); err != nil {
		return err
	}
	if err := ks.s.lock(ctx); err != nil {
		return err
	}
	defer ks.s.mu.Unlock()
	if _, ok := ks.s.keys[k.KID]; ok {
		return fmt.Errorf("signing key %q: %w", k.KID, store.ErrConflict)
	}
	ks.s.keys[k.KID] = copyKey(k)
	return nil
}

func (ks keys) Get(ctx context.Context, kid string) (store.Key, error) {
	if err := ks.s.lock(ctx); err != nil {
		return store.Key{}, err
	}
	defer ks.s.mu.Unlock()
	k, ok := ks.s.keys[kid]
	if !ok {
		return store.Key{}, fmt.Errorf("signing key %q: %w", kid, store.ErrNotFound)
	}
	return copyKey(k), nil
}

func (ks keys) List(ctx context.Context) ([]store.Key, error) {
	if err := ks.s.lock(ctx); err != nil {
		return nil, err
	}
	defer ks.s.mu.Unlock()
	var out []store.Key
	for _, k := range ks.s.keys {
		out = append(out, copyKey(k))
	}
	slices.SortFunc(out, func(a, b store.Key) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.KID, b.KID))
	})
	return out, nil
}

func (ks keys) SetActive(ctx context.Context, kid string, active bool) error {
	if err := ks.s.lock(ctx); err != nil {
		return err
	}
	defer ks.s.mu.Unlock()
	k, ok := ks.s.keys[kid]
	if !ok {
		return fmt.Errorf("signing key %q: %w", kid, store.ErrNotFound)
	}
	k.Active = active
	ks.s.keys[kid] = k
	return nil
}

func (ks keys) Delete(ctx context.Context, kid string) error {
	if err := ks.s.lock(ctx); err != nil {
		return err
	}
	defer ks.s.mu.Unlock()
	if _, ok := ks.s.keys[kid]; !ok {
		return fmt.Errorf("signing key %q: %w", kid, store.ErrNotFound)
	}
	delete(ks.s.keys, kid)
	return nil
}
