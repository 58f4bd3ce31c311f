// Package backend opens a store.Store from a DSN, the string a user gives
// `oauthkit serve --store`: "memory" or "sqlite:PATH".
package backend

import (
	"context"
	"fmt"
	"strings"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
)

// The kinds of store a DSN names.
const (
	Memory = "memory"
	SQLite = "sqlite"
)

// DSN is a parsed store DSN.
type DSN struct {
	Kind string // Memory or SQLite
	Path string // the SQLite file, for SQLite
}

// String is the DSN as the user writes it.
func (d DSN) String() string {
	if d.Kind == SQLite {
		return SQLite + ":" + d.Path
	}
	return d.Kind
}

// ParseDSN parses "memory" or "sqlite:PATH" (PATH may be relative and may
// contain colons).
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
	case ok && (scheme == "postgres" || scheme == "postgresql"):
		return DSN{}, fmt.Errorf("store %q: PostgreSQL is not supported yet (want memory or sqlite:PATH)", s)
	}
	return DSN{}, fmt.Errorf("store %q: unknown kind (want memory or sqlite:PATH)", s)
}

// Open opens the store dsn names with default options.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	d, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if d.Kind == Memory {
		return memory.New(), nil
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
// "" for a memory store, whose key need not outlive the process.
func SecretKeyPath(dsn string) string {
	d, err := ParseDSN(dsn)
	if err != nil || d.Kind != SQLite {
		return ""
	}
	return d.Path + ".secret-key"
}
