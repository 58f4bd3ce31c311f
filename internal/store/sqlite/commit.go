package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
)

// Group commit. Every write of the store goes through one committer, which
// owns the writer connection: the caller itself when no commit runs and
// no write waits, else the committer goroutine. That takes every write
// that arrived while the last commit ran (up to maxBatch),
// runs them one after the other inside ONE write transaction, each in its
// own savepoint, and commits once: one fsync (synchronous=FULL) for the
// whole batch. Only then does it hand each caller its own result. So:
//
//   - a caller is released only once its write is committed, exactly as
//     with one transaction per write (docs/serve.md §9);
//   - writes are still serialized: a Redeem or Rotate in the batch sees the
//     writes before it, and the conditional UPDATE still picks one winner;
//   - a write that fails (a constraint, ErrNotFound, its own error) is
//     rolled back to its savepoint and the others commit; a failure of the
//     file (I/O error, disk full, read-only, locked) fails the whole batch
//     with ErrUnavailable, as nothing of it can be trusted to commit;
//   - a write arriving at an idle store commits at once; under load, the
//     writes that queued during one fsync share the next one, and while
//     writes overlap the first of a batch waits up to 3 ms for company
//     (gather.go).
//
// A batch made only of relaxed writes commits with synchronous=NORMAL: the
// commit is in the WAL file, so it survives the death of the process
// (kill -9), but it reaches the disk only with the next fsync — the next
// FULL commit (the WAL is appended in order, so that fsync covers every
// commit before it), or the committer's own fsync of the WAL once the
// queue is empty or after maxUnsynced relaxed batches (in the background:
// no caller waits for it). Relaxed are only the writes whose loss with a
// power failure fails closed: a new access token record or authorization
// code, which is then unknown and refused. Everything whose loss would
// reopen something or lose a grant — a redemption, a rotation, a new
// grant, a revocation, clients, users, keys — waits for its fsync.

// maxBatch bounds the writes of one transaction, so one commit never holds
// the write lock for long. maxUnsynced bounds the relaxed batches between
// two fsyncs under a load that never lets the queue empty.
const (
	maxBatch    = 128
	maxUnsynced = 64
)

// The states of a request: the committer takes a pending one; its caller
// may abandon a pending one when its context ends.
const (
	pending int32 = iota
	taken
	abandoned
)

// request is one write waiting for the committer.
type request struct {
	op      string
	fn      func(context.Context, *wtx) error
	relaxed bool
	arrived time.Time // when it was queued (gather.go)
	state   atomic.Int32
	done    chan error // buffered: the committer never blocks on a caller
}

// committer is the queue of writes and the state of the goroutine that
// runs them.
type committer struct {
	mu      sync.Mutex
	queue   []*request
	closing bool // set by Close: nothing more is queued
	busy    bool // a commit runs, in the committer goroutine or in a caller
	wake    chan struct{}
	stopped chan struct{} // closed when the goroutine has returned
	g       gatherer      // whether a batch waits for company (gather.go)
	held    bool          // the queue's first write waited for company
	helds   int           // batches that waited, for the tests

	unsynced atomic.Int32   // relaxed batches committed since the last fsync
	dirty    atomic.Bool    // the WAL holds relaxed commits not yet fsynced
	syncBusy atomic.Bool    // the fsync goroutine runs
	syncs    sync.WaitGroup // the fsync goroutine, for Close
}

