package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Prepared statements. With this driver, preparing is a good part of what a
// small query costs (a client lookup, a refresh token rotation), so
// statements run prepared once they are known:
//   - reads on the read pool, prepared as they are first used (readStmt);
//   - writes on the writer (writeStmts): the committer holds the only
//     writer connection while it runs a transaction, so a statement seen
//     twice in transactions is prepared between two of them, and later
//     transactions run it prepared (wtx). A statement run once (a
//     migration) is never kept.
//
// database/sql prepares a statement again on a connection that replaced a
// discarded one.
type stmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// insertAccessToken records an access token (accessTokens.Record).
const insertAccessToken = `INSERT INTO access_tokens (id, family_id, client_id, subject, scope, issued_at, expires_at, audience)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// observeSQL, when set (by the package's tests before any store opens),
// sees the text of every statement the store runs.
var observeSQL func(query string)

// maxWriteStmts bounds the statements kept on the writer, and the ones
// counted before that: the write statements are constants of this package,
// far fewer, but a statement with a value in its text must not grow them.
const maxWriteStmts = 256

// writeStmts are the statements prepared on the writer, and the ones seen
// in transactions and not yet prepared. Only the committer uses them,
// one transaction at a time; the mutex orders the committer goroutine and
// callers that commit themselves.
type writeStmts struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	seen   map[string]bool // run once, unprepared
	wanted []string        // run twice: prepared before the next transaction
}

// get returns the prepared statement of query, or nil after counting it.
func (w *writeStmts) get(query string) *sql.Stmt {
	if observeSQL != nil {
		observeSQL(query)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if st := w.m[query]; st != nil {
		return st
	}
	switch {
	case len(w.m)+len(w.wanted) >= maxWriteStmts:
	case w.seen[query]:
		delete(w.seen, query)
		w.wanted = append(w.wanted, query)
	default:
		if w.seen == nil || len(w.seen) >= maxWriteStmts {
			w.seen = map[string]bool{}
		}
		w.seen[query] = true
	}
	return nil
}

// prepareWanted prepares the statements seen twice on the writer. The
// committer calls it before a transaction, when the writer connection is
// free. A statement that fails to prepare runs unprepared and is counted
// again.
func (d *DB) prepareWanted(ctx context.Context) {
	w := &d.writes
	w.mu.Lock()
	wanted := w.wanted
	w.wanted = nil
	w.mu.Unlock()
	for _, q := range wanted {
		st, err := d.w.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		w.mu.Lock()
		if w.m == nil {
			w.m = map[string]*sql.Stmt{}
		}
		w.m[q] = st
		w.mu.Unlock()
	}
}

// wtx is a write transaction of the committer: a *sql.Tx whose statements
// run prepared on the writer when they are (writeStmts).
type wtx struct {
	*sql.Tx
	w *writeStmts
}

func (t *wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.w.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *wtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.w.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.w.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// readStmt returns the prepared statement of query on the read pool.
func (d *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if observeSQL != nil {
		observeSQL(query)
	}
	c := &d.reads
	c.mu.Lock()
	st := c.m[query]
	c.mu.Unlock()
	if st != nil {
		return st, nil
	}
	st, err := d.r.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d.closed.Load() {
		st.Close()
		return nil, errClosed("prepare")
	}
	if old := c.m[query]; old != nil {
		st.Close()
		return old, nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st, nil
}

// closeStmts closes every prepared statement (Close).
func (d *DB) closeStmts() error {
	d.reads.mu.Lock()
	defer d.reads.mu.Unlock()
	var errs []error
	for _, st := range d.reads.m {
		errs = append(errs, st.Close())
	}
	d.reads.m = nil
	d.writes.mu.Lock()
	defer d.writes.mu.Unlock()
	for _, st := range d.writes.m {
		errs = append(errs, st.Close())
	}
	d.writes.m = nil
	return errors.Join(errs...)
}
