// Package sqlite is the embedded default store.Store: one SQLite file
// (modernc.org/sqlite, pure Go), created 0600.
//
// Choices, and why:
//   - WAL journal, synchronous=FULL, group commit (commit.go): one commit
//     at a time; writes that arrive while one runs queue, and the next
//     runs them all in one transaction (one savepoint each) with one
//     fsync, and releases each caller after the commit. A grant that was answered survives
//     kill -9 and a power loss (docs/security.md rule 29), and a loaded
//     server pays one fsync per batch, not per write (BenchmarkCreateFamily
//     against BenchmarkRotate).
//   - Writes whose loss fails closed — access token records, new codes —
//     commit with synchronous=NORMAL when their batch holds nothing else:
//     in the WAL, so they survive kill -9, on disk with the next fsync,
//     which the committer does in the background once idle. A power loss
//     just after can only make such a token or code unknown, and refused.
//     So client_credentials waits for no fsync (docs/serve.md §9).
//   - Two pools: one writer connection, used by the committer only, whose
//     transactions start with BEGIN IMMEDIATE (_txlock=immediate), and a
//     small pool of query-only readers that WAL lets run beside the
//     writer. busy_timeout covers other processes sharing the file.
//   - Redeem and Rotate decide the winner with a conditional UPDATE and its
//     row count inside the write transaction, not with a Go mutex, so the
//     same SQL stays correct on a server database.
//   - Failures of the file (read-only, cannot open, I/O error, disk full,
//     locked past the busy timeout) are store.ErrUnavailable with the
//     SQLite error wrapped. The writer connection that saw one is thrown
//     away, so once the file is writable again the next write succeeds
//     without reopening the store. (A file made read-only while the store
//     has it open stays writable through the open descriptor: the
//     operating system checks permissions at open time only.)
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/oauthkit/oauthkit/internal/store"
)

// Options tune Open; the zero value gives the defaults.
type Options struct {
	// BusyTimeout is how long a statement waits for a lock held by another
	// process before failing with ErrUnavailable. Default 5 s.
	BusyTimeout time.Duration
	// Readers is the size of the read pool. Default 4.
	Readers int
}

// DB is a store.Store in one SQLite file. Build it with Open.
type DB struct {
	path   string
	w      *sql.DB // exactly one connection: every write goes through it
	r      *sql.DB // query-only readers
	closed atomic.Bool

	c *committer // runs every write (commit.go)

	reads  stmts      // prepared on the read pool (stmts.go)
	writes writeStmts // prepared on the writer

	cachedClients clientCache // decoded clients of the current generation (clientcache.go)
}

var _ store.Store = (*DB)(nil)

// Open opens the store file at path, creating it with mode 0600 when it
// does not exist, and brings its schema up to date. An existing file that
// other users may access (group or other permission bits) is refused: it
// holds signing keys.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("open store: empty file name")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := ensureFile(abs); err != nil {
		return nil, err
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.Readers <= 0 {
		opts.Readers = 4
	}
	busy := strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10)

	d := &DB{path: abs}
	d.w, err = sql.Open("sqlite", dsn(abs, url.Values{
		"_txlock":       {"immediate"},
		"_busy_timeout": {busy},
		"_journal_mode": {"WAL"},
		"_synchronous":  {"FULL"},
		"_foreign_keys": {"1"},
		// Each write of a batch runs in a savepoint (commit.go), whose
		// journal of changed pages SQLite keeps in memory only up to 64 KiB
		// and then moves to a temporary file, written page by page for
		// every write of the batch after it. In memory, it is dropped at
		// each RELEASE and never touches the disk.
		"_pragma": {"temp_store(MEMORY)"},
	}))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	d.w.SetMaxOpenConns(1)
	d.w.SetMaxIdleConns(1)
	d.w.SetConnMaxLifetime(0)
	d.w.SetConnMaxIdleTime(0)

	d.r, err = sql.Open("sqlite", dsn(abs, url.Values{
		"_busy_timeout": {busy},
		"_query_only":   {"1"},
	}))
	if err != nil {
		d.w.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	d.r.SetMaxOpenConns(opts.Readers)
	d.r.SetMaxIdleConns(opts.Readers)
	d.startCommitter()

	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if err := tightenSidecars(abs); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Path is the absolute file name of the store.
func (d *DB) Path() string { return d.path }

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

// Ping reads the schema version through the read pool, then commits a
// one-page write through the writer.
func (d *DB) Ping(ctx context.Context) error {
	if d.closed.Load() {
		return errClosed("ping")
	}
	var n int
	err := d.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
	if err != nil {
		return d.fail("ping", err, nil)
	}
	// Reads can keep working on a file that no longer takes writes (a full
	// disk, a read-only remount): commit a one-page write to be sure. The
	// header's user_version is not used for anything else.
	return d.write(ctx, "ping", func(ctx context.Context, tx *wtx) error {
		var v int64
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, (v+1)%(1<<30)))
		return err
	})
}

// Close commits the writes already queued (lazy ones included), then
// closes both pools; later calls return ErrUnavailable.
func (d *DB) Close() error {
	if !d.closed.CompareAndSwap(false, true) {
		return nil
	}
	d.stopCommitter()
	return errors.Join(d.closeStmts(), d.w.Close(), d.r.Close())
}

// dsn is a file: URI for path with the driver's parameters.
func dsn(path string, params url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: params.Encode()}
	return u.String()
}

// ensureFile creates path 0600 when missing, and refuses a file others may
// read or write.
func ensureFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create store: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("open store: %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("open store: %s is accessible by other users (mode %04o); run: chmod 600 %s", path, perm, path)
	}
	return nil
}

// tightenSidecars makes SQLite's companion files (which it creates with the
// database file's mode) 0600 if an earlier run left them looser.
func tightenSidecars(path string) error {
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		fi, err := os.Stat(path + suffix)
		if err != nil {
			continue
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(path+suffix, perm&0o700); err != nil {
				return fmt.Errorf("open store: %w", err)
			}
		}
	}
	return nil
}
