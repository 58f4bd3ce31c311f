package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// testRotateWithAccess: the access token of a refresh is recorded in the
// rotation's transaction, only when the rotation succeeds.
func testRotateWithAccess(t *testing.T, open Opener) {
	t1 := t0.Add(time.Hour)
	// setup: fam-1 with r1 (active), fam-2 with x1; jti-taken recorded.
	setup := func(t *testing.T) store.Store {
		s := twoFamilies(t, open)
		must(t, s.AccessTokens().Record(ctx(t), newAccess("jti-taken", "fam-2")))
		return s
	}
	withAccess := func(old, next, jti, fam string, now time.Time) store.Rotation {
		r := rotation(old, next, now)
		a := newAccess(jti, fam)
		a.IssuedAt, a.ExpiresAt = now, now.Add(30*time.Minute)
		r.Access = &a
		return r
	}
	// unchanged: r1 still active, no successor, no record of jti.
	unchanged := func(t *testing.T, s store.Store, next, jti string) {
		t.Helper()
		cur, fam := lookup(t, s, "sha256:r1")
		wantEqual(t, "presented token", cur.Status, store.StatusActive)
		wantEqual(t, "family revoked", fam.Revoked, false)
		_, _, err := s.RefreshTokens().Lookup(ctx(t), next)
		wantErr(t, err, store.ErrNotFound)
		_, err = s.AccessTokens().Get(ctx(t), jti)
		wantErr(t, err, store.ErrNotFound)
	}

	t.Run("recorded with the rotation", func(t *testing.T) {
		s := setup(t)
		fam, err := s.RefreshTokens().Rotate(ctx(t), withAccess("sha256:r1", "sha256:r2", "jti-1", "fam-1", t1))
		must(t, err)
		wantEqual(t, "family", fam, canonFamily("fam-1"))
		next, _ := lookup(t, s, "sha256:r2")
		wantEqual(t, "successor", next.Status, store.StatusActive)
		got, err := s.AccessTokens().Get(ctx(t), "jti-1")
		must(t, err)
		want := newAccess("jti-1", "fam-1")
		want.IssuedAt, want.ExpiresAt = t0UTC.Add(time.Hour), t0UTC.Add(time.Hour+30*time.Minute)
		wantEqual(t, "access token", got, want)
		// It is the family's: revoking the family revokes it.
		must(t, s.RefreshTokens().RevokeFamily(ctx(t), "fam-1"))
		got, err = s.AccessTokens().Get(ctx(t), "jti-1")
		must(t, err)
		wantEqual(t, "revoked with its family", got.Revoked, true)
	})
	t.Run("a refused rotation records nothing", func(t *testing.T) {
		s := setup(t)
		_, err := s.RefreshTokens().Rotate(ctx(t), withAccess("sha256:r1", "sha256:r2", "jti-1", "fam-1", t1))
		must(t, err)
		for _, tt := range []struct {
			name, old string
			now       time.Time
			want      error
		}{
			{"a race", "sha256:r1", t1, store.ErrConcurrentUse},
			{"expired", "sha256:r2", t1.Add(refreshLife), store.ErrExpired},
			{"unknown", "sha256:nope", t1, store.ErrNotFound},
			{"reused", "sha256:r1", t1.Add(time.Minute), store.ErrReused},
			{"revoked", "sha256:r2", t1.Add(2 * time.Minute), store.ErrRevoked},
		} {
			_, err := s.RefreshTokens().Rotate(ctx(t), withAccess(tt.old, "sha256:n-"+tt.name, "jti-"+tt.name, "fam-1", tt.now))
			if !errors.Is(err, tt.want) {
				t.Fatalf("%s: Rotate error = %v, want %v", tt.name, err, tt.want)
			}
			if _, err := s.AccessTokens().Get(ctx(t), "jti-"+tt.name); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: the access token of a refused rotation: Get error = %v, want ErrNotFound", tt.name, err)
			}
		}
	})
	t.Run("another family's access token refuses the rotation", func(t *testing.T) {
		s := setup(t)
		_, err := s.RefreshTokens().Rotate(ctx(t), withAccess("sha256:r1", "sha256:r2", "jti-1", "fam-2", t1))
		wantErr(t, err, store.ErrInvalid)
		unchanged(t, s, "sha256:r2", "jti-1")
	})
	t.Run("a taken access token ID rolls the rotation back", func(t *testing.T) {
		s := setup(t)
		_, err := s.RefreshTokens().Rotate(ctx(t), withAccess("sha256:r1", "sha256:r2", "jti-taken", "fam-1", t1))
		wantErr(t, err, store.ErrConflict)
		cur, _ := lookup(t, s, "sha256:r1")
		wantEqual(t, "presented token", cur.Status, store.StatusActive)
		_, _, err = s.RefreshTokens().Lookup(ctx(t), "sha256:r2")
		wantErr(t, err, store.ErrNotFound)
		taken, err := s.AccessTokens().Get(ctx(t), "jti-taken")
		must(t, err)
		wantEqual(t, "the record that held the ID", taken.FamilyID, "fam-2")
		// The retry with a new ID works.
		_, err = s.RefreshTokens().Rotate(ctx(t), withAccess("sha256:r1", "sha256:r2", "jti-1", "fam-1", t1))
		must(t, err)
	})
	t.Run("an invalid access record", func(t *testing.T) {
		s := setup(t)
		for name, mutate := range map[string]func(*store.AccessToken){
			"no ID":        func(a *store.AccessToken) { a.ID = "" },
			"no client":    func(a *store.AccessToken) { a.ClientID = "" },
			"no expiry":    func(a *store.AccessToken) { a.ExpiresAt = time.Time{} },
			"no family ID": func(a *store.AccessToken) { a.FamilyID = "" },
		} {
			r := withAccess("sha256:r1", "sha256:r2", "jti-1", "fam-1", t1)
			mutate(r.Access)
			_, err := s.RefreshTokens().Rotate(ctx(t), r)
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("%s: Rotate error = %v, want ErrInvalid", name, err)
			}
		}
		unchanged(t, s, "sha256:r2", "jti-1")
	})
}
