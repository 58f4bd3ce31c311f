package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/oauthkit/oauthkit/internal/store"
)

// unavailable reports whether a primary SQLite result code means "the
// file cannot serve this now" rather than "the request is wrong".
func unavailable(primary int) bool {
	switch primary {
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR,
		sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL,
		sqlite3.SQLITE_PERM, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PROTOCOL,
		sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

func errClosed(op string) error {
	return fmt.Errorf("%s: %w: the store is closed", op, store.ErrUnavailable)
}

// fail turns err from database/sql into the store's errors: SQLite
// failures of the file become ErrUnavailable (and conn, the writer
// connection that saw it, is discarded so the next write reopens the file);
// constraint violations become ErrConflict or ErrNotFound. Errors that are
// not SQLite's (the store's own, context errors) pass unchanged.
func (d *DB) fail(op string, err error, conn *sql.Conn) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	switch {
	case errors.As(err, &se):
		switch code := se.Code(); {
		case unavailable(code & 0xff):
			if conn != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			return fmt.Errorf("%s: %w: %w", op, store.ErrUnavailable, err)
		case code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || code == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("%s: %w: %w", op, store.ErrConflict, err)
		case code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%s: what it refers to is %w: %w", op, store.ErrNotFound, err)
		}
		return fmt.Errorf("%s: %w", op, err)
	case d.closed.Load() || errors.Is(err, sql.ErrConnDone):
		return errClosed(op)
	}
	return err
}

// readRow runs a one-row query on the read pool; no row is ErrNotFound
// described by what.
func (d *DB) readRow(ctx context.Context, what string, scan func(*sql.Row) error, query string, args ...any) error {
	if d.closed.Load() {
		return errClosed(what)
	}
	st, err := d.readStmt(ctx, query)
	if err != nil {
		return d.fail(what, err, nil)
	}
	err = scan(st.QueryRowContext(ctx, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return d.fail(what, err, nil)
}

// affected reports ErrNotFound (described by what) when res touched no row.
func affected(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}
