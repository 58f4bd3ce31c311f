package authserver

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
	"github.com/oauthkit/oauthkit/internal/token"
)

// recordCountingAccess counts the access token records written.
type recordCountingAccess struct {
	store.AccessTokenStore
	records *atomic.Int64
}

func (c recordCountingAccess) Record(ctx context.Context, a store.AccessToken) error {
	c.records.Add(1)
	return c.AccessTokenStore.Record(ctx, a)
}

type recordCountingStore struct {
	*flakyStore
	records atomic.Int64
}

func (c *recordCountingStore) AccessTokens() store.AccessTokenStore {
	return recordCountingAccess{c.flakyStore.AccessTokens(), &c.records}
}

// serverOn starts another server on the env's store and key, as a second
// replica or a restarted process would be.
func (e *env) serverOn(t *testing.T, st store.Store) *env {
	t.Helper()
	ks, err := NewKeySet(e.key)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(e.srv.Settings(), Options{Store: st, Hasher: e.hasher, Keys: ks, Now: e.clock.Now,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, srv: srv, ts: ts, store: e.store, hasher: e.hasher, key: e.key, clock: e.clock, dbPath: e.dbPath}
}

func ccToken(e *env) string {
	e.t.Helper()
	return e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials), webAuth)).access
}

// Rule 109: client_credentials JWTs are not recorded one by one. 200 tokens
// cost one write (the lease); each is active, and carries a jti of 25
// random-looking bytes whose first 12 characters name the lease.
func TestRule109_SelfContainedTokensWriteOnlyTheLease(t *testing.T) {
	e := newEnv(t)
	counted := &recordCountingStore{flakyStore: e.store}
	e2 := e.serverOn(t, counted)

	var lease string
	for i := range 200 {
		tok := ccToken(e2)
		_, claims := jwtParts(t, tok)
		jti, _ := claims["jti"].(string)
		if len(jti) != selfContainedJTILength {
			t.Fatalf("jti %q: length %d, want %d", jti, len(jti), selfContainedJTILength)
		}
		if i == 0 {
			lease = jti[:leaseIDLength]
		} else if jti[:leaseIDLength] != lease {
			t.Fatalf("token %d names lease %q, want %q", i, jti[:leaseIDLength], lease)
		}
		if i%50 == 0 {
			e2.wantActive(tok)
			e2.wantProtectedOK(tok)
		}
	}
	if n := counted.records.Load(); n != 1 {
		t.Fatalf("%d access token records written for 200 tokens, want 1 (the lease)", n)
	}
	// The grants with a family still record their tokens.
	e2.codeGrant(webID, webAuth)
	if n := counted.records.Load(); n != 2 {
		t.Fatalf("%d records after a code grant, want 2", n)
	}
}

// Rule 109: a JWT signed with the server's key but naming a lease no server
// committed to this store is refused, like a recorded token's unknown jti.
func TestRule109_UnknownLeaseRefused(t *testing.T) {
	e := newEnv(t)
	good := ccToken(e)
	header, claims := jwtParts(t, good)
	for name, jti := range map[string]string{
		"another lease":     "AAAAAAAAAAAA" + claims["jti"].(string)[leaseIDLength:],
		"a recorded jti":    randomToken(16),
		"a lease record ID": leaseRecordPrefix + claims["jti"].(string)[:leaseIDLength],
	} {
		t.Run(name, func(t *testing.T) {
			c := map[string]any{}
			for k, v := range claims {
				c[k] = v
			}
			c["jti"] = jti
			forged, err := token.Sign(c, e.key, token.SignOptions{Typ: "at+jwt", KID: header["kid"].(string)})
			if err != nil {
				t.Fatal(err)
			}
			e.with(t).wantInactive(forged)
			e.with(t).wantProtectedRefused(forged)
		})
	}
	e.wantActive(good)
}

