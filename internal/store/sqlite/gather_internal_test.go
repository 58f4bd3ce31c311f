package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestGathererPolicy(t *testing.T) {
	var g gatherer
	for range 1000 {
		g.arrived(false)
	}
	if g.on() {
		t.Fatalf("writes that never overlap turned gathering on (overlap %.3f)", g.overlap)
	}
	now := time.Unix(1000, 0)
	if w := g.wait(1, now, now); w != 0 {
		t.Fatalf("wait with gathering off = %s, want 0", w)
	}
	n := 0
	for !g.on() {
		g.arrived(true)
		if n++; n > 10 {
			t.Fatalf("%d overlapping writes did not turn gathering on (overlap %.3f)", n, g.overlap)
		}
	}
	for _, tt := range []struct {
		queued int
		since  time.Duration
		want   time.Duration
	}{
		{0, 0, 0},
		{1, 0, gatherWindow},
		{1, time.Millisecond, gatherWindow - time.Millisecond},
		{gatherTarget - 1, time.Millisecond, gatherWindow - time.Millisecond},
		{gatherTarget, 0, 0},
		{1, gatherWindow, 0},
		{1, 2 * gatherWindow, 0},
	} {
		if got := g.wait(tt.queued, now, now.Add(tt.since)); got != tt.want {
			t.Errorf("wait(%d queued, first %s ago) = %s, want %s", tt.queued, tt.since, got, tt.want)
		}
	}
	g.waited(4)
	if !g.on() {
		t.Fatal("a batch that waited and got company turned gathering off")
	}
	for range 2 {
		g.waited(1)
	}
	if g.on() {
		t.Fatalf("two batches that waited alone left gathering on (overlap %.3f)", g.overlap)
	}
}

// insertClient is one small write of the tests below; it reports its
// transaction.
func insertClient(ctx context.Context, d *DB, id string, seen func(*sql.Tx)) error {
	return d.write(ctx, "insert "+id, func(ctx context.Context, tx *wtx) error {
		seen(tx.Tx)
		_, err := tx.ExecContext(ctx, `INSERT INTO clients (id, secret_hash, name, redirect_uris, grant_types, scopes,
			auth_method, auto_approve, skip_consent, token_response, claims, created_at)
			VALUES (?, '', '', '[]', '[]', '[]', '', 0, 0, '', '{}', 0)`, id)
		return err
	})
}

// A caller writing in a loop never waits for company: each write commits
// at once, in its own transaction, and no batch was held.
func TestLoneWriterIsNeverHeld(t *testing.T) {
	d := openInternal(t)
	ctx := t.Context()
	txs := map[*sql.Tx]bool{}
	const n = 200
	for i := range n {
		if err := insertClient(ctx, d, fmt.Sprintf("c%03d", i), func(tx *sql.Tx) { txs[tx] = true }); err != nil {
			t.Fatal(err)
		}
	}
	d.c.mu.Lock()
	helds, on := d.c.helds, d.c.g.on()
	d.c.mu.Unlock()
	if helds != 0 || on {
		t.Fatalf("a lone writer: %d batches held for company, gathering on = %v; want 0, false", helds, on)
	}
	if len(txs) != n {
		t.Fatalf("%d writes of a lone writer in %d transactions, want one each", n, len(txs))
	}
}

// Writers that overlap (16, each pausing between writes as the server
// does while it signs) turn gathering on: batches are held for company,
// they share transactions, and every write still commits.
func TestOverlappingWritersShareTransactions(t *testing.T) {
	d := openInternal(t)
	ctx := t.Context()
	const writers, each = 16, 25
	var mu sync.Mutex
	txs := map[*sql.Tx]int{}
	seen := func(tx *sql.Tx) { mu.Lock(); txs[tx]++; mu.Unlock() }
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				time.Sleep(time.Millisecond) // the work outside the store
				if err := insertClient(ctx, d, fmt.Sprintf("w%02d-%02d", w, i), seen); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var count int
	if err := d.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM clients`).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count != writers*each {
		t.Fatalf("%d clients stored, want %d", count, writers*each)
	}
	d.c.mu.Lock()
	helds := d.c.helds
	d.c.mu.Unlock()
	perTx := float64(writers*each) / float64(len(txs))
	t.Logf("%d writes in %d transactions (%.1f each), %d batches held for company", writers*each, len(txs), perTx, helds)
	if helds == 0 || perTx < 2 {
		t.Fatalf("%d overlapping writes ran in %d transactions (%.1f each, %d held): want gathering, 2 or more each",
			writers*each, len(txs), perTx, helds)
	}
}
