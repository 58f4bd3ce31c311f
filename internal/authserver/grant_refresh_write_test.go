package authserver

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// rotationCounting counts the rotations that carry their access token's
// record.
type rotationCounting struct {
	store.RefreshTokenStore
	withAccess *atomic.Int64
}

func (r rotationCounting) Rotate(ctx context.Context, rot store.Rotation) (store.Family, error) {
	if rot.Access != nil {
		r.withAccess.Add(1)
	}
	return r.RefreshTokenStore.Rotate(ctx, rot)
}

type rotationCountingStore struct {
	*recordCountingStore
	withAccess atomic.Int64
}

func (c *rotationCountingStore) RefreshTokens() store.RefreshTokenStore {
	return rotationCounting{c.recordCountingStore.RefreshTokens(), &c.withAccess}
}

// A refresh is one write: its access token is recorded in the rotation's
// transaction (store.Rotation.Access), never by a Record of its own, and
// that token is active, bound to its grant.
func TestRefreshRecordsItsTokenInTheRotation(t *testing.T) {
	e := newEnv(t)
	counted := &rotationCountingStore{recordCountingStore: &recordCountingStore{flakyStore: e.store}}
	e2 := e.serverOn(t, counted)
	tok := e2.codeGrant(webID, webAuth)
	rotatedOut := tok.refresh
	records := counted.records.Load()
	var accesses []string
	for range 3 {
		tok = e2.mustTokens(e2.refresh(tok.refresh, webAuth))
		accesses = append(accesses, tok.access)
	}
	if n := counted.records.Load() - records; n != 0 {
		t.Fatalf("3 refreshes made %d Record calls of their own, want 0", n)
	}
	if n := counted.withAccess.Load(); n != 3 {
		t.Fatalf("3 refreshes made %d rotations with their access token, want 3", n)
	}
	for _, at := range accesses {
		e2.wantActive(at)
	}
	// Recorded with its grant: the replay of a rotated-out refresh token
	// revokes the grant, and with it every one of them.
	e2.clock.Advance(5 * time.Second) // past the race leeway: a replay
	wantError(t, e2.refresh(rotatedOut, webAuth), http.StatusBadRequest, ErrInvalidGrant)
	for _, at := range accesses {
		e2.wantInactive(at)
	}
}
