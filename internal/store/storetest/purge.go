package storetest

import (
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// testPurge: docs/security.md rule 52 (issue 13 item 14). Expired records
// go in bounded batches; live ones and the grants they need stay.
func testPurge(t *testing.T, open Opener) {
	s := fresh(t, open)
	late := t0.Add(30 * 24 * time.Hour) // everything made at t0 has expired
	// Expired at the cutoff: two codes, one family with a token and an
	// access token, one access token without family.
	for _, h := range []string{"sha256:old1", "sha256:old2"} {
		must(t, s.Codes().Create(ctx(t), newCode(h)))
	}
	must(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("fam-old"), newRefresh("sha256:r-old")))
	must(t, s.AccessTokens().Record(ctx(t), store.AccessToken{ID: "at-old", FamilyID: "fam-old", ClientID: "web", ExpiresAt: t0.Add(time.Hour)}))
	must(t, s.AccessTokens().Record(ctx(t), store.AccessToken{ID: "at-cc-old", ClientID: "svc", ExpiresAt: t0.Add(time.Hour)}))
	// Live at the cutoff: a code, a family with a live refresh token, an
	// access token.
	live := newCode("sha256:live")
	live.ExpiresAt = late.Add(time.Minute)
	must(t, s.Codes().Create(ctx(t), live))
	liveFam := newFamily("fam-live")
	must(t, s.RefreshTokens().CreateFamily(ctx(t), liveFam, store.RefreshToken{Hash: "sha256:r-live", IssuedAt: t0, ExpiresAt: late.Add(time.Hour)}))
	must(t, s.AccessTokens().Record(ctx(t), store.AccessToken{ID: "at-live", FamilyID: "fam-live", ClientID: "web", ExpiresAt: late.Add(time.Hour)}))

	total, batches := 0, 0
	for {
		n, err := s.Purge(ctx(t), late, 2)
		must(t, err)
		if n > 2 {
			t.Fatalf("Purge(limit 2) deleted %d records", n)
		}
		total += n
		batches++
		if n < 2 {
			break
		}
		if batches > 10 {
			t.Fatal("Purge never finishes")
		}
	}
	if total != 6 { // 2 codes, 1 refresh token, 2 access tokens, 1 family
		t.Errorf("purged %d records, want 6", total)
	}
	_, err := s.Codes().Redeem(ctx(t), "sha256:old1", late)
	wantErr(t, err, store.ErrNotFound)
	_, _, err = s.RefreshTokens().Lookup(ctx(t), "sha256:r-old")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.AccessTokens().Get(ctx(t), "at-cc-old")
	wantErr(t, err, store.ErrNotFound)
	wantErr(t, s.RefreshTokens().RevokeFamily(ctx(t), "fam-old"), store.ErrNotFound)
	if _, err := s.Codes().Redeem(ctx(t), "sha256:live", late); err != nil {
		t.Errorf("the live code: %v", err)
	}
	if _, f, err := s.RefreshTokens().Lookup(ctx(t), "sha256:r-live"); err != nil || f.ID != "fam-live" {
		t.Errorf("the live refresh token: %v", err)
	}
	if _, err := s.AccessTokens().Get(ctx(t), "at-live"); err != nil {
		t.Errorf("the live access token: %v", err)
	}
	if n, err := s.Purge(ctx(t), late, 100); err != nil || n != 0 {
		t.Errorf("a second purge deleted %d (%v), want 0", n, err)
	}
}

// testCountLive: the count behind the cap on unredeemed codes.
func testCountLive(t *testing.T, open Opener) {
	s := fresh(t, open)
	for _, h := range []string{"sha256:a", "sha256:b", "sha256:c"} {
		must(t, s.Codes().Create(ctx(t), newCode(h)))
	}
	other := newCode("sha256:other")
	other.ClientID = "svc"
	must(t, s.Codes().Create(ctx(t), other))
	_, err := s.Codes().Redeem(ctx(t), "sha256:a", t0)
	must(t, err)
	n, err := s.Codes().CountLive(ctx(t), "web", t0)
	must(t, err)
	if n != 2 {
		t.Errorf("live codes of web: %d, want 2 (one redeemed, one of another client)", n)
	}
	if n, _ := s.Codes().CountLive(ctx(t), "web", t0.Add(time.Hour)); n != 0 {
		t.Errorf("live codes after expiry: %d, want 0", n)
	}
}
