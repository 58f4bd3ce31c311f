package storetest

import (
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// testReplays: single-use values (store.ReplayStore) are refused while
// their record lives, accepted again once it expired, and exactly one of
// many concurrent uses wins.
func testReplays(t *testing.T, open Opener) {
	t.Run("second use is refused until the record expires", func(t *testing.T) {
		s := fresh(t, open)
		r := s.Replays()
		exp := t0.Add(time.Minute)
		must(t, r.Use(ctx(t), "assertion:j1", t0, exp))
		wantErr(t, r.Use(ctx(t), "assertion:j1", t0.Add(59*time.Second), exp.Add(time.Hour)), store.ErrReplayed)
		// the refused use did not extend the record
		must(t, r.Use(ctx(t), "assertion:j1", exp, exp.Add(time.Minute)))
		wantErr(t, r.Use(ctx(t), "assertion:j1", exp.Add(30*time.Second), exp.Add(2*time.Minute)), store.ErrReplayed)
	})
	t.Run("keys are independent", func(t *testing.T) {
		s := fresh(t, open)
		r := s.Replays()
		must(t, r.Use(ctx(t), "assertion:j1", t0, t0.Add(time.Minute)))
		must(t, r.Use(ctx(t), "dpop:j1", t0, t0.Add(time.Minute)))
	})
	t.Run("empty key is invalid", func(t *testing.T) {
		s := fresh(t, open)
		wantErr(t, s.Replays().Use(ctx(t), "", t0, t0.Add(time.Minute)), store.ErrInvalid)
	})
	t.Run("purge deletes expired keys only", func(t *testing.T) {
		s := fresh(t, open)
		r := s.Replays()
		must(t, r.Use(ctx(t), "old", t0, t0.Add(time.Minute)))
		must(t, r.Use(ctx(t), "live", t0, t0.Add(time.Hour)))
		n, err := s.Purge(ctx(t), t0.Add(2*time.Minute), 100)
		must(t, err)
		if n != 1 {
			t.Fatalf("Purge deleted %d records, want 1", n)
		}
		// "live" is still recorded: a use at a time before its expiry is
		// refused; "old" is gone either way.
		wantErr(t, r.Use(ctx(t), "live", t0.Add(3*time.Minute), t0.Add(2*time.Hour)), store.ErrReplayed)
		must(t, r.Use(ctx(t), "old", t0.Add(3*time.Minute), t0.Add(2*time.Hour)))
	})
	t.Run("concurrent uses: exactly one wins", func(t *testing.T) {
		s := fresh(t, open)
		errs := race(func(int) error {
			return s.Replays().Use(ctx(t), "dpop:race", t0, t0.Add(time.Minute))
		})
		wins, counts := tally(t, errs, store.ErrReplayed)
		if wins != 1 || counts[0] != Racers-1 {
			t.Fatalf("%d wins and %d ErrReplayed, want 1 and %d", wins, counts[0], Racers-1)
		}
	})
}
