// Package backend opens a store.Store from a DSN, the string a user gives
// `oauthkit serve --store`: "memory", "sqlite:PATH" or a PostgreSQL URL
// (postgres://user@host:5432/db?sslmode=…, or postgresql://).
package backend

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/internal/store/postgres"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
)

// The kinds of store a DSN names.
const (
	Memory   = "memory"
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// want is what a DSN may be, for error messages.
const want = "want memory, sqlite:PATH or postgres://user@host:5432/db"

// DSN is a parsed store DSN.
type DSN struct {
	Kind string // Memory, SQLite or Postgres
	Path string // the SQLite file, for SQLite
	URL  string // the URL as given, for Postgres (may hold a password: print Redacted)
}

// String is the DSN as the user writes it, password included: for
// opening, never for printing (see Redacted).
func (d DSN) String() string {
	switch d.Kind {
	case SQLite:
		return SQLite + ":" + d.Path
	case Postgres:
		return d.URL
	}
	return d.Kind
}

// Redacted is the DSN to show: a PostgreSQL URL with its password (in the
// user part or a password parameter) replaced by "xxxxx".
func (d DSN) Redacted() string {
	if d.Kind != Postgres {
		return d.String()
	}
	return redactURL(d.URL)
}

// Redact is dsn as Redacted shows it, for a DSN that may not parse: an
// unparsable PostgreSQL URL is shown as its scheme alone.
func Redact(dsn string) string {
	d, err := ParseDSN(dsn)
	if err == nil {
		return d.Redacted()
	}
	if scheme, _, ok := strings.Cut(dsn, ":"); ok && isPostgresScheme(scheme) {
		return scheme + "://…"
	}
	return dsn
}

func isPostgresScheme(s string) bool { return s == "postgres" || s == "postgresql" }

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "postgres://…"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// ParseDSN parses "memory", "sqlite:PATH" (PATH may be relative and may
// contain colons) or a postgres:// or postgresql:// URL (whose parameters
// PostgreSQL checks when the store is opened). Errors never show a
// password.
func ParseDSN(s string) (DSN, error) {
	if s == Memory {
		return DSN{Kind: Memory}, nil
	}
	scheme, rest, ok := strings.Cut(s, ":")
	switch {
	case ok && scheme == SQLite:
		if rest == "" {
			return DSN{}, fmt.Errorf("store %q: the sqlite file name is missing (want sqlite:PATH)", s)
		}
		if strings.ContainsRune(rest, 0) {
			return DSN{}, fmt.Errorf("store %q: the file name contains a NUL byte", s)
		}
		return DSN{Kind: SQLite, Path: rest}, nil
	case ok && isPostgresScheme(scheme):
		u, err := url.Parse(s)
		if err != nil || u.Opaque != "" || !strings.HasPrefix(rest, "//") {
			return DSN{}, fmt.Errorf("store %s://…: not a valid URL (%s)", scheme, want)
		}
		if strings.ContainsAny(s, "\x00\r\n") {
			return DSN{}, fmt.Errorf("store %s://…: the URL contains a control character", scheme)
		}
		return DSN{Kind: Postgres, URL: s}, nil
	}
	return DSN{}, fmt.Errorf("store %q: unknown kind (%s)", s, want)
}

// Open opens the store dsn names with default options.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	d, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	switch d.Kind {
	case Memory:
		return memory.New(), nil
	case Postgres:
		db, err := postgres.Open(ctx, d.URL)
		if err != nil {
			return nil, err
		}
		return db, nil
	}
	db, err := sqlite.Open(ctx, d.Path, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	return db, nil
}

// SecretKeyPath is where the server's secret key (the HMAC key of client
// secrets) lives for a store: beside a SQLite file, in a file of its own so
// that a copy of the database alone does not carry it ("<file>.secret-key");
// "" for a memory store, whose key need not outlive the process, and for
// PostgreSQL, whose server may be on another machine: the key lives in the
// process, and the configuration's client secrets are hashed again with it
// at every start (provision.Sync).
func SecretKeyPath(dsn string) string {
	d, err := ParseDSN(dsn)
	if err != nil || d.Kind != SQLite {
		return ""
	}
	return d.Path + ".secret-key"
}
