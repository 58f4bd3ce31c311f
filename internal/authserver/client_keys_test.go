package authserver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/keys"
)

func jwksOf(t *testing.T, kids ...string) []byte {
	t.Helper()
	var set keys.JWKS
	for _, kid := range kids {
		k, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
		if err != nil {
			t.Fatal(err)
		}
		j, err := k.PublicJWK()
		if err != nil {
			t.Fatal(err)
		}
		j.Kid = kid
		set.Keys = append(set.Keys, j)
	}
	b, _ := json.Marshal(set)
	return b
}

// fakeClock is a settable clock.
type fakeClock struct{ t atomic.Int64 }

func (c *fakeClock) now() time.Time      { return time.Unix(0, c.t.Load()) }
func (c *fakeClock) add(d time.Duration) { c.t.Add(int64(d)) }
func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.t.Store(time.Unix(1_800_000_000, 0).UnixNano())
	return c
}
func kidsOf(ks []*keys.Key) (out []string) {
	for _, k := range ks {
		out = append(out, k.KID)
	}
	return
}

func TestJWKSCacheTTLAndRefetchFloor(t *testing.T) {
	var hits atomic.Int32
	body := atomic.Value{}
	body.Store(jwksOf(t, "a"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(body.Load().([]byte))
	}))
	defer srv.Close()
	clk := newFakeClock()
	c := newJWKSCache(JWKSFetchOptions{}, clk.now)
	ctx := context.Background()
	get := func(refresh bool) []string {
		t.Helper()
		ks, err := c.get(ctx, srv.URL, refresh)
		if err != nil {
			t.Fatal(err)
		}
		return kidsOf(ks)
	}
	if got := get(false); len(got) != 1 || got[0] != "a" || hits.Load() != 1 {
		t.Fatalf("first get: %v, %d fetches", got, hits.Load())
	}
	clk.add(4 * time.Minute)
	get(false)
	if hits.Load() != 1 {
		t.Fatalf("a set younger than the TTL was fetched again (%d fetches)", hits.Load())
	}
	body.Store(jwksOf(t, "b"))
	if got := get(true); got[0] != "b" || hits.Load() != 2 {
		t.Fatalf("refresh for an unknown kid: %v, %d fetches", got, hits.Load())
	}
	clk.add(10 * time.Second)
	get(true)
	if hits.Load() != 2 {
		t.Fatalf("a second refresh within the 30 s floor fetched (%d fetches)", hits.Load())
	}
	clk.add(25 * time.Second)
	get(true)
	if hits.Load() != 3 {
		t.Fatalf("a refresh after the floor did not fetch (%d fetches)", hits.Load())
	}
	clk.add(6 * time.Minute)
	get(false)
	if hits.Load() != 4 {
		t.Fatalf("a set older than the TTL was not fetched again (%d fetches)", hits.Load())
	}
}

func TestJWKSCacheRefusesBadAnswers(t *testing.T) {
	slow := make(chan struct{})
	defer close(slow)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Write([]byte(`{"keys":[` + strings.Repeat(" ", 2048) + `]}`))
		case "/slow":
			select {
			case <-slow:
			case <-r.Context().Done():
			}
		case "/404":
			http.NotFound(w, r)
		case "/private":
			k, _ := keys.Generate(keys.Spec{Type: keys.TypeEC})
			j, _ := k.PrivateJWK()
			b, _ := json.Marshal(keys.JWKS{Keys: []*keys.JWK{j}})
			w.Write(b)
		}
	}))
	defer srv.Close()
	clk := newFakeClock()
	c := newJWKSCache(JWKSFetchOptions{MaxSize: 1024, Timeout: 200 * time.Millisecond}, clk.now)
	for path, want := range map[string]string{
		"/big": "larger than 1024 bytes", "/slow": "deadline exceeded", "/404": "HTTP 404", "/private": "no public signing key",
	} {
		_, err := c.get(context.Background(), srv.URL+path, false)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", path, err, want)
		}
		// A failed fetch is not retried within the floor.
		if _, err := c.get(context.Background(), srv.URL+path, true); err == nil || !strings.Contains(err.Error(), "failed less than") {
			t.Errorf("%s again at once: %v, want the failure remembered", path, err)
		}
	}
}

// TestJWKSCacheConcurrentFetchOnce: many assertions of one client at once
// fetch its jwks_uri once.
func TestJWKSCacheConcurrentFetchOnce(t *testing.T) {
	var hits atomic.Int32
	body := jwksOf(t, "a")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		time.Sleep(20 * time.Millisecond)
		w.Write(body)
	}))
	defer srv.Close()
	c := newJWKSCache(JWKSFetchOptions{}, newFakeClock().now)
	errs := make(chan error, 16)
	for range 16 {
		go func() {
			_, err := c.get(context.Background(), srv.URL, false)
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("16 concurrent gets fetched %d times, want 1", n)
	}
}
