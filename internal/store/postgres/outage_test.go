package postgres_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/postgres"
	"github.com/oauthkit/oauthkit/internal/testutil/pgtest"
)

// proxy forwards TCP connections to PostgreSQL until Cut, which drops every
// connection and refuses new ones (the server is gone, as far as the store
// can tell); Restore listens again on the same port.
type proxy struct {
	t      *testing.T
	addr   string
	target string

	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
	frozen bool
	thaw   *sync.Cond
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target}
	p.thaw = sync.NewCond(&p.mu)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.Cut)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { p.pump(s, c); s.Close() }()
			go func() { p.pump(c, s); c.Close() }()
		}
	}()
}

// pump copies src to dst, holding each chunk while the proxy is frozen.
func (p *proxy) pump(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.frozen {
				p.thaw.Wait()
			}
			p.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// Freeze stops forwarding: connections stay open, and whatever is sent on
// them goes unanswered (a network that drops packets). Thaw forwards again.
func (p *proxy) Freeze() {
	p.mu.Lock()
	p.frozen = true
	p.mu.Unlock()
}

func (p *proxy) Thaw() {
	p.mu.Lock()
	p.frozen = false
	p.thaw.Broadcast()
	p.mu.Unlock()
}

// Cut closes the listener and every forwarded connection.
func (p *proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = false
	p.thaw.Broadcast()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Restore accepts connections again on the same address.
func (p *proxy) Restore() {
	ln, err := net.Listen("tcp", p.addr)
	must(p.t, err)
	p.serve(ln)
}

// via is dsn with its host:port replaced by addr.
func via(t *testing.T, dsn, addr string) string {
	u, err := url.Parse(dsn)
	must(t, err)
	u.Host = addr
	return u.String()
}

func wantUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("%s: %v, want ErrUnavailable", what, err)
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Fatalf("%s: error spans lines: %q", what, err)
	}
}

// TestRule64_ConnectionLost: the network to PostgreSQL goes away with
// connections in the pool. Reads, writes, a rotation and Ping fail with
// ErrUnavailable (the server answers 503), quickly, nothing half-written;
// when the network is back the same store works again, and the refresh
// token whose rotation failed still rotates.
func TestRule64_ConnectionLost(t *testing.T) {
	_, dsn := pgtest.Database(t)
	u, _ := url.Parse(dsn)
	p := newProxy(t, u.Host)
	db := open(t, via(t, dsn, p.addr))
	ctx := t.Context()
	must(t, db.Clients().Put(ctx, store.Client{ID: "web"}))
	must(t, db.RefreshTokens().CreateFamily(ctx, family("fam"), refresh("sha256:r0", t0)))

	p.Cut()
	start := time.Now()
	_, err := db.Clients().Get(ctx, "web")
	wantUnavailable(t, "Get client", err)
	_, err = db.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:r0", Next: refresh("sha256:r1", t0), Now: t0.Add(time.Second)})
	wantUnavailable(t, "Rotate", err)
	wantUnavailable(t, "Record", db.AccessTokens().Record(ctx, store.AccessToken{ID: "at", ClientID: "web", ExpiresAt: t0.Add(time.Hour)}))
	wantUnavailable(t, "Use", db.Replays().Use(ctx, "dpop:x", t0, t0.Add(time.Minute)))
	wantUnavailable(t, "Ping", db.Ping(ctx))
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("failing took %v", d)
	}

	p.Restore()
	must(t, db.Ping(ctx))
	if _, err := db.Clients().Get(ctx, "web"); err != nil {
		t.Fatalf("Get after the network is back: %v", err)
	}
	if _, err := db.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:r0", Next: refresh("sha256:r1", t0), Now: t0.Add(time.Second)}); err != nil {
		t.Fatalf("Rotate after the network is back: %v", err)
	}
	if _, _, err := db.RefreshTokens().Lookup(ctx, "sha256:r1"); err != nil {
		t.Fatal(err)
	}
}

