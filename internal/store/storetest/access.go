package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

func newAccess(id, familyID string) store.AccessToken {
	return store.AccessToken{
		ID: id, FamilyID: familyID, ClientID: "web", Subject: "sub-alice", Scope: "openid",
		IssuedAt: t0, ExpiresAt: t0.Add(30 * time.Minute), Audience: "https://api.example/ https://mcp.example/mcp",
	}
}

func testAccessTokens(t *testing.T, open Opener) {
	t.Run("record, get, revoke", func(t *testing.T) {
		s := fresh(t, open)
		in := newAccess("jti-1", "")
		in.Revoked = true // set by the store only
		must(t, s.AccessTokens().Record(ctx(t), in))
		got, err := s.AccessTokens().Get(ctx(t), "jti-1")
		must(t, err)
		want := store.AccessToken{
			ID: "jti-1", ClientID: "web", Subject: "sub-alice", Scope: "openid",
			IssuedAt: t0UTC, ExpiresAt: t0UTC.Add(30 * time.Minute), Audience: "https://api.example/ https://mcp.example/mcp",
		}
		wantEqual(t, "access token", got, want)
		must(t, s.AccessTokens().Revoke(ctx(t), "jti-1"))
		must(t, s.AccessTokens().Revoke(ctx(t), "jti-1"))
		got, err = s.AccessTokens().Get(ctx(t), "jti-1")
		must(t, err)
		want.Revoked = true
		wantEqual(t, "revoked access token", got, want)
	})
	t.Run("revoking the family revokes its tokens only", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("fam-1"), newRefresh("sha256:r1")))
		must(t, s.RefreshTokens().CreateFamily(ctx(t), newFamily("fam-2"), newRefresh("sha256:r2")))
		must(t, s.AccessTokens().Record(ctx(t), newAccess("a1", "fam-1")))
		must(t, s.AccessTokens().Record(ctx(t), newAccess("a2", "fam-1")))
		must(t, s.AccessTokens().Record(ctx(t), newAccess("b1", "fam-2")))
		must(t, s.AccessTokens().Record(ctx(t), newAccess("cc", "")))
		must(t, s.RefreshTokens().RevokeFamily(ctx(t), "fam-1"))
		for id, want := range map[string]bool{"a1": true, "a2": true, "b1": false, "cc": false} {
			got, err := s.AccessTokens().Get(ctx(t), id)
			must(t, err)
			if got.Revoked != want {
				t.Errorf("access token %s: Revoked = %v, want %v", id, got.Revoked, want)
			}
			wantEqual(t, "family of "+id, got.FamilyID, newFamilyOf(id))
		}
	})
	t.Run("errors", func(t *testing.T) {
		s := fresh(t, open)
		_, err := s.AccessTokens().Get(ctx(t), "missing")
		wantErr(t, err, store.ErrNotFound)
		wantErr(t, s.AccessTokens().Revoke(ctx(t), "missing"), store.ErrNotFound)
		must(t, s.AccessTokens().Record(ctx(t), newAccess("jti-1", "")))
		wantErr(t, s.AccessTokens().Record(ctx(t), newAccess("jti-1", "")), store.ErrConflict)
		wantErr(t, s.AccessTokens().Record(ctx(t), newAccess("jti-2", "no-such-family")), store.ErrNotFound)
		_, err = s.AccessTokens().Get(ctx(t), "jti-2")
		wantErr(t, err, store.ErrNotFound)
		bad := newAccess("jti-3", "")
		bad.ExpiresAt = time.Time{}
		wantErr(t, s.AccessTokens().Record(ctx(t), bad), store.ErrInvalid)
		wantErr(t, s.AccessTokens().Record(ctx(t), newAccess("", "")), store.ErrInvalid)
		noClient := newAccess("jti-4", "")
		noClient.ClientID = ""
		wantErr(t, s.AccessTokens().Record(ctx(t), noClient), store.ErrInvalid)
	})
}

func newFamilyOf(accessID string) string {
	switch accessID[0] {
	case 'a':
		return "fam-1"
	case 'b':
		return "fam-2"
	}
	return ""
}

func testLifecycle(t *testing.T, open Opener) {
	t.Run("cancelled context", func(t *testing.T) {
		s := fresh(t, open)
		c, cancel := context.WithCancel(ctx(t))
		cancel()
		_, err := s.Clients().Get(c, "web")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Get with a cancelled context: error = %v, want context.Canceled", err)
		}
		err = s.Codes().Create(c, newCode("sha256:c1"))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Create with a cancelled context: error = %v, want context.Canceled", err)
		}
		_, err = s.Codes().Redeem(ctx(t), "sha256:c1", t0)
		wantErr(t, err, store.ErrNotFound)
	})
	t.Run("closed store is unavailable", func(t *testing.T) {
		s := open(t)
		must(t, s.Ping(ctx(t)))
		must(t, s.Clients().Put(ctx(t), store.Client{ID: "web"}))
		must(t, s.Close())
		must(t, s.Close())
		wantErr(t, s.Ping(ctx(t)), store.ErrUnavailable)
		_, err := s.Clients().Get(ctx(t), "web")
		wantErr(t, err, store.ErrUnavailable)
		wantErr(t, s.Codes().Create(ctx(t), newCode("sha256:c1")), store.ErrUnavailable)
		_, err = s.RefreshTokens().Rotate(ctx(t), rotation("sha256:r1", "sha256:r2", t0))
		wantErr(t, err, store.ErrUnavailable)
	})
}
