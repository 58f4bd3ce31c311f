package authserver

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// flakyStore wraps a store; the operations named in fail(...) return
// store.ErrUnavailable until heal() — a store that went down and came back,
// without a restart of the server (docs/security.md rules 23, 38). "*" fails
// every wrapped operation.
type flakyStore struct {
	store.Store
	mu      sync.Mutex
	failing map[string]bool
}

func newFlakyStore(s store.Store) *flakyStore {
	return &flakyStore{Store: s, failing: map[string]bool{}}
}

func (f *flakyStore) fail(ops ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, op := range ops {
		f.failing[op] = true
	}
}

func (f *flakyStore) heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.failing)
}

func (f *flakyStore) check(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing[op] || f.failing["*"] {
		return fmt.Errorf("%s: disk I/O error: %w", op, store.ErrUnavailable)
	}
	return nil
}

func (f *flakyStore) Ping(ctx context.Context) error {
	if err := f.check("Ping"); err != nil {
		return err
	}
	return f.Store.Ping(ctx)
}

func (f *flakyStore) Clients() store.ClientStore { return flakyClients{f.Store.Clients(), f} }
func (f *flakyStore) Users() store.UserStore     { return flakyUsers{f.Store.Users(), f} }
func (f *flakyStore) Codes() store.CodeStore     { return flakyCodes{f.Store.Codes(), f} }
func (f *flakyStore) RefreshTokens() store.RefreshTokenStore {
	return flakyRefresh{f.Store.RefreshTokens(), f}
}
func (f *flakyStore) AccessTokens() store.AccessTokenStore {
	return flakyAccess{f.Store.AccessTokens(), f}
}

type flakyClients struct {
	store.ClientStore
	f *flakyStore
}

func (c flakyClients) Get(ctx context.Context, id string) (store.Client, error) {
	if err := c.f.check("Clients.Get"); err != nil {
		return store.Client{}, err
	}
	return c.ClientStore.Get(ctx, id)
}

func (c flakyClients) List(ctx context.Context) ([]store.Client, error) {
	if err := c.f.check("Clients.List"); err != nil {
		return nil, err
	}
	return c.ClientStore.List(ctx)
}

type flakyUsers struct {
	store.UserStore
	f *flakyStore
}

func (u flakyUsers) Get(ctx context.Context, name string) (store.User, error) {
	if err := u.f.check("Users.Get"); err != nil {
		return store.User{}, err
	}
	return u.UserStore.Get(ctx, name)
}

func (u flakyUsers) GetBySubject(ctx context.Context, sub string) (store.User, error) {
	if err := u.f.check("Users.GetBySubject"); err != nil {
		return store.User{}, err
	}
	return u.UserStore.GetBySubject(ctx, sub)
}

type flakyCodes struct {
	store.CodeStore
	f *flakyStore
}

func (c flakyCodes) Redeem(ctx context.Context, hash string, now time.Time) (store.Code, error) {
	if err := c.f.check("Codes.Redeem"); err != nil {
		return store.Code{}, err
	}
	return c.CodeStore.Redeem(ctx, hash, now)
}

// RedeemInto redeems and creates the grant in one step: it fails where
// either of the two would.
func (c flakyCodes) RedeemInto(ctx context.Context, hash string, now time.Time, fam store.Family, first store.RefreshToken) (store.Code, error) {
	for _, op := range []string{"Codes.Redeem", "RefreshTokens.CreateFamily"} {
		if err := c.f.check(op); err != nil {
			return store.Code{}, err
		}
	}
	return c.CodeStore.RedeemInto(ctx, hash, now, fam, first)
}

type flakyRefresh struct {
	store.RefreshTokenStore
	f *flakyStore
}

func (r flakyRefresh) CreateFamily(ctx context.Context, fam store.Family, first store.RefreshToken) error {
	if err := r.f.check("RefreshTokens.CreateFamily"); err != nil {
		return err
	}
	return r.RefreshTokenStore.CreateFamily(ctx, fam, first)
}

func (r flakyRefresh) Rotate(ctx context.Context, rot store.Rotation) (store.Family, error) {
	if err := r.f.check("RefreshTokens.Rotate"); err != nil {
		return store.Family{}, err
	}
	// The access token's record is part of the rotation's transaction: its
	// failure fails the whole rotation, which changes nothing.
	if rot.Access != nil {
		if err := r.f.check("AccessTokens.Record"); err != nil {
			return store.Family{}, err
		}
	}
	return r.RefreshTokenStore.Rotate(ctx, rot)
}

func (r flakyRefresh) Lookup(ctx context.Context, hash string) (store.RefreshToken, store.Family, error) {
	if err := r.f.check("RefreshTokens.Lookup"); err != nil {
		return store.RefreshToken{}, store.Family{}, err
	}
	return r.RefreshTokenStore.Lookup(ctx, hash)
}

func (r flakyRefresh) RevokeFamily(ctx context.Context, id string) error {
	if err := r.f.check("RefreshTokens.RevokeFamily"); err != nil {
		return err
	}
	return r.RefreshTokenStore.RevokeFamily(ctx, id)
}

type flakyAccess struct {
	store.AccessTokenStore
	f *flakyStore
}

func (a flakyAccess) Record(ctx context.Context, t store.AccessToken) error {
	if err := a.f.check("AccessTokens.Record"); err != nil {
		return err
	}
	return a.AccessTokenStore.Record(ctx, t)
}

func (a flakyAccess) Get(ctx context.Context, id string) (store.AccessToken, error) {
	if err := a.f.check("AccessTokens.Get"); err != nil {
		return store.AccessToken{}, err
	}
	return a.AccessTokenStore.Get(ctx, id)
}

func (a flakyAccess) Revoke(ctx context.Context, id string) error {
	if err := a.f.check("AccessTokens.Revoke"); err != nil {
		return err
	}
	return a.AccessTokenStore.Revoke(ctx, id)
}