// startCommitter starts the goroutine that runs every write; Close stops it.
func (d *DB) startCommitter() {
	d.c = &committer{wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	go d.commitLoop()
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) on the writer
// connection, possibly shared with other writes (group commit), and returns
// once that transaction has committed — on disk, synchronous=FULL — or fn's
// part of it was rolled back. fn receives a context that is not cancelled
// while it runs: a statement interrupted half-way would roll back the whole
// shared transaction. A caller whose ctx ends before its write was taken
// gets ctx's error and the write never runs.
func (d *DB) write(ctx context.Context, op string, fn func(ctx context.Context, tx *wtx) error) error {
	return d.submit(ctx, op, fn, false)
}

// writeRelaxed is write for a record whose loss fails closed, which the
// store may lose with a power failure (not with a crash of the process):
// it returns once committed to the WAL, and waits for no fsync unless its
// batch holds other writes.
func (d *DB) writeRelaxed(ctx context.Context, op string, fn func(ctx context.Context, tx *wtx) error) error {
	return d.submit(ctx, op, fn, true)
}

func (d *DB) submit(ctx context.Context, op string, fn func(ctx context.Context, tx *wtx) error, relaxed bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{op: op, fn: fn, relaxed: relaxed, done: make(chan error, 1)}
	c := d.c
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return errClosed(op)
	}
	others := c.busy || len(c.queue) > 0
	c.g.arrived(others)
	if !others && !c.g.on() {
		// Nobody commits and nobody waits: commit it here, in the
		// caller's goroutine, without a hand-over to the committer.
		c.busy = true
		c.mu.Unlock()
		d.commit([]*request{r})
		c.mu.Lock()
		c.busy = false
		c.mu.Unlock()
		c.kick() // for the writes that queued meanwhile, or the idle fsync
		return <-r.done
	}
	r.arrived = time.Now()
	c.queue = append(c.queue, r)
	// The committer needs waking only for the first write of a queue (it
	// may be idle) or a full batch (it may be gathering); it goes round
	// again by itself after a commit, and a caller's own commit kicks it.
	wake := len(c.queue) == 1 || len(c.queue) == gatherTarget
	c.mu.Unlock()
	if wake {
		c.kick()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(pending, abandoned) {
			return ctx.Err()
		}
		return <-r.done // taken: its transaction decides
	}
}

// kick wakes the committer goroutine.
func (c *committer) kick() {
	select {
	case c.wake <- struct{}{}:
	default: // already awake or about to be
	}
}

// commitLoop commits batches from the queue, one at a time with the
// commits callers make themselves, until Close has emptied it.
func (d *DB) commitLoop() {
	c := d.c
	defer close(c.stopped)
	timer := time.NewTimer(gatherWindow)
	timer.Stop()
	for {
		c.mu.Lock()
		if !c.busy && len(c.queue) > 0 {
			if w := c.g.wait(len(c.queue), c.queue[0].arrived, time.Now()); w > 0 && !c.closing {
				// Writes overlap: wait for company, or for the next write.
				c.held = true
				c.mu.Unlock()
				timer.Reset(w)
				select {
				case <-c.wake:
					timer.Stop()
				case <-timer.C:
				}
				continue
			}
			n := min(len(c.queue), maxBatch)
			batch := c.queue[:n:n]
			c.queue = c.queue[n:]
			if len(c.queue) == 0 {
				c.queue = nil // let the backing array go
			}
			held := c.held
			c.held = false
			c.busy = true
			c.mu.Unlock()
			d.commit(batch)
			clear(batch) // the queue's array no longer holds finished closures
			if c.unsynced.Load() >= maxUnsynced {
				d.syncWAL()
			}
			c.mu.Lock()
			c.busy = false
			if held {
				c.helds++
				c.g.waited(n)
			}
			c.mu.Unlock()
			continue
		}
		idle, closing := !c.busy && len(c.queue) == 0, c.closing
		c.mu.Unlock()
		if idle && c.unsynced.Load() > 0 {
			d.syncWAL() // put the relaxed commits on disk
		}
		if idle && closing {
			return
		}
		<-c.wake
	}
}

// syncWAL has the WAL file fsynced in the background, which makes every
// commit in it durable, without holding up the next batch. One goroutine
// at most: it repeats while relaxed commits keep coming.
func (d *DB) syncWAL() {
	c := d.c
	c.unsynced.Store(0)
	if !c.syncBusy.CompareAndSwap(false, true) {
		return // the goroutine at work sees dirty and goes round again
	}
	c.syncs.Add(1)
	go func() {
		defer c.syncs.Done()
		for {
			for c.dirty.Swap(false) {
				// A failure leaves the commits to the next FULL commit or
				// checkpoint.
				if f, err := os.OpenFile(d.path+"-wal", os.O_RDWR, 0); err == nil {
					_ = f.Sync()
					_ = f.Close()
				}
			}
			c.syncBusy.Store(false)
			if !c.dirty.Load() || !c.syncBusy.CompareAndSwap(false, true) {
				return
			}
		}
	}()
}

