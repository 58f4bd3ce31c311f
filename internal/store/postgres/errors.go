package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oauthkit/oauthkit/internal/store"
)

// storeError is what the store returns for a failure of PostgreSQL or of
// the connection: one line, the store's error (kind) and the cause both
// reachable with errors.Is and errors.As.
type storeError struct {
	msg  string
	kind error // a store sentinel, nil for none
	err  error
}

func (e *storeError) Error() string { return e.msg }

func (e *storeError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}

func wrap(op string, kind, err error, detail string) error {
	msg := op + ": "
	if kind != nil {
		msg += kind.Error() + ": "
	}
	if detail != "" {
		msg += detail + ": "
	}
	return &storeError{msg: oneLine(msg + err.Error()), kind: kind, err: err}
}

func errClosed(op string) error {
	return fmt.Errorf("%s: %w: the store is closed", op, store.ErrUnavailable)
}

// The SQLSTATEs the store branches on (PostgreSQL Appendix A).
const (
	uniqueViolation      = "23505"
	foreignKeyViolation  = "23503"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
	readOnlyTransaction  = "25006"
	queryCanceled        = "57014"
)

// sentinels are the store's own outcomes: an error carrying one was made
// by this package and passes through fail unchanged.
var sentinels = []error{store.ErrNotFound, store.ErrAlreadyUsed, store.ErrReplayed, store.ErrExpired,
	store.ErrReused, store.ErrConcurrentUse, store.ErrRevoked, store.ErrConflict, store.ErrInvalid, store.ErrUnavailable}

// fail turns an error of pgx into the store's errors:
//   - unique and foreign key violations: ErrConflict, ErrNotFound;
//   - a value PostgreSQL cannot keep (a NUL byte or invalid UTF-8 in text,
//     a key too long for its index): ErrInvalid;
//   - the server or the connection failing (connection exceptions, admin
//     or crash shutdown, starting up, too many connections, disk full,
//     read-only standby, a transaction aborted by a serialization failure
//     or deadlock that retries did not get through, a lost or refused
//     connection, a timeout): ErrUnavailable;
//   - the caller's context ending: the error, wrapping the context's.
//
// Anything else (a bug: a syntax error, a type mismatch) is returned
// wrapped, and the server answers 500.
func (d *DB) fail(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return err
		}
	}
	if d.closed.Load() {
		return errClosed(op)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == uniqueViolation:
			return wrap(op, store.ErrConflict, err, "")
		case pe.Code == foreignKeyViolation:
			return wrap(op, store.ErrNotFound, err, "what it refers to")
		case invalidValue(pe.Code):
			return wrap(op, store.ErrInvalid, err, "the value cannot be stored")
		case pe.Code == queryCanceled && ctx.Err() != nil:
			return wrap(op, nil, errors.Join(err, ctx.Err()), "")
		case unavailableState(pe.Code):
			return wrap(op, store.ErrUnavailable, err, "")
		}
		return wrap(op, nil, err, "")
	}
	if ctx.Err() != nil {
		return wrap(op, nil, errors.Join(err, ctx.Err()), "")
	}
	if lostConnection(err) {
		return wrap(op, store.ErrUnavailable, err, "")
	}
	return wrap(op, nil, err, "")
}

// invalidValue: the value itself cannot be stored, whatever the server's
// state.
func invalidValue(code string) bool {
	switch code {
	case "22021", // character_not_in_repertoire: a NUL byte, invalid UTF-8
		"22P05", // untranslatable_character
		"54000": // program_limit_exceeded: a key larger than an index row
		return true
	}
	return false
}

// unavailableState: the server cannot serve the request now; the next
// one may succeed.
func unavailableState(code string) bool {
	switch code[:2] {
	case "08", // connection exception
		"53", // insufficient resources: disk full, out of memory, too many connections
		"57", // operator intervention: admin/crash shutdown, cannot connect now
		"58", // system error: I/O error
		"XX": // internal error
		return true
	}
	switch code {
	case serializationFailure, deadlockDetected, readOnlyTransaction,
		"55P03", // lock_not_available (lock_timeout)
		"55006": // object_in_use
		return true
	}
	return false
}

// lostConnection: err is the connection failing (dial, reset, closed,
// timed out), not the server refusing the statement.
func lostConnection(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed)
}

// retryable reports whether a transaction that failed with err can be run
// again: the server aborted it (nothing of it committed), or its BEGIN
// never got through.
func retryable(err error) bool {
	var be beginError
	if errors.As(err, &be) {
		var pe *pgconn.PgError
		if errors.As(be.err, &pe) {
			return unavailableState(pe.Code)
		}
		return lostConnection(be.err)
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == serializationFailure || pe.Code == deadlockDetected)
}
