package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Racers is how many goroutines race for one code or one refresh token.
const Racers = 50

// race runs fn(i) in Racers goroutines released together and returns the
// errors by index.
func race(fn func(i int) error) []error {
	errs := make([]error, Racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range Racers {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts the errors that are nil or match one of the targets (by
// errors.Is, in order); anything else fails the test.
func tally(t *testing.T, errs []error, targets ...error) (wins int, counts []int) {
	t.Helper()
	counts = make([]int, len(targets))
next:
	for i, err := range errs {
		if err == nil {
			wins++
			continue
		}
		for j, target := range targets {
			if errors.Is(err, target) {
				counts[j]++
				continue next
			}
		}
		t.Errorf("racer %d: unexpected error %v", i, err)
	}
	return wins, counts
}

func testConcurrency(t *testing.T, open Opener) {
	// docs/security.md rule 26: N parallel redemptions of one code → exactly one
	// success, the rest ErrAlreadyUsed (invalid_grant), none unavailable.
	t.Run("redeem one code", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Codes().Create(ctx(t), newCode("sha256:c1")))
		var mu sync.Mutex
		var winner store.Code
		errs := race(func(i int) error {
			c, err := s.Codes().Redeem(ctx(t), "sha256:c1", t0.Add(time.Duration(i)*time.Microsecond))
			if err == nil {
				mu.Lock()
				winner = c
				mu.Unlock()
			}
			return err
		})
		wins, counts := tally(t, errs, store.ErrAlreadyUsed)
		if wins != 1 || counts[0] != Racers-1 {
			t.Fatalf("wins = %d, ErrAlreadyUsed = %d; want 1 and %d", wins, counts[0], Racers-1)
		}
		_, err := s.Codes().Redeem(ctx(t), "sha256:c1", t0)
		wantErr(t, err, store.ErrAlreadyUsed)
		if winner.UsedAt.IsZero() {
			t.Fatal("the winning Redeem returned a code without UsedAt")
		}
	})

	// docs/security.md rule 26 for refresh: all racers present the same token
	// at the same instant. Exactly one rotates it; the others lost a race
	// (ErrConcurrentUse), which does NOT revoke the family: the winner's
	// new token keeps working. A later replay is reuse (see testRotate).
	t.Run("rotate one token", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("fam-1"), newRefresh("sha256:r0")))
		now := t0.Add(time.Minute)
		var mu sync.Mutex
		var won string
		errs := race(func(i int) error {
			next := fmt.Sprintf("sha256:next-%02d", i)
			_, err := s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r0", next, now))
			if err == nil {
				mu.Lock()
				won = next
				mu.Unlock()
			}
			return err
		})
		wins, counts := tally(t, errs, store.ErrConcurrentUse)
		if wins != 1 || counts[0] != Racers-1 {
			t.Fatalf("wins = %d, ErrConcurrentUse = %d; want 1 and %d", wins, counts[0], Racers-1)
		}
		for i := range Racers {
			next := fmt.Sprintf("sha256:next-%02d", i)
			_, _, err := s.RefreshTokens().Lookup(ctx(t), next)
			if next == won {
				must(t, err)
			} else if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("loser's token %s: error = %v, want ErrNotFound", next, err)
			}
		}
		tok, fam := lookup(t, s, won)
		wantEqual(t, "winner's token", tok.Status, store.StatusActive)
		wantEqual(t, "family revoked", fam.Revoked, false)
		_, err := s.RefreshTokens().Rotate(ctx(t), rotation(won, "sha256:after", now.Add(time.Second)))
		must(t, err)
	})

	// Racers presenting one token at increasing times: still exactly one
	// success and only invalid_grant-class errors, whichever wins.
	t.Run("rotate one token at different times", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("fam-1"), newRefresh("sha256:r0")))
		errs := race(func(i int) error {
			now := t0.Add(time.Minute + time.Duration(i)*time.Millisecond)
			_, err := s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r0", fmt.Sprintf("sha256:n%02d", i), now))
			return err
		})
		wins, counts := tally(t, errs, store.ErrConcurrentUse, store.ErrReused, store.ErrRevoked)
		if wins != 1 || counts[0]+counts[1]+counts[2] != Racers-1 {
			t.Fatalf("wins = %d, losers = %v; want 1 and %d", wins, counts, Racers-1)
		}
	})

	// Independent grants rotating at once never fail (no "database is
	// locked" under load).
	t.Run("rotate many families", func(t *testing.T) {
		s := fresh(t, open)
		for i := range Racers {
			must(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily(fmt.Sprintf("fam-%02d", i)), newRefresh(fmt.Sprintf("sha256:f%02d-0", i))))
		}
		errs := race(func(i int) error {
			for step := range 4 {
				now := t0.Add(time.Duration(step+1) * time.Minute)
				r := rotation(fmt.Sprintf("sha256:f%02d-%d", i, step), fmt.Sprintf("sha256:f%02d-%d", i, step+1), now)
				if _, err := s.RefreshTokens().Rotate(ctx(t), r); err != nil {
					return err
				}
				if _, _, err := s.RefreshTokens().Lookup(ctx(t), r.Next.Hash); err != nil {
					return err
				}
			}
			return nil
		})
		if wins, _ := tally(t, errs); wins != Racers {
			t.Fatalf("%d of %d goroutines completed their rotations", wins, Racers)
		}
	})
}
