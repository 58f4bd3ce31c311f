package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests run the real `oauthkit serve` as a separate process (this
// test binary re-executed as "oauthkit", as testscript.Main arranges) and
// talk to it over HTTP: what survives kill -9, what parallel clients see,
// how it stops. Every wait is bounded and every server is stopped by
// t.Cleanup.

// TestServeKill9KeepsRotation: a refresh answered 200 just before kill -9
// is durable: after a restart the new token works and the old one is
// refused (docs/security.md rule 29).
func TestServeKill9KeepsRotation(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "oauthkit.db")
	srv := startServe(t, dir, "--store", "sqlite:"+db)
	creds := readDemoCreds(t, db+".demo.json")
	kids := jwksKIDs(t, srv.url)

	granted := passwordGrant(t, srv.url, creds)
	r1 := granted.str("refresh_token")
	if granted.Status != http.StatusOK || r1 == "" {
		t.Fatalf("password grant: %d %s", granted.Status, granted.Raw)
	}
	r2 := mustRefresh(t, srv.url, creds, r1)
	if code := srv.stop(t, syscall.SIGKILL); code != -1 {
		t.Fatalf("after SIGKILL: exit code %d, want death by signal", code)
	}

	srv = startServe(t, dir, "--store", "sqlite:"+db)
	if got := jwksKIDs(t, srv.url); got != kids {
		t.Errorf("after restart the JWKS kids are %q, want %q", got, kids)
	}
	if again := readDemoCreds(t, db+".demo.json"); again != creds {
		t.Errorf("after restart the demo credentials changed")
	}
	// R2 first: presenting R1 may revoke the whole grant (replay).
	mustRefresh(t, srv.url, creds, r2)
	wantRefused(t, srv.url, creds, r1, "rotated-out R1 after the restart")
}

// TestServeKill9Stream: a stream of sequential refreshes is cut by kill -9
// right after a random one of them; after a restart the last token
// received works and every earlier one is refused.
func TestServeKill9Stream(t *testing.T) {
	const n = 20
	seed := uint64(time.Now().UnixNano())
	killAfter := 1 + rand.New(rand.NewPCG(seed, 0)).IntN(n)
	t.Logf("seed %d: kill -9 after refresh %d of %d", seed, killAfter, n)

	dir := t.TempDir()
	db := filepath.Join(dir, "oauthkit.db")
	srv := startServe(t, dir, "--store", "sqlite:"+db)
	creds := readDemoCreds(t, db+".demo.json")
	granted := passwordGrant(t, srv.url, creds)
	tokens := []string{granted.str("refresh_token")}
	if granted.Status != http.StatusOK || tokens[0] == "" {
		t.Fatalf("password grant: %d %s", granted.Status, granted.Raw)
	}
	for i := 1; i <= killAfter; i++ {
		tokens = append(tokens, mustRefresh(t, srv.url, creds, tokens[i-1]))
	}
	srv.stop(t, syscall.SIGKILL)

	srv = startServe(t, dir, "--store", "sqlite:"+db)
	last := tokens[len(tokens)-1]
	next := mustRefresh(t, srv.url, creds, last)
	for i, rt := range tokens[:len(tokens)-1] {
		wantRefused(t, srv.url, creds, rt, fmt.Sprintf("rotated-out token %d of %d", i, len(tokens)-1))
	}
	if t.Failed() {
		return
	}
	// A rotated-out token presented after the race leeway is a replay: the
	// grant is revoked, so the newest token dies too (rule 24). The replays
	// above may all have come within the leeway; one more after it settles it.
	time.Sleep(2100 * time.Millisecond)
	wantRefused(t, srv.url, creds, tokens[0], "a replay after the race leeway")
	wantRefused(t, srv.url, creds, next, "the newest token of a replayed grant")
}

// TestServeParallelRefresh: 50 parallel refreshes of one token through the
// real server: exactly one 200, the rest 400 invalid_grant, no 5xx
// (docs/security.md rule 26).
func TestServeParallelRefresh(t *testing.T) {
	for _, store := range []string{"sqlite", "memory"} {
		t.Run(store, func(t *testing.T) {
			const n = 50
			dir := t.TempDir()
			dsn := store
			if store == "sqlite" {
				dsn = "sqlite:" + filepath.Join(dir, "oauthkit.db")
			}
			srv := startServe(t, dir, "--store", dsn)
			creds := bannerCreds(t, srv)
			granted := passwordGrant(t, srv.url, creds)
			rt := granted.str("refresh_token")
			if granted.Status != http.StatusOK || rt == "" {
				t.Fatalf("password grant: %d %s", granted.Status, granted.Raw)
			}

			answers := make([]tokenAnswer, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					answers[i] = refreshGrant(t, srv.url, creds, rt)
				})
			}
			began := time.Now()
			close(start)
			wg.Wait()
			took := time.Since(began)
			t.Logf("%d parallel refreshes answered in %s", n, took)

			var winners []string
			refused := 0
			for i, a := range answers {
				switch {
				case a.Status == http.StatusOK && a.str("refresh_token") != "":
					winners = append(winners, a.str("refresh_token"))
				case a.Status == http.StatusBadRequest && a.str("error") == "invalid_grant":
					refused++
				default:
					t.Errorf("refresh %d: %d %s, want 200 or 400 invalid_grant", i, a.Status, a.Raw)
				}
			}
			if len(winners) != 1 || refused != n-1 {
				t.Fatalf("%d successes and %d invalid_grant of %d parallel refreshes, want 1 and %d", len(winners), refused, n, n-1)
			}
			// Losers inside the race leeway (2 s) must not revoke the
			// winner's grant; only meaningful if all of them were that fast.
			if took < 1500*time.Millisecond {
				mustRefresh(t, srv.url, creds, winners[0])
			} else {
				t.Logf("the parallel refreshes took %s: winner's token not checked", took)
			}
		})
	}
}

