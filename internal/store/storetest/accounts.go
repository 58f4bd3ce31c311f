package storetest

import (
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

func fullClient(id string) store.Client {
	return store.Client{
		ID:                     id,
		SecretHash:             "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Name:                   "Demo " + id,
		RedirectURIs:           []string{"http://127.0.0.1/callback", "https://app.example/cb?x=1"},
		PostLogoutRedirectURIs: []string{"https://app.example/bye", "http://127.0.0.1/signed-out"},
		GrantTypes:             []string{"authorization_code", "refresh_token"},
		Scopes:                 []string{"openid", "profile"},
		AuthMethod:             "client_secret_basic",
		AutoApprove:            true,
		SkipConsent:            true,
		TokenResponse:          "apigee",
		Claims:                 map[string]any{"tier": "gold", "limit": 10, "beta": true, "roles": []string{"a", "b"}},
		CreatedAt:              t0,
		Ext: store.ClientExtensions{DPoPBoundAccessTokens: true, RequirePushedAuthorizationRequests: true,
			Resources: []string{"https://api.example/", "https://mcp.example/mcp"}},
	}
}

func testClients(t *testing.T, open Opener) {
	t.Run("put then get returns the canonical record", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Clients().Put(ctx(t), fullClient("web")))
		got, err := s.Clients().Get(ctx(t), "web")
		must(t, err)
		want := fullClient("web")
		want.CreatedAt = t0UTC
		want.Claims = map[string]any{"tier": "gold", "limit": float64(10), "beta": true, "roles": []any{"a", "b"}}
		wantEqual(t, "client", got, want)
	})
	t.Run("empty lists and claims come back nil", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Clients().Put(ctx(t), store.Client{ID: "bare", RedirectURIs: []string{}, Claims: map[string]any{}}))
		got, err := s.Clients().Get(ctx(t), "bare")
		must(t, err)
		wantEqual(t, "client", got, store.Client{ID: "bare"})
	})
	t.Run("put replaces", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Clients().Put(ctx(t), fullClient("web")))
		repl := store.Client{ID: "web", Name: "renamed", RedirectURIs: []string{"https://new.example/cb"}, AuthMethod: "none"}
		must(t, s.Clients().Put(ctx(t), repl))
		got, err := s.Clients().Get(ctx(t), "web")
		must(t, err)
		wantEqual(t, "client", got, repl)
	})
	t.Run("records are copies", func(t *testing.T) {
		s := fresh(t, open)
		in := fullClient("web")
		must(t, s.Clients().Put(ctx(t), in))
		in.RedirectURIs[0] = "https://evil.example/"
		in.Claims["tier"] = "changed"
		got, err := s.Clients().Get(ctx(t), "web")
		must(t, err)
		got.RedirectURIs[0] = "https://evil.example/"
		got.Claims["tier"] = "changed"
		again, err := s.Clients().Get(ctx(t), "web")
		must(t, err)
		wantEqual(t, "redirect URIs", again.RedirectURIs, []string{"http://127.0.0.1/callback", "https://app.example/cb?x=1"})
		wantEqual(t, "tier claim", again.Claims["tier"], any("gold"))
	})
	t.Run("list is ordered by ID", func(t *testing.T) {
		s := fresh(t, open)
		list, err := s.Clients().List(ctx(t))
		must(t, err)
		wantEqual(t, "empty list length", len(list), 0)
		for _, id := range []string{"zeta", "alpha", "mid"} {
			must(t, s.Clients().Put(ctx(t), store.Client{ID: id}))
		}
		list, err = s.Clients().List(ctx(t))
		must(t, err)
		var ids []string
		for _, c := range list {
			ids = append(ids, c.ID)
		}
		wantEqual(t, "IDs", ids, []string{"alpha", "mid", "zeta"})
	})
	t.Run("delete", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Clients().Put(ctx(t), store.Client{ID: "web"}))
		must(t, s.Clients().Delete(ctx(t), "web"))
		_, err := s.Clients().Get(ctx(t), "web")
		wantErr(t, err, store.ErrNotFound)
		wantErr(t, s.Clients().Delete(ctx(t), "web"), store.ErrNotFound)
	})
	t.Run("errors", func(t *testing.T) {
		s := fresh(t, open)
		_, err := s.Clients().Get(ctx(t), "nobody")
		wantErr(t, err, store.ErrNotFound)
		wantErr(t, s.Clients().Put(ctx(t), store.Client{Name: "no id"}), store.ErrInvalid)
		wantErr(t, s.Clients().Put(ctx(t), store.Client{ID: "x", Claims: map[string]any{"f": func() {}}}), store.ErrInvalid)
		_, err = s.Clients().Get(ctx(t), "x")
		wantErr(t, err, store.ErrNotFound)
	})
}

