package backend

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
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
		{in: "", wantErr: `store "": unknown kind (want memory or sqlite:PATH)`},
		{in: "Memory", wantErr: `store "Memory": unknown kind (want memory or sqlite:PATH)`},
		{in: "oauthkit.db", wantErr: `store "oauthkit.db": unknown kind (want memory or sqlite:PATH)`},
		{in: "mysql:x", wantErr: `store "mysql:x": unknown kind (want memory or sqlite:PATH)`},
		{in: "postgres://u@h/db", wantErr: `store "postgres://u@h/db": PostgreSQL is not supported yet (want memory or sqlite:PATH)`},
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
	for _, s := range []string{"memory", "sqlite:a.db", "sqlite:", "postgres://x", "", "sqlite:a:b", "sqlite:\n"} {
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
		if d.Kind != SQLite && d.Kind != Memory {
			t.Fatalf("ParseDSN(%q) = kind %q", s, d.Kind)
		}
	})
}
