package memory

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/testutil/fakeclock"
	signingkeys "github.com/oauthkit/oauthkit/keys"
)

// sizes counts what the store holds, map by map.
func (s *Store) sizes() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]int{"codes": len(s.codes), "families": len(s.families), "familyByCode": len(s.familyByCode),
		"refresh": len(s.refresh), "access": len(s.access), "unredeemed": len(s.unredeemed)}
}

// The index behind CountLive holds a client's codes until they are
// redeemed or purged, and no longer: it neither grows with redeemed codes
// nor keeps an empty entry per client.
func TestUnredeemedCodesAreForgotten(t *testing.T) {
	st := New()
	ctx := t.Context()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	code := func(hash, client string) store.Code {
		return store.Code{Hash: hash, ClientID: client, RedirectURI: "http://127.0.0.1/cb", Subject: "alice",
			AuthTime: t0, ExpiresAt: t0.Add(time.Minute)}
	}
	for _, c := range []store.Code{code("sha256:a1", "a"), code("sha256:a2", "a"), code("sha256:b1", "b")} {
		if err := st.Codes().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Codes().Redeem(ctx, "sha256:a1", t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	for client, want := range map[string]int{"a": 1, "b": 1, "c": 0} {
		if n, err := st.Codes().CountLive(ctx, client, t0.Add(time.Second)); err != nil || n != want {
			t.Errorf("CountLive(%s) = %d, %v; want %d", client, n, err, want)
		}
	}
	if n, _ := st.Codes().CountLive(ctx, "a", t0.Add(time.Minute)); n != 0 {
		t.Errorf("CountLive(a) at expiry = %d, want 0", n)
	}
	if got := st.sizes()["unredeemed"]; got != 2 {
		t.Errorf("unredeemed holds %d clients before the purge, want 2 (a and b)", got)
	}
	if _, err := st.Purge(ctx, t0.Add(2*time.Minute), 100); err != nil {
		t.Fatal(err)
	}
	if got := st.sizes(); got["unredeemed"] != 0 || got["codes"] != 0 {
		t.Errorf("after the purge: %v, want no code and no unredeemed entry", got)
	}
}

// `serve --store memory` stays bounded however many tokens it issues
// (issue 17): a real server on this store, with an injected clock, issues
// client_credentials tokens, code grants and refresh rotations with short
// lifetimes; once they have expired past the purge grace, PurgeExpired (what
// RunPurger calls every minute) leaves no code, grant, refresh token or
// access token behind, while a grant issued afterwards is kept.
func TestPurgeBoundsMemory(t *testing.T) {
	const secret = "bounded-secret-0123456789abcdef"
	st := New()
	h := &hashing.Hasher{}
	clk := fakeclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	ctx := t.Context()
	if err := st.Clients().Put(ctx, store.Client{ID: "app", AuthMethod: "client_secret_basic", SecretHash: h.Hash(secret),
		Scopes:       []string{"read"},
		GrantTypes:   []string{authserver.GrantClientCredentials, authserver.GrantRefreshToken, authserver.GrantAuthorizationCode},
		RedirectURIs: []string{"http://127.0.0.1/callback"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Users().Put(ctx, store.User{Username: "alice", Subject: "alice"}); err != nil {
		t.Fatal(err)
	}
	key, err := signingkeys.Generate(signingkeys.Spec{Type: signingkeys.TypeEC}) // fast signatures: the test is about memory
	if err != nil {
		t.Fatal(err)
	}
	ks, err := authserver.NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := authserver.New(authserver.Settings{Issuer: "http://127.0.0.1", AccessTokenTTL: 5 * time.Minute,
		RefreshTokenTTL: 10 * time.Minute, CodeTTL: time.Minute, AutoApproveUser: "alice"},
		authserver.Options{Store: st, Hasher: h, Keys: ks, Now: clk.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	c := ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	post := func(form url.Values) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("app", secret)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		var m map[string]any
		if res.StatusCode != http.StatusOK || json.Unmarshal(body, &m) != nil {
			t.Fatalf("/token %s: %d %s", form.Get("grant_type"), res.StatusCode, body)
		}
		return m
	}
	codeGrant := func() string {
		t.Helper()
		q := url.Values{"response_type": {"code"}, "client_id": {"app"}, "redirect_uri": {"http://127.0.0.1/callback"},
			"scope": {"read"}, "state": {"s"}}
		res, err := c.Get(ts.URL + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, err := url.Parse(res.Header.Get("Location"))
		if err != nil || loc.Query().Get("code") == "" {
			t.Fatalf("/authorize: %d, Location %q", res.StatusCode, res.Header.Get("Location"))
		}
		m := post(url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
			"redirect_uri": {"http://127.0.0.1/callback"}})
		return m["refresh_token"].(string)
	}

	const rounds = 40
	for range rounds {
		for range 5 {
			post(url.Values{"grant_type": {"client_credentials"}})
		}
		rt := codeGrant()
		for range 2 {
			rt = post(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})["refresh_token"].(string)
		}
		clk.Advance(10 * time.Second)
	}
	full := st.sizes()
	t.Logf("after %d rounds: %v", rounds, full)
	for name, min := range map[string]int{"codes": rounds, "families": rounds, "familyByCode": rounds,
		"refresh": 3 * rounds, "access": 3 * rounds} {
		if full[name] < min {
			t.Fatalf("%s holds %d records after the load, want at least %d: the test issues less than it thinks", name, full[name], min)
		}
	}
	// The 200 client_credentials tokens are self-contained: together they
	// add one record, their lease (docs/security.md rule 109).
	if full["access"] != 3*rounds+1 {
		t.Fatalf("access holds %d records, want %d: the grants' 3 per round and one lease", full["access"], 3*rounds+1)
	}

	// Everything above expires 10 minutes after it was issued at the
	// latest; the purge keeps expired records for PurgeGrace.
	clk.Advance(10*time.Minute + authserver.PurgeGrace + time.Second)
	keep := codeGrant() // live: it must survive the purge
	n, err := srv.PurgeExpired(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	after := st.sizes()
	t.Logf("purged %d records; left: %v", n, after)
	// Left: the grant issued after the load, and the lease of the
	// client_credentials tokens, expired less than PurgeGrace ago.
	want := map[string]int{"codes": 1, "families": 1, "familyByCode": 1, "refresh": 1, "access": 2, "unredeemed": 0}
	for name, w := range want {
		if after[name] != w {
			t.Errorf("%s holds %d records after the purge, want %d (the grant issued after the load, and the lease)", name, after[name], w)
		}
	}
	post(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {keep}})
}
