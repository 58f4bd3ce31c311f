package backend

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/internal/store/postgres"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
	"github.com/oauthkit/oauthkit/internal/testutil/pgtest"
)

func TestParseDSN(t *testing.T) {
	tests := []struct {
		in      string
		want    DSN
		wantErr string
	}{
		{in: "memory", want: DSN{Kind: Memory}},
		{in: "sqlite:oauthkit.db", want: DSN{Kind: SQLite, Path: "oauthkit.db"}},
		{in: "sqlite:/var/lib/oauthkit/store.db", want: DSN{Kind: SQLite, Path: "/var/lib/oauthkit/store.db"}},
		{in: "sqlite:C:/state/a:b.db", want: DSN{Kind: SQLite, Path: "C:/state/a:b.db"}},
		{in: "sqlite:", wantErr: `store "sqlite:": the sqlite file name is missing (want sqlite:PATH)`},
		{in: "sqlite:a\x00b", wantErr: `store "sqlite:a\x00b": the file name contains a NUL byte`},
		{in: "", wantErr: `store "": unknown kind (want memory, sqlite:PATH or postgres://user@host:5432/db)`},
		{in: "Memory", wantErr: `store "Memory": unknown kind (want memory, sqlite:PATH or postgres://user@host:5432/db)`},
		{in: "oauthkit.db", wantErr: `store "oauthkit.db": unknown kind (want memory, sqlite:PATH or postgres://user@host:5432/db)`},
		{in: "mysql:x", wantErr: `store "mysql:x": unknown kind (want memory, sqlite:PATH or postgres://user@host:5432/db)`},
		{in: "postgres://u@h/db", want: DSN{Kind: Postgres, URL: "postgres://u@h/db"}},
		{in: "postgresql://u@h:5433/db?sslmode=disable", want: DSN{Kind: Postgres, URL: "postgresql://u@h:5433/db?sslmode=disable"}},
		{in: "postgres:///db?host=/var/run/postgresql", want: DSN{Kind: Postgres, URL: "postgres:///db?host=/var/run/postgresql"}},
		{in: "postgres:db", wantErr: `store postgres://…: not a valid URL (want memory, sqlite:PATH or postgres://user@host:5432/db)`},
		{in: "postgres://u:pw@h:port/db", wantErr: `store postgres://…: not a valid URL (want memory, sqlite:PATH or postgres://user@host:5432/db)`},
		{in: "postgres://u@h/d\nb", wantErr: `store postgres://…: not a valid URL (want memory, sqlite:PATH or postgres://user@host:5432/db)`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDSN(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseDSN(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDSN(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseDSN(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, "memory")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*memory.Store); !ok {
		t.Errorf("Open(memory) = %T, want *memory.Store", s)
	}
	s.Close()

	path := filepath.Join(t.TempDir(), "store.db")
	s, err = Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if db, ok := s.(*sqlite.DB); !ok || db.Path() != path {
		t.Errorf("Open(sqlite:%s) = %T", path, s)
	}
	if err := s.Clients().Put(ctx, store.Client{ID: "web"}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("store file: %v, mode %v", err, fi.Mode())
	}

	_, err = Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "missing", "x.db"))
	if err == nil || !strings.HasPrefix(err.Error(), "create store: ") {
		t.Errorf("Open in a missing directory: %v", err)
	}
	if _, err := Open(ctx, "bogus"); err == nil || errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Open(bogus) = %v, want a DSN error", err)
	}
}

// FuzzParseDSN: any input either parses to a DSN that prints back as the
// input, or fails with a one-line error.
func FuzzParseDSN(f *testing.F) {
	for _, s := range []string{"memory", "sqlite:a.db", "sqlite:", "postgres://x", "", "sqlite:a:b", "sqlite:\n", "postgres://u:pw@h/db?password=p", "postgresql:x", "postgres://h/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDSN(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error for %q spans lines: %q", s, err)
			}
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDSN(%q).String() = %q", s, d.String())
		}
		if d.Kind == SQLite && (d.Path == "" || strings.ContainsRune(d.Path, 0)) {
			t.Fatalf("ParseDSN(%q) = bad path %q", s, d.Path)
		}
		if d.Kind != SQLite && d.Kind != Memory && d.Kind != Postgres {
			t.Fatalf("ParseDSN(%q) = kind %q", s, d.Kind)
		}
		if d.Kind == Postgres && strings.ContainsAny(d.Redacted(), "\x00\r\n") {
			t.Fatalf("ParseDSN(%q).Redacted() = %q", s, d.Redacted())
		}
	})
}

// The password of a PostgreSQL DSN is never shown: not by Redacted, not by
// Redact, not in a parse error.
func TestRedacted(t *testing.T) {
	for in, want := range map[string]string{
		"memory":                        "memory",
		"sqlite:a.db":                   "sqlite:a.db",
		"postgres://u:s3cret@h:5432/db": "postgres://u:xxxxx@h:5432/db",
		"postgresql://u@h/db?sslmode=require&password=s3cret": "postgresql://u@h/db?password=xxxxx&sslmode=require",
		"postgres://u@h/db":             "postgres://u@h/db",
		"postgres://u:s3cret@h:port/db": "postgres://…",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOpenPostgres: a postgres:// DSN opens the PostgreSQL store, which
// takes a write and reads it back.
func TestOpenPostgres(t *testing.T) {
	_, dsn := pgtest.Database(t)
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.(*postgres.DB); !ok {
		t.Fatalf("Open(%s) = %T, want *postgres.DB", pgtest.Redact(dsn), s)
	}
	if err := s.Clients().Put(t.Context(), store.Client{ID: "web"}); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Clients().Get(t.Context(), "web"); err != nil || c.ID != "web" {
		t.Fatalf("Get = %+v, %v", c, err)
	}
	if SecretKeyPath(dsn) != "" {
		t.Errorf("SecretKeyPath(postgres) = %q, want none", SecretKeyPath(dsn))
	}
}
