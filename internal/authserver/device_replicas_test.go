package authserver

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
	"github.com/oauthkit/oauthkit/keys"
)

// Two servers on one SQLite file, as two replicas behind a load balancer:
// the slow_down interval and the last poll time live in the store, so a
// device alternating between them is held to one interval (docs/security.md
// rule 80), and the code is redeemed once (rule 78).
func TestDeviceSlowDownAcrossServers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	clock := &azClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	replica := func() (string, store.Store) {
		db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		ks, err := NewKeySet(key)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewUnstartedServer(nil)
		srv, err := New(Settings{Issuer: "http://issuer.example.test", AccessTokenTTL: 30 * time.Minute, RefreshTokenTTL: 8 * time.Hour,
			CodeTTL: time.Minute}, Options{Store: db, Hasher: &hashing.Hasher{}, Keys: ks, Now: clock.now,
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		ts.Config = NewHTTPServer(srv.Handler(), slog.New(slog.DiscardHandler))
		ts.Start()
		t.Cleanup(ts.Close)
		return ts.URL, db
	}
	a, db := replica()
	b, _ := replica()
	if err := db.Clients().Put(t.Context(), store.Client{ID: "tv", AuthMethod: "none", Scopes: []string{"read"},
		GrantTypes: []string{GrantDeviceCode}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Users().Put(t.Context(), store.User{Username: "alice", Subject: "sub-alice"}); err != nil {
		t.Fatal(err)
	}
	post := func(base, path string, form url.Values) devResp {
		t.Helper()
		form.Set("client_id", "tv")
		res, err := http.Post(base+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		r := devResp{azResp: azResp{status: res.StatusCode, header: res.Header}}
		if err := json.NewDecoder(res.Body).Decode(&r.m); err != nil {
			t.Fatal(err)
		}
		return r
	}
	poll := func(base, dc string) devResp {
		return post(base, "/token", url.Values{"grant_type": {GrantDeviceCode}, "device_code": {dc}})
	}
	start := post(a, "/device_authorization", url.Values{})
	dc := start.s("device_code")
	wantDeviceError(t, poll(a, dc), 400, "authorization_pending", "every 5 seconds")
	wantDeviceError(t, poll(b, dc), 400, "slow_down", "every 10 seconds")
	clock.advance(6 * time.Second)
	wantDeviceError(t, poll(a, dc), 400, "slow_down", "every 15 seconds")

	// approved through the store (as the page of either replica does)
	code, _ := NormalizeUserCode(start.s("user_code"))
	if _, err := db.DeviceCodes().Decide(t.Context(), (&hashing.Hasher{}).Candidates("user_code:" + code)[0],
		store.DeviceDecision{Approve: true, Subject: "sub-alice", AuthTime: clock.now(), Now: clock.now()}); err != nil {
		t.Fatal(err)
	}
	clock.advance(15 * time.Second)
	if r := poll(b, dc); r.status != 200 || r.s("access_token") == "" {
		t.Fatalf("poll on the other replica after approval: %d %v", r.status, r.m)
	}
	clock.advance(15 * time.Second)
	wantDeviceError(t, poll(a, dc), 400, "invalid_grant", "already used")
}