// TestRule64_AdminShutdown: pg_terminate_backend of every connection of the
// store (what a server restart does to them) is invisible to the next
// calls, which reconnect. While the database refuses connections the store
// is ErrUnavailable; once it accepts them again the store works, without
// being reopened.
func TestRule64_AdminShutdown(t *testing.T) {
	name, dsn := pgtest.Database(t)
	db := open(t, dsn)
	admin := pgtest.Admin(t)
	ctx := t.Context()
	must(t, db.Clients().Put(ctx, store.Client{ID: "web"}))
	terminate := func() {
		t.Helper()
		_, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name)
		must(t, err)
	}

	// Fill the pool with connections used a moment ago (the pool pings
	// only those idle for a second), then kill them all: every kind of
	// call still succeeds, each on a new connection.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { _, _ = db.Clients().Get(ctx, "web"); _ = i })
	}
	wg.Wait()
	calls := []struct {
		name string
		call func() error
	}{
		{"Get (a read)", func() error { _, err := db.Clients().Get(ctx, "web"); return err }},
		{"Record (one statement)", func() error {
			return db.AccessTokens().Record(ctx, store.AccessToken{ID: "at", ClientID: "web", ExpiresAt: t0.Add(time.Hour)})
		}},
		{"Use (one statement)", func() error { return db.Replays().Use(ctx, "dpop:x", t0, t0.Add(time.Minute)) }},
		{"Put (a transaction)", func() error { return db.Clients().Put(ctx, store.Client{ID: "cli"}) }},
	}
	for _, c := range calls {
		for i := range 8 {
			wg.Go(func() { _, _ = db.Clients().Get(ctx, "web"); _ = i })
		}
		wg.Wait()
		terminate()
		if err := c.call(); err != nil {
			t.Fatalf("%s right after the connections were terminated: %v", c.name, err)
		}
	}

	_, err := admin.Exec(ctx, `ALTER DATABASE `+name+` ALLOW_CONNECTIONS false`)
	must(t, err)
	terminate()
	_, err = db.Clients().Get(ctx, "web")
	wantUnavailable(t, "Get while the database refuses connections", err)
	wantUnavailable(t, "Put while the database refuses connections", db.Clients().Put(ctx, store.Client{ID: "other"}))
	wantUnavailable(t, "Ping while the database refuses connections", db.Ping(ctx))

	_, err = admin.Exec(ctx, `ALTER DATABASE `+name+` ALLOW_CONNECTIONS true`)
	must(t, err)
	must(t, db.Ping(ctx))
	cs, err := db.Clients().List(ctx)
	if err != nil || len(cs) != 2 {
		t.Fatalf("List after recovery = %d clients, %v; want web and cli", len(cs), err)
	}
}

// TestRule64_TerminatedMidTransaction: a connection killed while its
// transaction runs (the server restarting under load) fails that call with
// ErrUnavailable and commits nothing of it.
func TestRule64_TerminatedMidTransaction(t *testing.T) {
	name, dsn := pgtest.Database(t)
	db := open(t, dsn)
	admin := pgtest.Admin(t)
	ctx := t.Context()
	must(t, db.Codes().Create(ctx, store.Code{Hash: "sha256:c", ClientID: "web", ExpiresAt: t0.Add(time.Minute)}))

	// Hold the code's row lock from another session, so the Redeem below
	// waits inside its transaction; then kill the Redeem's backend.
	locker := adminConn(t, dsn)
	tx, err := locker.Begin(ctx)
	must(t, err)
	_, err = tx.Exec(ctx, `SELECT 1 FROM auth_codes WHERE hash = 'sha256:c' FOR UPDATE`)
	must(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := db.Codes().RedeemInto(ctx, "sha256:c", t0, family("fam"), refresh("sha256:r0", t0))
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		must(t, admin.QueryRow(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, name).Scan(&n))
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the Redeem never waited for the lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, err = admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, name)
	must(t, err)
	select {
	case err := <-done:
		wantUnavailable(t, "RedeemInto on a terminated connection", err)
	case <-time.After(10 * time.Second):
		t.Fatal("RedeemInto did not return")
	}
	must(t, tx.Rollback(ctx))

	// Nothing of it committed: the code is unused and redeems now.
	c, err := db.Codes().RedeemInto(context.Background(), "sha256:c", t0, family("fam"), refresh("sha256:r0", t0))
	if err != nil || c.FamilyID != "fam" {
		t.Fatalf("RedeemInto after recovery = %+v, %v", c, err)
	}
}

// TestRule64_ServerStopsAnswering: a PostgreSQL that stops answering (the
// network drops packets, nothing is refused) fails each call with
// ErrUnavailable within the store's call timeout instead of holding the
// request; once the network forwards again, the same store works.
func TestRule64_ServerStopsAnswering(t *testing.T) {
	_, dsn := pgtest.Database(t)
	u, _ := url.Parse(dsn)
	p := newProxy(t, u.Host)
	db := open(t, via(t, dsn, p.addr))
	postgres.SetCallTimeout(db, time.Second)
	ctx := t.Context()
	must(t, db.RefreshTokens().CreateFamily(ctx, family("fam"), refresh("sha256:r0", t0)))

	p.Freeze()
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"Lookup", func() error { _, _, err := db.RefreshTokens().Lookup(ctx, "sha256:r0"); return err }},
		{"Rotate", func() error {
			_, err := db.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:r0", Next: refresh("sha256:r1", t0), Now: t0.Add(time.Second)})
			return err
		}},
		{"Record", func() error {
			return db.AccessTokens().Record(ctx, store.AccessToken{ID: "at", ClientID: "web", ExpiresAt: t0.Add(time.Hour)})
		}},
	} {
		start := time.Now()
		err := c.call()
		wantUnavailable(t, c.name+" with the network frozen", err)
		if d := time.Since(start); d > 8*time.Second {
			t.Errorf("%s took %v with a 1 s call timeout", c.name, d)
		}
	}
	p.Thaw()
	if _, err := db.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:r0", Next: refresh("sha256:r1", t0), Now: t0.Add(time.Second)}); err != nil {
		t.Fatalf("Rotate once the network forwards again: %v", err)
	}
}
