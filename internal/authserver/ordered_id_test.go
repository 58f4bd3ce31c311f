package authserver

import (
	"encoding/base64"
	"strconv"
	"testing"
	"time"
)

// wantOrderedID checks that id is an orderedID made at made: the
// millisecond in 9 base-32 digits, then 16 random bytes base64url.
func wantOrderedID(t *testing.T, id string, made time.Time) {
	t.Helper()
	if len(id) != orderedIDTimeLength+22 {
		t.Fatalf("ID %q: %d characters, want %d", id, len(id), orderedIDTimeLength+22)
	}
	ms, err := strconv.ParseInt(id[:orderedIDTimeLength], 32, 64)
	if err != nil || ms != made.UnixMilli() {
		t.Fatalf("ID %q: time part %q is %d (%v), want %d", id, id[:orderedIDTimeLength], ms, err, made.UnixMilli())
	}
	if raw, err := base64.RawURLEncoding.DecodeString(id[orderedIDTimeLength:]); err != nil || len(raw) != 16 {
		t.Fatalf("ID %q: random part is not 16 bytes of base64url (%d, %v)", id, len(raw), err)
	}
}

// IDs of new rows sort by creation time, whatever their random part, and
// never repeat.
func TestOrderedIDSortsByTime(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	prev := ""
	for i := range 2000 {
		at := t0.Add(time.Duration(i) * 997 * time.Microsecond) // a new millisecond most of the time
		id := orderedID(at)
		wantOrderedID(t, id, at)
		if seen[id] {
			t.Fatalf("ID %q made twice", id)
		}
		seen[id] = true
		if prev != "" && prev[:orderedIDTimeLength] != id[:orderedIDTimeLength] && !(prev < id) {
			t.Fatalf("%q, made later, sorts before %q", id, prev)
		}
		prev = id
	}
	// Far apart: the digits carry over (base 32, 0-9 before a-v).
	for _, pair := range [][2]time.Time{
		{time.UnixMilli(31), time.UnixMilli(32)},
		{time.UnixMilli(9), time.UnixMilli(10)},
		{t0, t0.AddDate(100, 0, 0)},
		{time.Unix(-5, 0), time.UnixMilli(1)}, // before 1970: the earliest time part
	} {
		a, b := orderedID(pair[0]), orderedID(pair[1])
		if !(a < b) {
			t.Errorf("orderedID(%v) = %q does not sort before orderedID(%v) = %q", pair[0], a, pair[1], b)
		}
	}
}
