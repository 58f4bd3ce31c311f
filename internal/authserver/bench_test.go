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
//	go test -run='^$' -bench=. -benchtime=3s ./internal/authserver/

const benchSecret = "bench-secret-0123456789abcdef0123456789"

type benchServer struct {
	url    string
	client *http.Client
}

func newBenchServer(b *testing.B, st store.Store) *benchServer {
	b.Helper()
	key, err := keys.Generate(keys.Spec{Type: keys.TypeRSA})
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
	req, _ := http.NewRequest(http.MethodPost, s.url+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("bench", benchSecret)
	res, err := s.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		b.Fatalf("status %d: %s", res.StatusCode, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		b.Fatal(err)
	}
	return m
}

// client_credentials: authenticate (SHA-256 secret), mint and sign an
// RS256 JWT, record nothing (JWT access tokens are not stored).
func BenchmarkClientCredentials(b *testing.B) {
	for _, backend := range []string{"memory", "sqlite"} {
		b.Run(backend, func(b *testing.B) {
			st := store.Store(memory.New())
			if backend == "sqlite" {
				st = sqliteStore(b)
			}
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
}

// refresh_token on SQLite: each iteration rotates the family once (a
// committed, fsynced write) and signs a new access token.
func BenchmarkRefreshRotationSQLite(b *testing.B) {
	s := newBenchServer(b, sqliteStore(b))
	rt := s.codeGrant(b)
	b.ResetTimer()
	for b.Loop() {
		m := s.token(b, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
		rt = m["refresh_token"].(string)
	}
}

// The whole authorization-code grant on SQLite with auto-approve:
// /authorize (stores the code) then /token (redeems it, starts a family).
func BenchmarkAuthorizationCodeSQLite(b *testing.B) {
	s := newBenchServer(b, sqliteStore(b))
	for b.Loop() {
		s.codeGrant(b)
	}
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
