package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

// maxAttempts bounds how often one write or read is tried: a transaction
// the server aborted for a serialization failure or deadlock, or a
// statement that never reached the server (a pooled connection the server
// had closed, a refused dial), is run again after a short pause. A failure
// of the second kind destroys its connection, and after a server restart
// every pooled connection is dead: such failures are allowed once per
// pooled connection more (attempts).
const maxAttempts = 4

// attempts is how often a call that failed with err may have been tried.
func (d *DB) attempts(err error) int {
	var be beginError
	if errors.As(err, &be) {
		return max(maxAttempts, int(d.maxConns)+2)
	}
	return maxAttempts
}

// rollbackTimeout bounds the ROLLBACK of a failed transaction.
const rollbackTimeout = 5 * time.Second

// DefaultCallTimeout bounds one call of the store, retries included: a
// server that stops answering (a network partition drops packets instead
// of refusing them) makes the call fail with ErrUnavailable rather than
// hold the request until the HTTP server's write timeout (30 s).
const DefaultCallTimeout = 5 * time.Second

// bounded is ctx with the store's call timeout.
func (d *DB) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d.callTimeout)
}

// beginError marks a failure of BEGIN (or of acquiring its connection):
// nothing of the transaction ran.
type beginError struct{ err error }

func (e beginError) Error() string { return e.err.Error() }
func (e beginError) Unwrap() error { return e.err }

// write runs fn in one READ COMMITTED transaction and commits it. A
// transaction the server aborted, or whose BEGIN failed on a dead
// connection, is run again (fn must not keep state between attempts except
// through what it returns on success); a failure after that point is
// returned, through fail: if the COMMIT's answer was lost, the transaction
// may have committed.
func (d *DB) write(ctx context.Context, op string, fn func(ctx context.Context, tx pgx.Tx) error) error {
	if d.closed.Load() {
		return errClosed(op)
	}
	cctx, cancel := d.bounded(ctx)
	defer cancel()
	for attempt := 1; ; attempt++ {
		err := d.attempt(cctx, fn)
		if err == nil {
			return nil
		}
		if attempt < d.attempts(err) && cctx.Err() == nil && retryable(err) && pause(cctx, attempt) {
			continue
		}
		var be beginError
		if errors.As(err, &be) {
			err = be.err
		}
		return d.fail(ctx, op, err)
	}
}

// attempt runs fn in one transaction.
func (d *DB) attempt(ctx context.Context, fn func(ctx context.Context, tx pgx.Tx) error) (err error) {
	tx, err := d.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return beginError{err}
	}
	done := false
	defer func() {
		if done {
			return
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
		defer cancel()
		_ = tx.Rollback(rctx) // on a broken connection pgx closes it; the pool replaces it
	}()
	if err := run(ctx, tx, fn); err != nil {
		return err
	}
	done = true // Commit ends the transaction, whatever it returns
	return tx.Commit(ctx)
}

// run calls fn, turning a panic into an error, so that the transaction is
// rolled back and its connection goes back to the pool.
func run(ctx context.Context, tx pgx.Tx, fn func(context.Context, pgx.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write panicked: %v", p)
		}
	}()
	return fn(ctx, tx)
}

// pause waits before attempt+1: 5 ms, 10 ms, 20 ms, then 40 ms; false if
// ctx ended.
func pause(ctx context.Context, attempt int) bool {
	t := time.NewTimer(time.Duration(5<<min(attempt-1, 3)) * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// read runs fn, which only reads, outside a transaction; a statement that
// never reached the server (a pooled connection the server had closed) is
// tried again. pgx.ErrNoRows is ErrNotFound described by what.
func (d *DB) read(ctx context.Context, what string, fn func(ctx context.Context) error) error {
	if d.closed.Load() {
		return errClosed(what)
	}
	cctx, cancel := d.bounded(ctx)
	defer cancel()
	for attempt := 1; ; attempt++ {
		err := fn(cctx)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("%s: %w", what, store.ErrNotFound)
		case unstorable(err):
			// A key PostgreSQL cannot hold in text (a NUL byte, invalid
			// UTF-8: a client_id from a request, say) names no record,
			// as in the other stores, rather than failing the request.
			return fmt.Errorf("%s: %w", what, store.ErrNotFound)
		case attempt < d.attempts(beginError{err}) && cctx.Err() == nil && retryable(beginError{err}) && pause(cctx, attempt):
			continue // reads are idempotent: a lost connection is as a failed BEGIN
		}
		return d.fail(ctx, what, err)
	}
}

// readRow runs a one-row query; no row is ErrNotFound described by what.
func (d *DB) readRow(ctx context.Context, what string, scan func(pgx.Row) error, query string, args ...any) error {
	return d.read(ctx, what, func(ctx context.Context) error {
		return scan(d.pool.QueryRow(ctx, query, args...))
	})
}

// list runs a query and scans every row with scan.
func list[T any](ctx context.Context, d *DB, what string, scan func(canon.Scanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := d.read(ctx, what, func(ctx context.Context) error {
		out = nil
		rows, err := d.pool.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// affected reports ErrNotFound (described by what) when a statement
// touched no row.
func affected(n int64, what string) error {
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

// exec runs one writing statement in a transaction of its own, sent as
// one batch — BEGIN, the statement, COMMIT — so it costs one round trip,
// as the statement alone would. It is run again when its BEGIN failed on a
// dead connection (nothing of it ran: a pooled connection the server had
// closed) or the server aborted it for a serialization failure or
// deadlock; after any other failure it is not, as a COMMIT whose answer
// was lost may have committed.
func (d *DB) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	if d.closed.Load() {
		return 0, errClosed(op)
	}
	cctx, cancel := d.bounded(ctx)
	defer cancel()
	for attempt := 1; ; attempt++ {
		n, err := d.execOnce(cctx, query, args...)
		if err == nil {
			return n, nil
		}
		if attempt < d.attempts(err) && cctx.Err() == nil && retryable(err) && pause(cctx, attempt) {
			continue
		}
		var be beginError
		if errors.As(err, &be) {
			err = be.err
		}
		return 0, d.fail(ctx, op, err)
	}
}

func (d *DB) execOnce(ctx context.Context, query string, args ...any) (int64, error) {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return 0, beginError{err}
	}
	defer conn.Release() // a connection left in a transaction is destroyed, not reused
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(query, args...)
	b.Queue("COMMIT")
	br := conn.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return 0, beginError{err}
	}
	tag, err := br.Exec()
	if err != nil {
		br.Close()
		// The statement failed: the server skipped the COMMIT and holds
		// the aborted transaction open; end it so the connection is
		// reused (if this fails too, Release destroys the connection).
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
		defer cancel()
		_, _ = conn.Exec(rctx, "ROLLBACK")
		return 0, err
	}
	if _, err := br.Exec(); err != nil {
		br.Close()
		return 0, err
	}
	return tag.RowsAffected(), br.Close()
}
