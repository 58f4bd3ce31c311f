package provision

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
)

// A client registered dynamically (RFC 7591) is not the configuration's:
// Sync keeps it while it removes an undeclared configured client
// (docs/security.md rule 108), and the registration settings map to the
// server's.
func TestSyncKeepsRegisteredClients(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cheap := func(pw string) (string, error) { return "$2b$04$" + pw, nil }
	reg := store.Client{ID: "dcr-1", AuthMethod: "none", RedirectURIs: []string{"http://127.0.0.1/cb"},
		GrantTypes: []string{"authorization_code"}, CreatedAt: now,
		Ext: store.ClientExtensions{Registered: true, RegistrationTokenHash: "sha256:00"}}
	if err := st.Clients().Put(ctx, reg); err != nil {
		t.Fatal(err)
	}
	if err := st.Clients().Put(ctx, store.Client{ID: "stale", AuthMethod: "none"}); err != nil {
		t.Fatal(err)
	}
	cfg := parse(t, second+"registration: {mode: open, rate_per_minute: 3, max_clients: 7}\n")
	if err := Sync(ctx, st, &hashing.Hasher{}, cfg, now, Options{HashPassword: cheap}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Clients().Get(ctx, "dcr-1")
	if err != nil {
		t.Fatalf("the registered client after Sync: %v, want it kept", err)
	}
	if !got.Ext.Registered || got.Ext.RegistrationTokenHash != "sha256:00" {
		t.Errorf("the registered client lost its registration settings: %+v", got.Ext)
	}
	if _, err := st.Clients().Get(ctx, "stale"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an undeclared configured client after Sync: %v, want not found", err)
	}
	s := Settings(cfg, "http://127.0.0.1:1")
	if s.Registration.Mode != "open" || s.Registration.RatePerMinute != 3 || s.Registration.MaxClients != 7 || s.Registration.InitialAccessToken != "" {
		t.Errorf("Settings().Registration = %+v", s.Registration)
	}
}
