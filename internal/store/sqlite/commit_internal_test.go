package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// holdCommitter queues a write that blocks the committer until the returned
// release is called, and returns once the committer is inside it. Writes
// queued meanwhile make up the next batch.
func holdCommitter(t *testing.T, d *DB) (release func() error) {
	t.Helper()
	inside, gate := make(chan struct{}), make(chan struct{})
	result := make(chan error, 1)
	go func() {
		result <- d.write(context.Background(), "hold", func(ctx context.Context, tx *wtx) error {
			close(inside)
			<-gate
			_, err := tx.ExecContext(ctx, `INSERT INTO clients (id, secret_hash, name, redirect_uris, grant_types, scopes,
				auth_method, auto_approve, skip_consent, token_response, claims, created_at)
				VALUES ('held', '', '', '[]', '[]', '[]', '', 0, 0, '', '{}', 0)`)
			return err
		})
	}()
	<-inside
	return func() error { close(gate); return <-result }
}

func openInternal(t *testing.T) *DB {
	t.Helper()
	d, err := Open(t.Context(), filepath.Join(t.TempDir(), "oauthkit.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// queued starts n writes while the committer is held and waits until all
// are blocked handing their request over (or close to it).
func queued(n int, write func(i int) error) (errs []error, wait func()) {
	errs = make([]error, n)
	var started, wg sync.WaitGroup
	for i := range n {
		started.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			errs[i] = write(i)
		}()
	}
	started.Wait()
	// The goroutines are past started.Done and about to block on the
	// queue; give them a moment to get there, so that most of them land
	// in the same batch. Correctness does not depend on it.
	time.Sleep(100 * time.Millisecond)
	return errs, wg.Wait
}

// Writes that queued while a transaction was committing share the next
// transaction (one fsync), each in its own savepoint: a write that fails is
// undone alone, the others commit, and every caller gets its own result.
func TestGroupCommitOneTransactionPerBatch(t *testing.T) {
	d := openInternal(t)
	ctx := t.Context()
	release := holdCommitter(t, d)

	const n = 24
	var mu sync.Mutex
	txs := map[*sql.Tx]int{}
	refused := errors.New("refused by the write itself")
	errs, wait := queued(n, func(i int) error {
		return d.write(ctx, fmt.Sprintf("write %d", i), func(ctx context.Context, tx *wtx) error {
			mu.Lock()
			txs[tx.Tx]++
			mu.Unlock()
			_, err := tx.ExecContext(ctx, `INSERT INTO clients (id, secret_hash, name, redirect_uris, grant_types, scopes,
				auth_method, auto_approve, skip_consent, token_response, claims, created_at)
				VALUES (?, '', '', '[]', '[]', '[]', '', 0, 0, '', '{}', 0)`, fmt.Sprintf("c%02d", i))
			if err == nil && i%3 == 0 {
				return refused // after its insert: the savepoint must undo it
			}
			return err
		})
	})
	if err := release(); err != nil {
		t.Fatalf("the held write: %v", err)
	}
	wait()

	for i, err := range errs {
		_, getErr := d.Clients().Get(ctx, fmt.Sprintf("c%02d", i))
		if i%3 == 0 {
			if !errors.Is(err, refused) {
				t.Errorf("write %d: %v, want its own error", i, err)
			}
			if !errors.Is(getErr, store.ErrNotFound) {
				t.Errorf("write %d failed but its insert is there: %v", i, getErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
		if getErr != nil {
			t.Errorf("write %d succeeded but is not readable: %v", i, getErr)
		}
	}
	largest := 0
	for _, k := range txs {
		largest = max(largest, k)
	}
	if largest < 2 {
		t.Errorf("%d writes queued behind one transaction ran in %d transactions: none was shared", n, len(txs))
	}
	t.Logf("%d writes in %d transactions (largest %d)", n, len(txs), largest)
}

// Two Rotates of one token in one batch: the second sees the first's
// uncommitted rotation, so exactly one wins, as in separate transactions.
func TestGroupCommitRaceInOneBatch(t *testing.T) {
	d := openInternal(t)
	ctx := t.Context()
	fam := store.Family{ID: "fam", ClientID: "web", Subject: "sub", AuthTime: time.Unix(1, 0), CreatedAt: time.Unix(1, 0)}
	first := store.RefreshToken{Hash: "sha256:r0", IssuedAt: time.Unix(1, 0), ExpiresAt: time.Unix(1, 0).Add(time.Hour)}
	if err := d.RefreshTokens().CreateFamily(ctx, fam, first); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(60, 0)
	release := holdCommitter(t, d)
	errs, wait := queued(8, func(i int) error {
		_, err := d.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:r0", Now: now,
			Next: store.RefreshToken{Hash: fmt.Sprintf("sha256:n%d", i), IssuedAt: now, ExpiresAt: now.Add(time.Hour)}})
		return err
	})
	if err := release(); err != nil {
		t.Fatal(err)
	}
	wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrConcurrentUse):
			t.Errorf("rotation %d: %v, want ErrConcurrentUse for a loser", i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d rotations of one token won, want 1", wins)
	}
}

// A caller that gives up while its write waits is answered with its
// context's error and its write never runs; Close commits the writes
// already queued, and no caller is left waiting.
func TestGroupCommitCancelAndClose(t *testing.T) {
	d := openInternal(t)
	release := holdCommitter(t, d)

	cctx, cancel := context.WithCancel(t.Context())
	cancelled := make(chan error, 1)
	go func() {
		cancelled <- d.Clients().Put(cctx, store.Client{ID: "given-up"})
	}()
	errs, wait := queued(6, func(i int) error {
		return d.Clients().Put(t.Context(), store.Client{ID: fmt.Sprintf("q%d", i)})
	})
	cancel()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Errorf("write whose caller gave up: %v, want context.Canceled", err)
	}
	closed := make(chan error, 1)
	go func() { closed <- d.Close() }()
	if err := release(); err != nil {
		t.Errorf("the write in progress at Close: %v, want it committed", err)
	}
	wait()
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d queued before Close: %v, want it committed", i, err)
		}
	}
	if err := d.Clients().Put(t.Context(), store.Client{ID: "late"}); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("write after Close: %v, want ErrUnavailable", err)
	}
	re, err := Open(t.Context(), d.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	if _, err := re.Clients().Get(t.Context(), "given-up"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the given-up write was stored: %v", err)
	}
	for i, werr := range errs {
		_, err := re.Clients().Get(t.Context(), fmt.Sprintf("q%d", i))
		if (werr == nil) != (err == nil) {
			t.Errorf("write %d answered %v but reads back %v after reopening", i, werr, err)
		}
	}
}

// A write that panics fails alone, with an error; the committer goes on
// serving the writes queued with it and after it.
func TestGroupCommitSurvivesAPanickingWrite(t *testing.T) {
	d := openInternal(t)
	ctx := t.Context()
	release := holdCommitter(t, d)
	errs, wait := queued(3, func(i int) error {
		if i == 1 {
			return d.write(ctx, "panics", func(context.Context, *wtx) error { panic("boom") })
		}
		return d.Clients().Put(ctx, store.Client{ID: fmt.Sprintf("p%d", i)})
	})
	if err := release(); err != nil {
		t.Fatal(err)
	}
	wait()
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "boom") {
		t.Errorf("the panicking write: %v, want an error naming the panic", errs[1])
	}
	for _, i := range []int{0, 2} {
		if errs[i] != nil {
			t.Errorf("write %d, queued with the panicking one: %v", i, errs[i])
		}
	}
	if err := d.write(ctx, "panics alone", func(context.Context, *wtx) error { panic("again") }); err == nil {
		t.Error("a panicking write alone: no error")
	}
	if err := d.Clients().Put(ctx, store.Client{ID: "after"}); err != nil {
		t.Errorf("a write after the panics: %v", err)
	}
}
