package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Prepared statements. With this driver, preparing is a good part of what a
// small query costs (a client lookup, an access token insert), so the hot
// ones are prepared once: reads on the read pool as they are first used,
// the access token insert on the writer at Open (the committer holds the
// only writer connection, so nothing can be prepared there later outside a
// transaction). database/sql prepares a statement again on a connection that
// replaced a discarded one.
type stmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// insertAccessToken records an access token (accessTokens.Record).
const insertAccessToken = `INSERT INTO access_tokens (id, family_id, client_id, subject, scope, issued_at, expires_at, audience)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// prepareWrites prepares the hot write statements on the writer.
func (d *DB) prepareWrites(ctx context.Context) error {
	st, err := d.w.PrepareContext(ctx, insertAccessToken)
	if err != nil {
		return d.fail("open store: prepare", err, nil)
	}
	d.insertAccess = st
	return nil
}

// readStmt returns the prepared statement of query on the read pool.
func (d *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
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
	if d.insertAccess != nil {
		errs = append(errs, d.insertAccess.Close())
	}
	return errors.Join(errs...)
}
