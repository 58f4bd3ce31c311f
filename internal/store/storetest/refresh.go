package storetest

import (
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

const refreshLife = 8 * time.Hour

func newFamily(id string) store.Family {
	return store.Family{ID: id, ClientID: "web", Subject: "sub-alice", Scope: "openid offline_access", AuthTime: t0,
		SessionID: "sid-7QxZ", Resource: "https://api.example/", CreatedAt: t0}
}

func canonFamily(id string) store.Family {
	f := newFamily(id)
	f.AuthTime, f.CreatedAt = t0UTC, t0UTC
	return f
}

func newRefresh(hash string) store.RefreshToken {
	return store.RefreshToken{Hash: hash, IssuedAt: t0, ExpiresAt: t0.Add(refreshLife)}
}

// rotation replaces old by next at now; next lives refreshLife from now.
func rotation(old, next string, now time.Time) store.Rotation {
	return store.Rotation{
		OldHash: old,
		Next:    store.RefreshToken{Hash: next, IssuedAt: now, ExpiresAt: now.Add(refreshLife)},
		Now:     now,
	}
}

func lookup(t *testing.T, s store.Store, hash string) (store.RefreshToken, store.Family) {
	t.Helper()
	tok, fam, err := s.RefreshTokens().Lookup(ctx(t), hash)
	must(t, err)
	return tok, fam
}

func testFamilies(t *testing.T, open Opener) {
	t.Run("create and look up", func(t *testing.T) {
		s := fresh(t, open)
		first := newRefresh("sha256:r1")
		first.FamilyID, first.RefreshCount, first.Status = "ignored", 7, store.StatusRotated
		fam := newFamily("fam-1")
		fam.Revoked = true // ignored
		must(t, s.RefreshTokens().CreateFamily(ctx(t), fam, first))
		tok, gotFam := lookup(t, s, "sha256:r1")
		wantEqual(t, "token", tok, store.RefreshToken{
			Hash: "sha256:r1", IssuedAt: t0UTC, ExpiresAt: t0UTC.Add(refreshLife),
			FamilyID: "fam-1", RefreshCount: 0, Status: store.StatusActive,
		})
		wantEqual(t, "family", gotFam, canonFamily("fam-1"))
	})
	t.Run("a family without a refresh token", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("fam-1"), store.RefreshToken{}))
		must(t, s.AccessTokens().Record(ctx(t), newAccess("jti-1", "fam-1")))
		must(t, s.RefreshTokens().RevokeFamily(ctx(t), "fam-1"))
		at, err := s.AccessTokens().Get(ctx(t), "jti-1")
		must(t, err)
		wantEqual(t, "revoked", at.Revoked, true)
	})
	t.Run("conflicts change nothing", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Codes().Create(ctx(t), newCode("sha256:c1")))
		f1 := newFamily("fam-1")
		f1.CodeHash = "sha256:c1"
		must(t, s.RefreshTokens().CreateFamily(ctx(t), f1, newRefresh("sha256:r1")))

		wantErr(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("fam-1"), newRefresh("sha256:r2")), store.ErrConflict)
		_, _, err := s.RefreshTokens().Lookup(ctx(t), "sha256:r2")
		wantErr(t, err, store.ErrNotFound)

		wantErr(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("fam-2"), newRefresh("sha256:r1")), store.ErrConflict)
		wantErr(t, s.RefreshTokens().RevokeFamily(ctx(t), "fam-2"), store.ErrNotFound)

		f3 := newFamily("fam-3")
		f3.CodeHash = "sha256:c1" // one grant per code
		wantErr(t, s.RefreshTokens().CreateFamily(ctx(t), f3, newRefresh("sha256:r3")), store.ErrConflict)
		wantErr(t, s.RefreshTokens().RevokeFamily(ctx(t), "fam-3"), store.ErrNotFound)

		f4 := newFamily("fam-4")
		f4.CodeHash = "sha256:no-such-code"
		wantErr(t, s.RefreshTokens().CreateFamily(ctx(t), f4, newRefresh("sha256:r4")), store.ErrNotFound)
		_, _, err = s.RefreshTokens().Lookup(ctx(t), "sha256:r4")
		wantErr(t, err, store.ErrNotFound)
	})
	t.Run("invalid", func(t *testing.T) {
		s := fresh(t, open)
		wantErr(t, s.RefreshTokens().CreateFamily(ctx(t), store.Family{ClientID: "web"}, newRefresh("sha256:r1")), store.ErrInvalid)
		wantErr(t, s.RefreshTokens().CreateFamily(ctx(t), store.Family{ID: "f"}, newRefresh("sha256:r1")), store.ErrInvalid)
		wantErr(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("f"), store.RefreshToken{Hash: "sha256:r1"}), store.ErrInvalid)
		wantErr(t, s.RefreshTokens().RevokeFamily(ctx(t), "f"), store.ErrNotFound)
	})
	t.Run("revoke", func(t *testing.T) {
		s := fresh(t, open)
		wantErr(t, s.RefreshTokens().RevokeFamily(ctx(t), "nope"), store.ErrNotFound)
		_, _, err := s.RefreshTokens().Lookup(ctx(t), "sha256:nope")
		wantErr(t, err, store.ErrNotFound)
		must(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("fam-1"), newRefresh("sha256:r1")))
		_, err = s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r1", "sha256:r2", t0))
		must(t, err)
		must(t, s.RefreshTokens().RevokeFamily(ctx(t), "fam-1"))
		must(t, s.RefreshTokens().RevokeFamily(ctx(t), "fam-1")) // twice is fine
		old, fam := lookup(t, s, "sha256:r1")
		cur, _ := lookup(t, s, "sha256:r2")
		wantEqual(t, "family revoked", fam.Revoked, true)
		wantEqual(t, "rotated token stays rotated", old.Status, store.StatusRotated)
		wantEqual(t, "active token becomes revoked", cur.Status, store.StatusRevoked)
	})
}

