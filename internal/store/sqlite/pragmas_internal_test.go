package sqlite

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/oauthkit/oauthkit/internal/store"
)

// The writer connection runs with the settings the package doc promises.
func TestWriterPragmas(t *testing.T) {
	d, err := Open(t.Context(), filepath.Join(t.TempDir(), "oauthkit.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tests := []struct {
		pragma, want string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"temp_store", "2"}, // MEMORY: savepoint journals never go to a file
	}
	for _, tt := range tests {
		var got string
		if err := d.w.QueryRow("PRAGMA " + tt.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("PRAGMA %s = %s, want %s", tt.pragma, got, tt.want)
		}
	}
	var qo string
	if err := d.r.QueryRow("PRAGMA query_only").Scan(&qo); err != nil || qo != "1" {
		t.Errorf("reader PRAGMA query_only = %q (%v), want 1", qo, err)
	}
}

// A batch of access token records commits with synchronous=NORMAL; the
// writer is back at FULL for every other write.
func TestRelaxedCommitRestoresFull(t *testing.T) {
	d, err := Open(t.Context(), filepath.Join(t.TempDir(), "oauthkit.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.AccessTokens().Record(t.Context(), store.AccessToken{ID: "jti", ClientID: "svc",
		ExpiresAt: time.Unix(1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := d.w.QueryRow("PRAGMA synchronous").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "2" {
		t.Errorf("PRAGMA synchronous after a relaxed commit = %s, want 2 (FULL)", got)
	}
}

// A write transaction holds the write lock from BEGIN (IMMEDIATE), so a
// transaction that reads before it writes cannot be overtaken and fail
// with SQLITE_BUSY_SNAPSHOT: another writer is refused at its own BEGIN.
func TestWriteTransactionsBeginImmediate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	d, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tx, err := d.w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow("SELECT COUNT(*) FROM clients").Scan(&n); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", path+"?_txlock=immediate&_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	otx, err := other.Begin()
	var se *sqlite.Error
	if err == nil {
		otx.Rollback()
		t.Fatal("a second writer began while the store's transaction was open")
	}
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY {
		t.Fatalf("second writer: %v, want SQLITE_BUSY", err)
	}
}
