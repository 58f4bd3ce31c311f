package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/storetest"
)

// Every statement the tests of this package make the store run.
var observed struct {
	sync.Mutex
	queries map[string]bool
}

func TestMain(m *testing.M) {
	observed.queries = map[string]bool{}
	observeSQL = func(q string) {
		observed.Lock()
		observed.queries[q] = true
		observed.Unlock()
	}
	os.Exit(m.Run())
}

// fullScans are the statements allowed to read a whole table: listings
// for the admin commands, whose answer is the whole table.
var fullScans = map[string]string{
	"list clients":      "FROM clients ORDER BY id",
	"list users":        "FROM users ORDER BY username",
	"list signing keys": "FROM signing_keys ORDER BY created_at, kid",
}

// TestQueryPlansUseIndexes: every statement the store runs, as the
// conformance suite drives it, finds its rows through a key or an index
// (SQLite's EXPLAIN QUERY PLAN says SEARCH, not SCAN), so that no request
// costs more as the tables grow. A full scan made each /authorize count
// every code ever issued until schema version 7.
func TestQueryPlansUseIndexes(t *testing.T) {
	t.Run("suite", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store {
			db, err := Open(t.Context(), filepath.Join(t.TempDir(), "oauthkit.db"), Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return db
		})
	})
	d, err := Open(t.Context(), filepath.Join(t.TempDir(), "plans.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })

	observed.Lock()
	queries := make([]string, 0, len(observed.queries))
	for q := range observed.queries {
		queries = append(queries, q)
	}
	observed.Unlock()
	slices.Sort(queries)
	checked := 0
	for _, q := range queries {
		verb := strings.ToUpper(strings.Fields(q)[0])
		if !slices.Contains([]string{"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}, verb) {
			continue // PRAGMA, SAVEPOINT, RELEASE, migrations' DDL
		}
		checked++
		scans, err := fullTableScans(t.Context(), d, q)
		if err != nil {
			t.Errorf("EXPLAIN QUERY PLAN %s: %v", oneLine(q), err)
			continue
		}
		if len(scans) > 0 && !allowedScan(q) {
			t.Errorf("%s\n\treads whole tables: %s", oneLine(q), strings.Join(scans, "; "))
		}
	}
	// The suite drives every kind of record: far more statements than this.
	if checked < 60 {
		t.Errorf("only %d statements were observed: the observer missed the store's statements", checked)
	}
}

// fullTableScans returns the SCAN steps of q's plan (SCAN CONSTANT ROW is
// no table).
func fullTableScans(ctx context.Context, d *DB, q string) ([]string, error) {
	// Every parameter NULL: a plan depends on the statement, not on values.
	args := make([]any, strings.Count(q, "?"))
	rows, err := d.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var scans []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		if strings.HasPrefix(detail, "SCAN ") && detail != "SCAN CONSTANT ROW" {
			scans = append(scans, detail)
		}
	}
	return scans, rows.Err()
}

func allowedScan(q string) bool {
	for _, tail := range fullScans {
		if strings.HasSuffix(strings.TrimSpace(q), tail) {
			return true
		}
	}
	return false
}

func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }

func TestAllowedScanNeedsItsTail(t *testing.T) {
	for what, tail := range fullScans {
		if !allowedScan("SELECT id " + tail) {
			t.Errorf("%s: the allowance does not match its own statement", what)
		}
	}
	if allowedScan("SELECT COUNT(*) FROM auth_codes WHERE client_id = ?") {
		t.Error("a statement outside the list is allowed to scan")
	}
}
