package authserver_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
	"github.com/oauthkit/oauthkit/keys"
)

// The token endpoint over real HTTP (httptest, loopback TCP), one request
// per iteration. Results and the machine: docs/performance.md.
//
//	go test -run='^$' -bench=. -benchtime=2s ./internal/authserver/

const benchSecret = "bench-secret-0123456789abcdef0123456789"

type benchServer struct {
	url    string
	client *http.Client
}

func newBenchServer(b *testing.B, st store.Store) *benchServer {
	b.Helper()
	return newBenchServerKey(b, st, keys.Spec{Type: keys.TypeRSA})
}

// newBenchServerKey is newBenchServer signing with a key of spec.
func newBenchServerKey(b *testing.B, st store.Store, spec keys.Spec) *benchServer {
	b.Helper()
	key, err := keys.Generate(spec)
	if err != nil {
		b.Fatal(err)
	}
	ks, err := authserver.NewKeySet(key)
	if err != nil {
		b.Fatal(err)
	}
	h := &hashing.Hasher{}
	ctx := context.Background()
	if err := st.Clients().Put(ctx, store.Client{ID: "bench", AuthMethod: "client_secret_basic",
		SecretHash: h.Hash(benchSecret), Scopes: []string{"read", "write"}, CreatedAt: time.Now(),
		GrantTypes:   []string{authserver.GrantClientCredentials, authserver.GrantRefreshToken, authserver.GrantAuthorizationCode},
		RedirectURIs: []string{"http://127.0.0.1/callback"}}); err != nil {
		b.Fatal(err)
	}
	if err := st.Users().Put(ctx, store.User{Username: "alice", Subject: "alice"}); err != nil {
		b.Fatal(err)
	}
	srv, err := authserver.New(authserver.Settings{Issuer: "http://127.0.0.1", AccessTokenTTL: 30 * time.Minute,
		RefreshTokenTTL: 8 * time.Hour, CodeTTL: time.Minute, AutoApproveUser: "alice"},
		authserver.Options{Store: st, Hasher: h, Keys: ks, Now: time.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = authserver.NewHTTPServer(srv.Handler(), slog.New(slog.DiscardHandler))
	ts.Start()
	b.Cleanup(ts.Close)
	c := ts.Client()
	c.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &benchServer{url: ts.URL, client: c}
}

func sqliteStore(b *testing.B) store.Store {
	b.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

// token posts a grant and returns the decoded 200 response.
func (s *benchServer) token(b *testing.B, form url.Values) map[string]any {
	return s.post(b, "/token", form.Encode())
}

// post sends a form to path with the client's HTTP Basic authentication
// and returns the decoded 200 response.
func (s *benchServer) post(b *testing.B, path, form string) map[string]any {
	req, _ := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("bench", benchSecret)
	res, err := s.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		b.Fatalf("%s: status %d: %s", path, res.StatusCode, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		b.Fatal(err)
	}
	return m
}

// backends runs f once per store: memory, then SQLite (a file in the
// benchmark's temporary directory, the default store of serve).
func backends(b *testing.B, f func(b *testing.B, st store.Store)) {
	for _, backend := range []string{"memory", "sqlite"} {
		b.Run(backend, func(b *testing.B) {
			st := store.Store(memory.New())
			if backend == "sqlite" {
				st = sqliteStore(b)
			}
			f(b, st)
		})
	}
}

// client_credentials: authenticate (SHA-256 secret), mint and sign an
// RS256 JWT, record its jti (revocation, docs/security.md rule 52).
func BenchmarkClientCredentials(b *testing.B) {
	backends(b, func(b *testing.B, st store.Store) {
		s := newBenchServer(b, st)
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.token(b, form)
			}
		})
	})
}

// client_credentials signed with ES256 (P-256) and Ed25519: the cost
// without RSA, for issue 17's "fast algorithms stay fast".
func BenchmarkClientCredentialsFastKeys(b *testing.B) {
	for _, spec := range []keys.Spec{{Type: keys.TypeEC}, {Type: keys.TypeEd25519}} {
		b.Run(spec.Type, func(b *testing.B) {
			backends(b, func(b *testing.B, st store.Store) {
				s := newBenchServerKey(b, st, spec)
				form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						s.token(b, form)
					}
				})
			})
		})
	}
}