func testUsers(t *testing.T, open Opener) {
	alice := store.User{Username: "alice", Subject: "sub-alice", PasswordHash: "sha256:abc", Claims: map[string]any{"email": "alice@example.com", "email_verified": true}}
	t.Run("put, get, get by subject", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Users().Put(ctx(t), alice))
		got, err := s.Users().Get(ctx(t), "alice")
		must(t, err)
		wantEqual(t, "user", got, alice)
		got, err = s.Users().GetBySubject(ctx(t), "sub-alice")
		must(t, err)
		wantEqual(t, "user by subject", got, alice)
	})
	t.Run("subjects are unique", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Users().Put(ctx(t), alice))
		wantErr(t, s.Users().Put(ctx(t), store.User{Username: "mallory", Subject: "sub-alice"}), store.ErrConflict)
		_, err := s.Users().Get(ctx(t), "mallory")
		wantErr(t, err, store.ErrNotFound)
	})
	t.Run("put replaces and frees the old subject", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Users().Put(ctx(t), alice))
		must(t, s.Users().Put(ctx(t), store.User{Username: "alice", Subject: "sub-alice-2"}))
		_, err := s.Users().GetBySubject(ctx(t), "sub-alice")
		wantErr(t, err, store.ErrNotFound)
		got, err := s.Users().GetBySubject(ctx(t), "sub-alice-2")
		must(t, err)
		wantEqual(t, "user", got, store.User{Username: "alice", Subject: "sub-alice-2"})
		must(t, s.Users().Put(ctx(t), store.User{Username: "bob", Subject: "sub-alice"}))
	})
	t.Run("delete frees the subject", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Users().Put(ctx(t), alice))
		must(t, s.Users().Delete(ctx(t), "alice"))
		_, err := s.Users().Get(ctx(t), "alice")
		wantErr(t, err, store.ErrNotFound)
		_, err = s.Users().GetBySubject(ctx(t), "sub-alice")
		wantErr(t, err, store.ErrNotFound)
		wantErr(t, s.Users().Delete(ctx(t), "alice"), store.ErrNotFound)
		must(t, s.Users().Put(ctx(t), store.User{Username: "alice2", Subject: "sub-alice"}))
	})
	t.Run("list is ordered by username", func(t *testing.T) {
		s := fresh(t, open)
		for _, n := range []string{"carol", "alice", "bob"} {
			must(t, s.Users().Put(ctx(t), store.User{Username: n, Subject: "sub-" + n}))
		}
		list, err := s.Users().List(ctx(t))
		must(t, err)
		wantEqual(t, "users", list, []store.User{
			{Username: "alice", Subject: "sub-alice"},
			{Username: "bob", Subject: "sub-bob"},
			{Username: "carol", Subject: "sub-carol"},
		})
	})
	t.Run("invalid", func(t *testing.T) {
		s := fresh(t, open)
		wantErr(t, s.Users().Put(ctx(t), store.User{Username: "nosub"}), store.ErrInvalid)
		wantErr(t, s.Users().Put(ctx(t), store.User{Subject: "noname"}), store.ErrInvalid)
		_, err := s.Users().GetBySubject(ctx(t), "")
		wantErr(t, err, store.ErrNotFound)
	})
}

func testKeys(t *testing.T, open Opener) {
	pem := []byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n")
	t.Run("add, get, list, set active", func(t *testing.T) {
		s := fresh(t, open)
		newer := store.Key{KID: "k-new", Alg: "EdDSA", PrivatePEM: pem, CreatedAt: t0.Add(time.Hour), Active: true}
		older := store.Key{KID: "k-old", Alg: "RS256", PrivatePEM: pem, CreatedAt: t0, Active: true}
		same := store.Key{KID: "k-a", Alg: "ES256", PrivatePEM: pem, CreatedAt: t0}
		for _, k := range []store.Key{newer, older, same} {
			must(t, s.Keys().Add(ctx(t), k))
		}
		got, err := s.Keys().Get(ctx(t), "k-old")
		must(t, err)
		wantEqual(t, "key", got, store.Key{KID: "k-old", Alg: "RS256", PrivatePEM: pem, CreatedAt: t0UTC, Active: true})

		must(t, s.Keys().SetActive(ctx(t), "k-old", false))
		list, err := s.Keys().List(ctx(t))
		must(t, err)
		var summary []string
		for _, k := range list {
			summary = append(summary, k.KID+map[bool]string{true: "+", false: "-"}[k.Active])
		}
		wantEqual(t, "keys (oldest first, then by KID)", summary, []string{"k-a-", "k-old-", "k-new+"})
	})
	t.Run("pem bytes are copies", func(t *testing.T) {
		s := fresh(t, open)
		in := store.Key{KID: "k", Alg: "EdDSA", PrivatePEM: append([]byte(nil), pem...), CreatedAt: t0}
		must(t, s.Keys().Add(ctx(t), in))
		in.PrivatePEM[0] = 'X'
		got, err := s.Keys().Get(ctx(t), "k")
		must(t, err)
		got.PrivatePEM[1] = 'Y'
		again, err := s.Keys().Get(ctx(t), "k")
		must(t, err)
		wantEqual(t, "pem", string(again.PrivatePEM), string(pem))
	})
	t.Run("errors", func(t *testing.T) {
		s := fresh(t, open)
		k := store.Key{KID: "k", Alg: "EdDSA", PrivatePEM: pem, CreatedAt: t0}
		must(t, s.Keys().Add(ctx(t), k))
		wantErr(t, s.Keys().Add(ctx(t), k), store.ErrConflict)
		_, err := s.Keys().Get(ctx(t), "missing")
		wantErr(t, err, store.ErrNotFound)
		wantErr(t, s.Keys().SetActive(ctx(t), "missing", true), store.ErrNotFound)
		wantErr(t, s.Keys().Add(ctx(t), store.Key{KID: "x", Alg: "EdDSA"}), store.ErrInvalid)
		wantErr(t, s.Keys().Add(ctx(t), store.Key{KID: "x", PrivatePEM: pem}), store.ErrInvalid)
		wantErr(t, s.Keys().Add(ctx(t), store.Key{Alg: "EdDSA", PrivatePEM: pem}), store.ErrInvalid)
	})
}
