// Package postgres is a store.Store on PostgreSQL (github.com/jackc/pgx/v5),
// for several `serve` replicas sharing one database, or a team that already
// runs PostgreSQL. Same contracts as store/sqlite, tested by the same
// storetest suite.
//
// Choices, and why:
//   - pgx natively (pgxpool), not through database/sql: its errors carry the
//     SQLSTATE (*pgconn.PgError), which is how a conflict, a lost
//     connection and a serialization failure are told apart; the pool pings
//     a connection that sat idle before handing it out and replaces dead
//     ones, so the store recovers by itself once the server is back; and
//     statements are prepared and cached per connection without a second
//     layer of pooling in between.
//   - One transaction per write, READ COMMITTED (PostgreSQL's default).
//     Exactly one winner among concurrent callers on any number of
//     connections and processes comes from row locks, not Go mutexes:
//     Redeem locks the code row (SELECT … FOR UPDATE), Rotate and
//     RevokeFamily lock the grant family row first, so every change to a
//     family's tokens is serialized on it and the lock order is always
//     family, then tokens (no deadlock between them). ReplayStore.Use is
//     one INSERT … ON CONFLICT DO UPDATE … WHERE, atomic by itself, and
//     PushedRequestStore.Take one DELETE … RETURNING. The
//     caller that waited on a lock decides with the committed row, through
//     the same rules as the other stores (store/internal/canon).
//   - A transaction the server aborted (serialization failure, deadlock) and
//     a BEGIN that failed on a dead connection are retried, a bounded number
//     of times: nothing of them ran. A failure after that point is not
//     retried: a COMMIT whose answer was lost may have committed.
//   - A lost connection, a server that is down, shutting down, starting,
//     out of connections or disk, or a read-only standby: store.ErrUnavailable
//     with the cause wrapped (the server answers 503). No reconnect logic of
//     our own: the pool dials again on the next request.
//   - Migrations are applied at Open under a session advisory lock, so
//     replicas starting together migrate once (migrate.go); Purge runs on one
//     replica at a time under a transaction advisory lock (purge.go).
//   - Times are Unix microseconds and lists JSON text, as in SQLite: both
//     stores share one canonical form (canon).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oauthkit/oauthkit/internal/store"
)

// DefaultConnectTimeout bounds one attempt to dial the server when the DSN
// sets no connect_timeout: a server that drops packets makes requests fail
// with ErrUnavailable instead of hanging.
const DefaultConnectTimeout = 5 * time.Second

// DB is a store.Store in one PostgreSQL database. Build it with Open.
type DB struct {
	pool     *pgxpool.Pool
	target   string // user@host:port/database, for messages: never the password
	maxConns int32  // the pool's size
	closed   atomic.Bool

	callTimeout time.Duration // DefaultCallTimeout; tests shorten it
}

var _ store.Store = (*DB)(nil)

// Open connects to the database dsn names (a postgres:// or postgresql://
// URL, or anything pgx accepts: pool_max_conns and the other pgxpool
// parameters included; a password may also come from PGPASSWORD or the
// password file) and brings its schema up to date under an advisory lock.
// Errors never contain the password.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %s", oneLine(err.Error())) // pgx redacts the password
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	d := &DB{target: fmt.Sprintf("%s@%s:%d/%s", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database),
		maxConns: cfg.MaxConns, callTimeout: DefaultCallTimeout}
	if d.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("open store %s: %w", d.target, d.fail(ctx, "connect", err))
	}
	if err := d.migrate(ctx); err != nil {
		d.pool.Close()
		return nil, fmt.Errorf("open store %s: %w", d.target, err)
	}
	return d, nil
}

// Target is user@host:port/database: where the store is, without secrets.
func (d *DB) Target() string { return d.target }

// Clients returns the client store.
func (d *DB) Clients() store.ClientStore { return clients{d} }

// Users returns the user store.
func (d *DB) Users() store.UserStore { return users{d} }

// Codes returns the authorization code store.
func (d *DB) Codes() store.CodeStore { return codes{d} }

// RefreshTokens returns the refresh token store.
func (d *DB) RefreshTokens() store.RefreshTokenStore { return refreshTokens{d} }

// AccessTokens returns the access token store.
func (d *DB) AccessTokens() store.AccessTokenStore { return accessTokens{d} }

// Keys returns the signing key store.
func (d *DB) Keys() store.KeyStore { return keys{d} }

// Replays returns the store of single-use values.
func (d *DB) Replays() store.ReplayStore { return replays{d} }

// Ping reads the schema version, then commits a transaction that was
// given a transaction ID: a server that can read but not write (a standby,
// a default_transaction_read_only database) fails it. Every failure is
// ErrUnavailable.
func (d *DB) Ping(ctx context.Context) error {
	err := d.write(ctx, "ping", func(ctx context.Context, tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			return err
		}
		var xid string
		return tx.QueryRow(ctx, `SELECT pg_current_xact_id()::text`).Scan(&xid)
	})
	if err != nil && !errors.Is(err, store.ErrUnavailable) {
		return fmt.Errorf("ping: %w: %w", store.ErrUnavailable, err)
	}
	return err
}

// Close closes the pool, waiting for the connections in use to be
// returned; later calls return ErrUnavailable.
func (d *DB) Close() error {
	if !d.closed.CompareAndSwap(false, true) {
		return nil
	}
	d.pool.Close()
	return nil
}

// oneLine joins the lines of a message (pgx puts each address it tried on
// a line of its own): every store error is one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