// The grants that write to the store, signed with ES256 so that the
// store's share shows (RSA would be most of the time), from 16 goroutines
// as the load of make bench-peers: refresh (a rotation committed per
// request) and the code grant (/authorize stores a code, /token redeems
// it and starts a family).
func BenchmarkGrantWritesFastKey(b *testing.B) {
	for _, path := range []string{"refresh", "authcode"} {
		b.Run(path, func(b *testing.B) {
			backends(b, func(b *testing.B, st store.Store) {
				s := newBenchServerKey(b, st, keys.Spec{Type: keys.TypeEC})
				b.SetParallelism(8) // 16 goroutines on 2 cores
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					if path == "authcode" {
						for pb.Next() {
							s.codeGrant(b)
						}
						return
					}
					rt := s.codeGrant(b)
					for pb.Next() {
						m := s.token(b, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
						rt = m["refresh_token"].(string)
					}
				})
			})
		})
	}
}

// refresh_token: each iteration rotates a family once (on SQLite a
// committed write) and signs a new access token. Each goroutine rotates
// its own family.
func BenchmarkRefreshRotation(b *testing.B) {
	backends(b, func(b *testing.B, st store.Store) {
		s := newBenchServer(b, st)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			rt := s.codeGrant(b)
			for pb.Next() {
				m := s.token(b, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
				rt = m["refresh_token"].(string)
			}
		})
	})
}

// The whole authorization-code grant with auto-approve: /authorize
// (stores the code) then /token (redeems it, starts a family).
func BenchmarkAuthorizationCode(b *testing.B) {
	backends(b, func(b *testing.B, st store.Store) {
		s := newBenchServer(b, st)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.codeGrant(b)
			}
		})
	})
}

// Introspection (RFC 7662) of a JWT access token by its client: verify
// the signature, look up the jti (revoked?), answer the claims.
func BenchmarkIntrospection(b *testing.B) {
	backends(b, func(b *testing.B, st store.Store) {
		s := newBenchServer(b, st)
		at := s.token(b, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})["access_token"].(string)
		form := url.Values{"token": {at}}.Encode()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m := s.post(b, "/introspect", form)
				if m["active"] != true {
					b.Fatalf("introspection: %v", m)
				}
			}
		})
	})
}

// codeGrant runs /authorize + /token and returns the refresh token.
func (s *benchServer) codeGrant(b *testing.B) string {
	q := url.Values{"response_type": {"code"}, "client_id": {"bench"}, "redirect_uri": {"http://127.0.0.1:9/callback"},
		"scope": {"read"}, "state": {"s"}}
	res, err := s.client.Get(s.url + "/authorize?" + q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		b.Fatalf("authorize: status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	m := s.token(b, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"http://127.0.0.1:9/callback"}})
	return m["refresh_token"].(string)
}

// BenchmarkInvalidClient: the three invalid_client paths (docs/security.md
// rule 50) cost the same: each compares one secret.
func BenchmarkInvalidClient(b *testing.B) {
	s := newBenchServer(b, memory.New())
	for name, set := range map[string]func(*http.Request, url.Values){
		"unknown client": func(r *http.Request, _ url.Values) { r.SetBasicAuth("nobody", benchSecret) },
		"wrong secret":   func(r *http.Request, _ url.Values) { r.SetBasicAuth("bench", benchSecret+"x") },
		"wrong method": func(_ *http.Request, f url.Values) {
			f.Set("client_id", "bench")
			f.Set("client_secret", benchSecret)
		},
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				f := url.Values{"grant_type": {"client_credentials"}}
				req, _ := http.NewRequest(http.MethodPost, s.url+"/token", nil)
				set(req, f)
				req.Body = io.NopCloser(strings.NewReader(f.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res, err := s.client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusUnauthorized {
					b.Fatalf("status %d, want 401", res.StatusCode)
				}
			}
		})
	}
}