// twoFamilies opens a store with two grants: fam-1 with its refresh token
// r1, fam-2 with x1.
func twoFamilies(t *testing.T, open Opener) store.Store {
	t.Helper()
	s := fresh(t, open)
	must(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("fam-1"), newRefresh("sha256:r1")))
	must(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("fam-2"), newRefresh("sha256:x1")))
	return s
}

func testRotate(t *testing.T, open Opener) {
	// setup: family fam-1 with r1 rotated to r2 at t1; fam-2 with x1 untouched.
	t1 := t0.Add(time.Hour)
	setup := func(t *testing.T) store.Store {
		s := twoFamilies(t, open)
		must(t, s.AccessTokens().Record(ctx(t), newAccess("jti-1", "fam-1")))
		must(t, s.AccessTokens().Record(ctx(t), newAccess("jti-2", "fam-2")))
		fam, err := s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r1", "sha256:r2", t1))
		must(t, err)
		wantEqual(t, "family returned by Rotate", fam, canonFamily("fam-1"))
		return s
	}
	t.Run("rotation", func(t *testing.T) {
		s := setup(t)
		old, _ := lookup(t, s, "sha256:r1")
		wantEqual(t, "old token", old, store.RefreshToken{
			Hash: "sha256:r1", IssuedAt: t0UTC, ExpiresAt: t0UTC.Add(refreshLife),
			FamilyID: "fam-1", Status: store.StatusRotated, RotatedAt: t0UTC.Add(time.Hour),
		})
		next, _ := lookup(t, s, "sha256:r2")
		wantEqual(t, "new token", next, store.RefreshToken{
			Hash: "sha256:r2", IssuedAt: t0UTC.Add(time.Hour), ExpiresAt: t0UTC.Add(time.Hour + refreshLife),
			FamilyID: "fam-1", RefreshCount: 1, Status: store.StatusActive,
		})
		_, err := s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r2", "sha256:r3", t1.Add(time.Hour)))
		must(t, err)
		third, _ := lookup(t, s, "sha256:r3")
		wantEqual(t, "refresh count", third.RefreshCount, 2)
	})
	t.Run("reuse revokes the family and its access tokens", func(t *testing.T) {
		s := setup(t)
		fam, err := s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r1", "sha256:evil", t1.Add(time.Second)))
		wantErr(t, err, store.ErrReused)
		wantEqual(t, "family returned revoked", fam.Revoked, true)
		_, _, err = s.RefreshTokens().Lookup(ctx(t), "sha256:evil")
		wantErr(t, err, store.ErrNotFound)
		cur, _ := lookup(t, s, "sha256:r2")
		wantEqual(t, "newest token", cur.Status, store.StatusRevoked)
		_, err = s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r2", "sha256:r3", t1.Add(2*time.Second)))
		wantErr(t, err, store.ErrRevoked)
		at, err := s.AccessTokens().Get(ctx(t), "jti-1")
		must(t, err)
		wantEqual(t, "access token of the family revoked", at.Revoked, true)

		// The other grant is untouched.
		other, err := s.AccessTokens().Get(ctx(t), "jti-2")
		must(t, err)
		wantEqual(t, "other family's access token revoked", other.Revoked, false)
		_, err = s.RefreshTokens().Rotate(ctx(t), rotation("sha256:x1", "sha256:x2", t1))
		must(t, err)
	})
	t.Run("a reused token that has expired still revokes", func(t *testing.T) {
		s := setup(t)
		_, err := s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r1", "sha256:evil", t0.Add(10*refreshLife)))
		wantErr(t, err, store.ErrReused)
		_, fam := lookup(t, s, "sha256:r2")
		wantEqual(t, "family revoked", fam.Revoked, true)
	})
	leewayTests := []struct {
		name   string
		now    time.Time
		leeway time.Duration
		want   error
	}{
		{"same instant, no leeway: a race", t1, 0, store.ErrConcurrentUse},
		{"arrived before the winner: a race", t1.Add(-time.Second), 0, store.ErrConcurrentUse},
		{"1µs later, no leeway: reuse", t1.Add(time.Microsecond), 0, store.ErrReused},
		{"within the leeway: a race", t1.Add(2 * time.Second), 2 * time.Second, store.ErrConcurrentUse},
		{"past the leeway: reuse", t1.Add(2*time.Second + time.Microsecond), 2 * time.Second, store.ErrReused},
		{"negative leeway counts as 0", t1, -time.Hour, store.ErrConcurrentUse},
	}
	for _, tt := range leewayTests {
		t.Run("leeway/"+tt.name, func(t *testing.T) {
			s := setup(t)
			r := rotation("sha256:r1", "sha256:late", tt.now)
			r.Leeway = tt.leeway
			fam, err := s.RefreshTokens().Rotate(ctx(t), r)
			wantErr(t, err, tt.want)
			revoked := tt.want == store.ErrReused
			wantEqual(t, "family revoked", fam.Revoked, revoked)
			cur, _ := lookup(t, s, "sha256:r2")
			wantEqual(t, "winner's token", cur.Status, map[bool]store.TokenStatus{true: store.StatusRevoked, false: store.StatusActive}[revoked])
			_, _, err = s.RefreshTokens().Lookup(ctx(t), "sha256:late")
			wantErr(t, err, store.ErrNotFound)
		})
	}
	t.Run("expiry", func(t *testing.T) {
		s := setup(t)
		exp := t1.Add(refreshLife)
		_, err := s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r2", "sha256:r3", exp))
		wantErr(t, err, store.ErrExpired)
		cur, fam := lookup(t, s, "sha256:r2")
		wantEqual(t, "expired token status", cur.Status, store.StatusActive)
		wantEqual(t, "family revoked", fam.Revoked, false)
		_, _, err = s.RefreshTokens().Lookup(ctx(t), "sha256:r3")
		wantErr(t, err, store.ErrNotFound)
		_, err = s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r2", "sha256:r3", exp.Add(-time.Microsecond)))
		must(t, err)
	})
	t.Run("a taken next hash rolls back the rotation", func(t *testing.T) {
		s := setup(t)
		_, err := s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r2", "sha256:x1", t1.Add(time.Minute)))
		wantErr(t, err, store.ErrConflict)
		cur, _ := lookup(t, s, "sha256:r2")
		wantEqual(t, "old token still active", cur.Status, store.StatusActive)
		other, _ := lookup(t, s, "sha256:x1")
		wantEqual(t, "other token's family", other.FamilyID, "fam-2")
		_, err = s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r2", "sha256:r3", t1.Add(time.Minute)))
		must(t, err)
	})
	t.Run("errors", func(t *testing.T) {
		s := setup(t)
		_, err := s.RefreshTokens().Rotate(ctx(t), rotation("sha256:unknown", "sha256:n", t1))
		wantErr(t, err, store.ErrNotFound)
		r := rotation("sha256:r2", "sha256:n", t1)
		r.Now = time.Time{}
		_, err = s.RefreshTokens().Rotate(ctx(t), r)
		wantErr(t, err, store.ErrInvalid)
		r = rotation("sha256:r2", "", t1)
		_, err = s.RefreshTokens().Rotate(ctx(t), r)
		wantErr(t, err, store.ErrInvalid)
		r = rotation("sha256:r2", "sha256:n", t1)
		r.Next.ExpiresAt = time.Time{}
		_, err = s.RefreshTokens().Rotate(ctx(t), r)
		wantErr(t, err, store.ErrInvalid)
		cur, _ := lookup(t, s, "sha256:r2")
		wantEqual(t, "token after failed calls", cur.Status, store.StatusActive)
	})
}
