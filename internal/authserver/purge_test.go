package authserver

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// docs/security.md rule 52 (issue 13 item 14): expired codes and tokens
// are purged; live ones keep working.
func TestPurgeExpired(t *testing.T) {
	e := newEnv(t, withSQLite())
	old := e.codeGrant(webID, webAuth)
	e.clock.Advance(30 * 24 * time.Hour)
	live := e.codeGrant(webID, webAuth)
	n, err := e.srv.PurgeExpired(t.Context())
	if err != nil || n == 0 {
		t.Fatalf("PurgeExpired: %d, %v; want some records deleted", n, err)
	}
	e.wantInactive(old.access)
	wantError(t, e.refresh(old.refresh, webAuth), http.StatusBadRequest, ErrInvalidGrant)
	e.wantActive(live.access)
	e.mustTokens(e.refresh(live.refresh, webAuth))
	if n, _ := e.srv.PurgeExpired(t.Context()); n != 0 {
		t.Errorf("a second purge deleted %d", n)
	}
}

// countingStore counts Ping calls.
type countingStore struct {
	store.Store
	pings atomic.Int64
}

func (c *countingStore) Ping(ctx context.Context) error {
	c.pings.Add(1)
	return c.Store.Ping(ctx)
}

// /healthz commits its test write at most every 5 s; a store failure seen
// by a grant makes the next /healthz check again.
func TestHealthzWritesRarely(t *testing.T) {
	e := newEnv(t)
	cs := &countingStore{Store: e.srv.store}
	e.srv.store = cs
	for range 50 {
		if r := e.get("/healthz", nil); r.status != http.StatusOK || !strings.Contains(string(r.body), `"ok"`) {
			t.Fatalf("/healthz: %d %s", r.status, r.body)
		}
	}
	if got := cs.pings.Load(); got != 1 {
		t.Errorf("50 polls within 5 s pinged the store %d times, want 1", got)
	}
	e.clock.Advance(6 * time.Second)
	e.get("/healthz", nil)
	if got := cs.pings.Load(); got != 2 {
		t.Errorf("after 6 s: %d pings, want 2", got)
	}
	e.srv.noteStoreFailure()
	e.get("/healthz", nil)
	if got := cs.pings.Load(); got != 3 {
		t.Errorf("after a store failure: %d pings, want 3", got)
	}
}
