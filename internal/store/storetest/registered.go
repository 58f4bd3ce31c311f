package storetest

import (
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
)

// testRegisteredClients: the dynamic registration settings of a client
// (store.ClientExtensions.Registered, RegistrationTokenHash) are stored with
// it, replaced with it, and listed with it.
func testRegisteredClients(t *testing.T, open Opener) {
	t.Run("registration settings round-trip", func(t *testing.T) {
		s := fresh(t, open)
		in := store.Client{ID: "dcr-1", Name: "app", RedirectURIs: []string{"https://app.example/cb"},
			GrantTypes: []string{"authorization_code"}, AuthMethod: "none", CreatedAt: t0,
			Ext: store.ClientExtensions{Registered: true, RegistrationTokenHash: "hmac-sha256:abc"}}
		must(t, s.Clients().Put(ctx(t), in))
		got, err := s.Clients().Get(ctx(t), "dcr-1")
		must(t, err)
		want := in
		want.CreatedAt = t0UTC
		wantEqual(t, "client", got, want)
		list, err := s.Clients().List(ctx(t))
		must(t, err)
		if len(list) != 1 || !list[0].Ext.Registered || list[0].Ext.RegistrationTokenHash != "hmac-sha256:abc" {
			t.Fatalf("List = %+v, want the registered client with its settings", list)
		}
	})
	t.Run("a replacement without them clears them", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Clients().Put(ctx(t), store.Client{ID: "c", Ext: store.ClientExtensions{Registered: true, RegistrationTokenHash: "h"}}))
		must(t, s.Clients().Put(ctx(t), store.Client{ID: "c"}))
		got, err := s.Clients().Get(ctx(t), "c")
		must(t, err)
		if got.Ext.Registered || got.Ext.RegistrationTokenHash != "" {
			t.Fatalf("Ext = %+v after a replacement without it, want empty", got.Ext)
		}
	})
}