// stopCommitter makes later writes fail with ErrUnavailable, lets the
// committer finish what is queued, and waits for it.
func (d *DB) stopCommitter() {
	c := d.c
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	c.kick()
	<-c.stopped
	c.syncs.Wait()
}

// commit runs one batch in one transaction and answers every request.
func (d *DB) commit(batch []*request) {
	results := make([]error, len(batch))
	defer func() {
		for i, r := range batch {
			r.done <- results[i]
		}
	}()
	// failAll gives err to every request without an answer yet, and
	// throws conn away if the file failed.
	failAll := func(err error, conn *sql.Conn) {
		_ = d.fail("commit", err, conn)
		for i, r := range batch {
			if results[i] == nil {
				results[i] = d.fail(r.op, err, nil)
			}
		}
	}
	live, relaxed := 0, true
	for i, r := range batch {
		if !r.state.CompareAndSwap(pending, taken) {
			results[i] = context.Canceled // abandoned: nobody reads it
			continue
		}
		live++
		relaxed = relaxed && r.relaxed
	}
	if live == 0 {
		return
	}
	ctx := context.Background()
	d.prepareWanted(ctx)
	conn, err := d.w.Conn(ctx)
	if err != nil {
		failAll(err, nil)
		return
	}
	defer conn.Close()
	if relaxed {
		// The level cannot change inside a transaction: set it for this
		// one, and back to FULL after it.
		if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
			failAll(err, conn)
			return
		}
		defer func() {
			if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = FULL`); err != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // a new connection starts FULL
			}
		}()
	}
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		failAll(err, conn)
		return
	}
	tx := &wtx{Tx: sqlTx, w: &d.writes}
	if live == 1 {
		// Alone: the transaction is the write's, no savepoint needed.
		for i, r := range batch {
			if results[i] != nil {
				continue
			}
			if err := run(ctx, tx, r.fn); err != nil {
				_ = tx.Rollback()
				results[i] = d.fail(r.op, err, conn)
				return
			}
		}
	} else {
		for i, r := range batch {
			if results[i] != nil {
				continue
			}
			err := inSavepoint(ctx, tx, r.fn)
			if err == nil {
				continue
			}
			if fileFailure(err) {
				_ = tx.Rollback()
				failAll(err, conn)
				return
			}
			results[i] = d.fail(r.op, err, nil)
		}
	}
	if err := tx.Commit(); err != nil {
		failAll(err, conn)
		return
	}
	if relaxed {
		d.c.unsynced.Add(1)
		d.c.dirty.Store(true)
	} else {
		// This commit's fsync covered the WAL before it.
		d.c.unsynced.Store(0)
		d.c.dirty.Store(false)
	}
}

// errSavepoint marks a failure of the savepoint statements themselves: the
// transaction is in an unknown state and the batch is given up.
type errSavepoint struct{ err error }

func (e errSavepoint) Error() string { return "savepoint: " + e.err.Error() }
func (e errSavepoint) Unwrap() error { return e.err }

// inSavepoint runs fn inside a savepoint of tx and undoes what fn wrote if
// it fails, leaving the rest of the transaction as it was.
func inSavepoint(ctx context.Context, tx *wtx, fn func(context.Context, *wtx) error) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT w`); err != nil {
		return errSavepoint{err}
	}
	ferr := run(ctx, tx, fn)
	if ferr != nil {
		if fileFailure(ferr) {
			return ferr
		}
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO w`); err != nil {
			return errSavepoint{err}
		}
	}
	if _, err := tx.ExecContext(ctx, `RELEASE w`); err != nil {
		return errSavepoint{err}
	}
	return ferr
}

// run calls fn, turning a panic into an error: the committer serves every
// caller and must not die with one write.
func run(ctx context.Context, tx *wtx, fn func(context.Context, *wtx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write panicked: %v", p)
		}
	}()
	return fn(ctx, tx)
}

// fileFailure reports whether err leaves the shared transaction in doubt:
// the file failed (fail's ErrUnavailable class), or a savepoint statement
// did.
func fileFailure(err error) bool {
	var sp errSavepoint
	if errors.As(err, &sp) {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && unavailable(se.Code()&0xff)
}
