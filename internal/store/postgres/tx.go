package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oauthkit/oauthkit/internal/store"
)

// maxAttempts bounds how often one write or read is tried: a transaction
// the server aborted for a serialization failure or deadlock, or a
// statement that never reached the server (a pooled connection the server
// had closed, a refused dial), is run again after a short pause.
const maxAttempts = 4

// rollbackTimeout bounds the ROLLBACK of a failed transaction.
const rollbackTimeout = 5 * time.Second

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
	for attempt := 1; ; attempt++ {
		err := d.attempt(ctx, fn)
		if err == nil {
			return nil
		}
		if attempt < maxAttempts && ctx.Err() == nil && retryable(err) && pause(ctx, attempt) {
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

// pause waits before attempt+1: 5 ms, 10 ms, 20 ms…; false if ctx ended.
func pause(ctx context.Context, attempt int) bool {
	t := time.NewTimer(time.Duration(5<<(attempt-1)) * time.Millisecond)
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
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("%s: %w", what, store.ErrNotFound)
		case attempt < maxAttempts && ctx.Err() == nil && retryable(beginError{err}) && pause(ctx, attempt):
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
func list[T any](ctx context.Context, d *DB, what string, scan func(pgx.Row) (T, error), query string, args ...any) ([]T, error) {
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

// exec runs one writing statement on its own (the server commits it as a
// transaction of its own: one round trip instead of three). Retried only
// when it never reached the server (pgconn.SafeToRetry), or the server
// aborted it for a serialization failure or deadlock.
func (d *DB) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	if d.closed.Load() {
		return 0, errClosed(op)
	}
	for attempt := 1; ; attempt++ {
		tag, err := d.pool.Exec(ctx, query, args...)
		if err == nil {
			return tag.RowsAffected(), nil
		}
		if attempt < maxAttempts && ctx.Err() == nil && (pgconn.SafeToRetry(err) || retryable(err)) && pause(ctx, attempt) {
			continue
		}
		return 0, d.fail(ctx, op, err)
	}
}