// TestServeSIGTERM: SIGTERM stops serve gracefully: exit code 0, "shutting
// down" logged, the port closed.
func TestServeSIGTERM(t *testing.T) {
	srv := startServe(t, t.TempDir(), "--store", "memory")
	resp, err := e2eClient.Get(srv.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %d", resp.StatusCode)
	}
	if code := srv.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	if !strings.Contains(srv.stderr.String(), "\nshutting down") {
		t.Errorf("stderr does not say it is shutting down:\n%s", srv.stderr.String())
	}
	if resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(srv.url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("the server still answers after SIGTERM: %d", resp.StatusCode)
	}
}

// TestServeExampleConfig runs serve with testdata/oauthkit.example.yaml,
// the documented configuration (its fixed issuer port dropped, its key made
// with keygen): every declared client and user works as the comments say.
func TestServeExampleConfig(t *testing.T) {
	example, err := os.ReadFile("../../testdata/oauthkit.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	issuerLine := regexp.MustCompile(`(?m)^issuer: .*\n`)
	if n := len(issuerLine.FindAll(example, -1)); n != 1 {
		t.Fatalf("the example has %d issuer lines, want 1", n)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "oauthkit.yaml"), issuerLine.ReplaceAll(example, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	runOauthkit(t, dir, "keygen", "--out-dir", "keys")
	kid := strings.TrimSpace(runOauthkit(t, dir, "keys", "thumbprint", "keys/oauthkit.key.pem"))
	srv := startServe(t, dir, "--config", "oauthkit.yaml")
	if got := jwksKIDs(t, srv.url); got != kid {
		t.Errorf("JWKS kids %q, want the keygen key's %q", got, kid)
	}
	if info, err := os.Stat(filepath.Join(dir, "oauthkit.db")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the store oauthkit.db next to the config: %v %v, want mode 0600", info, err)
	}

	basic := url.UserPassword
	tests := []struct {
		name      string
		basic     *url.Userinfo
		form      url.Values
		status    int
		error     string
		scope     string
		refreshed bool
	}{
		{"web password alice (plain password)", basic("web", "s3cret"),
			url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"wonderland"}}, 200, "", "read write", true},
		{"web password bob (bcrypt hash)", basic("web", "s3cret"),
			url.Values{"grant_type": {"password"}, "username": {"bob"}, "password": {"looking-glass"}}, 200, "", "read write", true},
		{"web password carol (argon2id hash)", basic("web", "s3cret"),
			url.Values{"grant_type": {"password"}, "username": {"carol"}, "password": {"cheshire"}, "scope": {"read"}}, 200, "", "read", true},
		{"web password wrong", basic("web", "s3cret"),
			url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"looking-glass"}}, 400, "invalid_grant", "", false},
		{"web client_credentials", basic("web", "s3cret"),
			url.Values{"grant_type": {"client_credentials"}}, 200, "", "read write", false},
		{"web wrong secret", basic("web", "secret"),
			url.Values{"grant_type": {"client_credentials"}}, 401, "invalid_client", "", false},
		{"batch client_secret_post (secret_hash)", nil,
			url.Values{"grant_type": {"client_credentials"}, "client_id": {"batch"}, "client_secret": {"batch-s3cret"}}, 200, "", "read", false},
		{"batch may not write", nil,
			url.Values{"grant_type": {"client_credentials"}, "client_id": {"batch"}, "client_secret": {"batch-s3cret"}, "scope": {"write"}}, 400, "invalid_scope", "", false},
		{"batch may not use password", nil,
			url.Values{"grant_type": {"password"}, "client_id": {"batch"}, "client_secret": {"batch-s3cret"}, "username": {"alice"}, "password": {"wonderland"}}, 400, "unauthorized_client", "", false},
		{"cli is public: no client_credentials", nil,
			url.Values{"grant_type": {"client_credentials"}, "client_id": {"cli"}}, 400, "unauthorized_client", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := postToken(t, srv.url, tt.basic, tt.form)
			if a.Status != tt.status || a.str("error") != tt.error {
				t.Fatalf("%d %s, want %d %q", a.Status, a.Raw, tt.status, tt.error)
			}
			if tt.status != http.StatusOK {
				return
			}
			if a.str("scope") != tt.scope || (a.str("refresh_token") != "") != tt.refreshed {
				t.Errorf("scope %q, refresh token %v; want %q, %v: %s", a.str("scope"), a.str("refresh_token") != "", tt.scope, tt.refreshed, a.Raw)
			}
			claims := jwtClaims(t, a.str("access_token"))
			want := map[string]any{"iss": srv.url, "aud": "https://api.example.test"}
			if tt.basic != nil && tt.basic.Username() == "web" {
				want["tenant"] = "acme" // the web client's static claim
			}
			for k, v := range want {
				if claims[k] != v {
					t.Errorf("claim %s = %v, want %v", k, claims[k], v)
				}
			}
		})
	}
}
