package storetest

import (
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

func newCode(hash string) store.Code {
	return store.Code{
		Hash:            hash,
		ClientID:        "web",
		RedirectURI:     "http://127.0.0.1:8765/callback",
		Scope:           "openid profile",
		Subject:         "sub-alice",
		CodeChallenge:   "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		ChallengeMethod: "S256",
		Nonce:           "n-0S6_WzA2Mj",
		AuthTime:        t0,
		SessionID:       "sid-Hk2w9",
		Resource:        "https://api.example/ https://mcp.example/mcp",
		ExpiresAt:       t0.Add(time.Minute),
	}
}

// canonCode is newCode(hash) as the store returns it.
func canonCode(hash string) store.Code {
	c := newCode(hash)
	c.AuthTime = t0UTC
	c.ExpiresAt = t0UTC.Add(time.Minute)
	return c
}

func testCodes(t *testing.T, open Opener) {
	t.Run("redeem once", func(t *testing.T) {
		s := fresh(t, open)
		in := newCode("sha256:c1")
		in.UsedAt, in.FamilyID = t0, "ignored"
		must(t, s.Codes().Create(ctx(t), in))
		got, err := s.Codes().Redeem(ctx(t), "sha256:c1", t0.Add(30*time.Second))
		must(t, err)
		want := canonCode("sha256:c1")
		want.UsedAt = t0UTC.Add(30 * time.Second)
		wantEqual(t, "redeemed code", got, want)

		again, err := s.Codes().Redeem(ctx(t), "sha256:c1", t0.Add(31*time.Second))
		wantErr(t, err, store.ErrAlreadyUsed)
		wantEqual(t, "code returned with ErrAlreadyUsed", again, want)
	})
	t.Run("reuse reports the grant issued from the code", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Codes().Create(ctx(t), newCode("sha256:c1")))
		_, err := s.Codes().Redeem(ctx(t), "sha256:c1", t0)
		must(t, err)
		fam := newFamily("fam-1")
		fam.CodeHash = "sha256:c1"
		must(t, s.RefreshTokens().CreateFamily(ctx(t), fam, newRefresh("sha256:r1")))
		must(t, s.AccessTokens().Record(ctx(t), newAccess("jti-1", "fam-1")))

		// A replay, even after the code expired: the caller revokes the family.
		replay, err := s.Codes().Redeem(ctx(t), "sha256:c1", t0.Add(time.Hour))
		wantErr(t, err, store.ErrAlreadyUsed)
		wantEqual(t, "family of the replayed code", replay.FamilyID, "fam-1")
		must(t, s.RefreshTokens().RevokeFamily(ctx(t), replay.FamilyID))
		at, err := s.AccessTokens().Get(ctx(t), "jti-1")
		must(t, err)
		wantEqual(t, "access token revoked", at.Revoked, true)
		_, err = s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r1", "sha256:r2", t0.Add(time.Hour)))
		wantErr(t, err, store.ErrRevoked)
	})
	t.Run("expiry", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Codes().Create(ctx(t), newCode("sha256:late")))
		must(t, s.Codes().Create(ctx(t), newCode("sha256:just")))
		exp := t0.Add(time.Minute)
		_, err := s.Codes().Redeem(ctx(t), "sha256:late", exp)
		wantErr(t, err, store.ErrExpired)
		// An expired code is not consumed: it stays expired, not "used".
		_, err = s.Codes().Redeem(ctx(t), "sha256:late", exp.Add(time.Second))
		wantErr(t, err, store.ErrExpired)
		got, err := s.Codes().Redeem(ctx(t), "sha256:just", exp.Add(-time.Microsecond))
		must(t, err)
		wantEqual(t, "used at", got.UsedAt, t0UTC.Add(time.Minute-time.Microsecond))
	})
	t.Run("errors", func(t *testing.T) {
		s := fresh(t, open)
		_, err := s.Codes().Redeem(ctx(t), "sha256:unknown", t0)
		wantErr(t, err, store.ErrNotFound)
		must(t, s.Codes().Create(ctx(t), newCode("sha256:c1")))
		wantErr(t, s.Codes().Create(ctx(t), newCode("sha256:c1")), store.ErrConflict)
		_, err = s.Codes().Redeem(ctx(t), "sha256:c1", time.Time{})
		wantErr(t, err, store.ErrInvalid)
		for name, c := range map[string]store.Code{
			"no hash":   {ClientID: "web", ExpiresAt: t0},
			"no client": {Hash: "sha256:x", ExpiresAt: t0},
			"no expiry": {Hash: "sha256:x", ClientID: "web"},
		} {
			t.Run(name, func(t *testing.T) {
				wantErr(t, s.Codes().Create(ctx(t), c), store.ErrInvalid)
			})
		}
		// The failed calls changed nothing: the code still redeems.
		_, err = s.Codes().Redeem(ctx(t), "sha256:c1", t0)
		must(t, err)
	})
}
