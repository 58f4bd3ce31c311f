package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// TestValuesPostgresCannotKeep: text PostgreSQL refuses (a NUL byte,
// invalid UTF-8) is outside input in lookups, where it names no record
// (ErrNotFound, as in the other stores, not a failure of the server), and
// in replay keys (JWT IDs), which still work, as do keys too long for an
// index. Storing such text in a record is ErrInvalid, on one line.
func TestValuesPostgresCannotKeep(t *testing.T) {
	db, _ := fresh(t)
	ctx := t.Context()
	for _, bad := range []string{"a\x00b", "\xff\xfe"} {
		lookups := map[string]error{}
		_, lookups["client"] = db.Clients().Get(ctx, bad)
		_, lookups["user"] = db.Users().Get(ctx, bad)
		_, lookups["user by subject"] = db.Users().GetBySubject(ctx, bad)
		_, lookups["access token"] = db.AccessTokens().Get(ctx, bad)
		_, _, lookups["refresh token"] = db.RefreshTokens().Lookup(ctx, bad)
		_, lookups["key"] = db.Keys().Get(ctx, bad)
		for what, err := range lookups {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s %q: %v, want ErrNotFound", what, bad, err)
			}
		}
		err := db.Clients().Put(ctx, store.Client{ID: "web", Name: bad})
		if !errors.Is(err, store.ErrInvalid) || strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("Put client named %q: %v, want ErrInvalid on one line", bad, err)
		}
	}
	long := "dpop:" + strings.Repeat("0123456789abcdef", 1000) // 16 kB, past an index row
	for _, key := range []string{"dpop:a\x00b", "dpop:\xff", long, long + "x"} {
		if err := db.Replays().Use(ctx, key, t0, t0.Add(time.Minute)); err != nil {
			t.Fatalf("Use(%.20q…): %v", key, err)
		}
		if err := db.Replays().Use(ctx, key, t0, t0.Add(time.Minute)); !errors.Is(err, store.ErrReplayed) {
			t.Fatalf("Use(%.20q…) again: %v, want ErrReplayed", key, err)
		}
	}
}
