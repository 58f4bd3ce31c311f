package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// testRedeemInto: docs/security.md rule 44 (issue 13 item 6). Redeeming a
// code and creating its grant are one transaction, so no replay can
// arrive between them and miss the grant it must revoke.
func testRedeemInto(t *testing.T, open Opener) {
	t.Run("creates the family from the code", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Codes().Create(ctx(t), newCode("sha256:c1")))
		now := t0.Add(10 * time.Second)
		got, err := s.Codes().RedeemInto(ctx(t), "sha256:c1", now, store.Family{ID: "fam-c1"}, newRefresh("sha256:r1"))
		must(t, err)
		if got.FamilyID != "fam-c1" || got.UsedAt.IsZero() {
			t.Fatalf("RedeemInto returned FamilyID %q UsedAt %v", got.FamilyID, got.UsedAt)
		}
		rt, fam, err := s.RefreshTokens().Lookup(ctx(t), "sha256:r1")
		must(t, err)
		c := canonCode("sha256:c1")
		want := store.Family{ID: "fam-c1", ClientID: c.ClientID, Subject: c.Subject, Scope: c.Scope, AuthTime: c.AuthTime,
			SessionID: c.SessionID, Resource: c.Resource, CreatedAt: t0UTC.Add(10 * time.Second), CodeHash: "sha256:c1"}
		wantEqual(t, "family", fam, want)
		if rt.Status != store.StatusActive || rt.FamilyID != "fam-c1" || rt.RefreshCount != 0 {
			t.Fatalf("first refresh token %+v", rt)
		}
		replay, err := s.Codes().Redeem(ctx(t), "sha256:c1", now.Add(time.Second))
		wantErr(t, err, store.ErrAlreadyUsed)
		if replay.FamilyID != "fam-c1" {
			t.Fatalf("replay FamilyID %q, want fam-c1", replay.FamilyID)
		}
	})
	t.Run("without a refresh token", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Codes().Create(ctx(t), newCode("sha256:c1")))
		_, err := s.Codes().RedeemInto(ctx(t), "sha256:c1", t0, store.Family{ID: "fam-c1"}, store.RefreshToken{})
		must(t, err)
		must(t, s.AccessTokens().Record(ctx(t), store.AccessToken{ID: "at-1", FamilyID: "fam-c1", ClientID: "web", ExpiresAt: t0.Add(time.Hour)}))
		must(t, s.RefreshTokens().RevokeFamily(ctx(t), "fam-c1"))
		at, err := s.AccessTokens().Get(ctx(t), "at-1")
		must(t, err)
		if !at.Revoked {
			t.Fatal("an access token of the revoked family is not revoked")
		}
	})
	t.Run("refusals store nothing", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Codes().Create(ctx(t), newCode("sha256:c1")))
		must(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("taken"), newRefresh("sha256:taken")))
		_, err := s.Codes().RedeemInto(ctx(t), "sha256:c1", t0, store.Family{ID: "taken"}, newRefresh("sha256:r1"))
		wantErr(t, err, store.ErrConflict)
		_, err = s.Codes().RedeemInto(ctx(t), "sha256:c1", t0, store.Family{ID: "fam-c1"}, newRefresh("sha256:taken"))
		wantErr(t, err, store.ErrConflict)
		_, err = s.Codes().RedeemInto(ctx(t), "sha256:c1", t0, store.Family{}, newRefresh("sha256:r1"))
		wantErr(t, err, store.ErrInvalid)
		// The code is still unused: a valid redemption works.
		_, err = s.Codes().RedeemInto(ctx(t), "sha256:c1", t0, store.Family{ID: "fam-c1"}, newRefresh("sha256:r1"))
		must(t, err)
		// An expired code creates no family.
		must(t, s.Codes().Create(ctx(t), newCode("sha256:old")))
		_, err = s.Codes().RedeemInto(ctx(t), "sha256:old", t0.Add(time.Hour), store.Family{ID: "fam-old"}, newRefresh("sha256:r-old"))
		wantErr(t, err, store.ErrExpired)
		_, _, err = s.RefreshTokens().Lookup(ctx(t), "sha256:r-old")
		wantErr(t, err, store.ErrNotFound)
	})
	// Every loser of a race sees the winner's family: a replay during the
	// redemption always finds the grant to revoke.
	t.Run("racing redemptions all see the family", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Codes().Create(ctx(t), newCode("sha256:c1")))
		var mu sync.Mutex
		seen := map[string]int{}
		winner := ""
		errs := race(func(i int) error {
			fam := store.Family{ID: fmt.Sprintf("fam-%02d", i)}
			c, err := s.Codes().RedeemInto(ctx(t), "sha256:c1", t0.Add(time.Duration(i)*time.Microsecond), fam,
				newRefresh(fmt.Sprintf("sha256:r%02d", i)))
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				winner = fam.ID
			} else {
				seen[c.FamilyID]++
			}
			return err
		})
		wins, counts := tally(t, errs, store.ErrAlreadyUsed)
		if wins != 1 || counts[0] != Racers-1 {
			t.Fatalf("wins = %d, ErrAlreadyUsed = %d; want 1 and %d", wins, counts[0], Racers-1)
		}
		if len(seen) != 1 || seen[winner] != Racers-1 {
			t.Fatalf("losers saw families %v, want all %d to see the winner's %q", seen, Racers-1, winner)
		}
	})
}