// Rule 109: a revocation of a self-contained token is recorded and holds
// on another server on the same store (a replica, or this one restarted),
// which also honours the live tokens of the first server's lease.
func TestRule109_RevocationRecordedAndShared(t *testing.T) {
	e := newEnv(t, withSQLite())
	revoked, live := ccToken(e), ccToken(e)
	e.wantActive(revoked)
	if r := e.revoke(revoked, webAuth); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	e.wantInactive(revoked)
	e.wantProtectedRefused(revoked)
	if r := e.revoke(revoked, webAuth); r.status != http.StatusOK { // twice is fine (RFC 7009 §2.2)
		t.Fatalf("revoke again: %d %s", r.status, r.body)
	}

	db, err := sqlite.Open(context.Background(), e.dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	other := e.serverOn(t, newFlakyStore(db))
	other.wantInactive(revoked)
	other.wantProtectedOK(live)
	if m := other.wantActive(live); m["client_id"] != webID || m["sub"] != webID || m["scope"] != "read write" {
		t.Fatalf("introspection on the other server: %v", m)
	}
	// Another client may not revoke it.
	if r := other.revoke(live, svcAuth); r.status != http.StatusBadRequest {
		t.Fatalf("revoke by another client: %d %s", r.status, r.body)
	}
	other.wantActive(live)
}

// Rule 109: a lease names new tokens for leasePeriod; then a new lease is
// committed, and the old lease's tokens stay active until they expire.
func TestRule109_LeaseRollsOver(t *testing.T) {
	e := newEnv(t)
	first := ccToken(e)
	e.clock.Advance(leasePeriod + time.Second)
	second := ccToken(e)
	_, c1 := jwtParts(t, first)
	_, c2 := jwtParts(t, second)
	if l1, l2 := c1["jti"].(string)[:leaseIDLength], c2["jti"].(string)[:leaseIDLength]; l1 == l2 {
		t.Fatalf("the lease %q named tokens after its period", l1)
	}
	e.wantInactive(first) // expired: 30 min TTL
	e.wantActive(second)
	rec, err := e.store.AccessTokens().Get(e.ctx(), leaseRecordPrefix+c2["jti"].(string)[:leaseIDLength])
	if err != nil {
		t.Fatal(err)
	}
	if want := e.clock.Now().Add(leasePeriod + 30*time.Minute); !rec.ExpiresAt.Equal(want.Truncate(time.Microsecond)) {
		t.Fatalf("lease record expires %v, want %v (its period plus the token TTL)", rec.ExpiresAt, want)
	}
}

// Rule 38 with rule 109: when the lease cannot be committed the token is
// not issued (503), and nothing half-issued stays behind.
func TestRule109_LeaseNotCommitted(t *testing.T) {
	e := newEnv(t)
	e.store.fail("AccessTokens.Record")
	wantError(t, e.post("/token", form("grant_type", GrantClientCredentials), webAuth),
		http.StatusServiceUnavailable, ErrTemporarilyUnavailable)
	e.store.heal()
	if e.srv.leases.id != "" {
		t.Fatalf("a lease %q was kept though its record failed", e.srv.leases.id)
	}
	e.wantActive(ccToken(e))
}

// Rule 38 with rule 109: once the lease is committed, a store that can be
// read but not written (a full disk) still lets client_credentials tokens
// through — they need no commit — while a grant that needs one is 503.
func TestRule109_IssuedWhileWritesFail(t *testing.T) {
	e := newEnv(t)
	ccToken(e)
	e.store.fail("AccessTokens.Record", "RefreshTokens.CreateFamily", "AccessTokens.Revoke")
	tok := ccToken(e)
	e.wantActive(tok)
	code, verifier := e.newCode(codeSpec{})
	wantError(t, e.redeem(code, verifier, webAuth), http.StatusServiceUnavailable, ErrTemporarilyUnavailable)
	wantError(t, e.revoke(tok, webAuth), http.StatusServiceUnavailable, ErrTemporarilyUnavailable)
	e.store.heal()
	e.wantActive(tok)
}

// ctl revoke with a self-contained token: its check reads the issue time
// from iat (whole seconds), so a token issued within the second after a
// revocation is still noted as issued after it, and active.
func TestRule109_ControlRevokeWithinTheSecond(t *testing.T) {
	e := newEnv(t)
	before := ccToken(e)
	e.clock.Advance(100 * time.Millisecond)
	if _, err := e.srv.Control().Revoke(t.Context(), Revocation{ClientID: webID}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(300 * time.Millisecond)
	after := ccToken(e)
	e.wantInactive(before)
	e.wantActive(after)
}

// The memory of known leases is bounded (docs/security.md rule 37).
func TestKnownLeasesBounded(t *testing.T) {
	var l leases
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxKnownLeases + 10 {
		l.remember(randomToken(9), now.Add(time.Duration(i)*time.Second), now)
	}
	if len(l.known) != maxKnownLeases {
		t.Fatalf("%d known leases, want the bound %d", len(l.known), maxKnownLeases)
	}
	l.remember("fresh", now.Add(3*time.Hour), now.Add(2*time.Hour)) // all expired by then: swept
	if _, ok := l.known["fresh"]; !ok || len(l.known) != 1 {
		t.Fatalf("after the sweep: %d known, fresh kept %v", len(l.known), ok)
	}
}
