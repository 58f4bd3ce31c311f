package check_test

// The harness of the planted-defect tests: a real authserver (memory store,
// a fresh RSA key, a clock the run's Sleep moves) behind a real HTTP
// listener, with a test-only wrapper around its handler that breaks exactly
// one rule.

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/check"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/internal/testutil/fakeclock"
	"github.com/oauthkit/oauthkit/keys"
)

const (
	appID, appSecret     = "app", "app-secret-0123456789"
	otherID, otherSecret = "other", "other-secret-0123456789"
	spaID                = "spa"
	redirectURI          = "http://127.0.0.1/callback"
)

// wrapper breaks a rule: it gets the real handler and returns another.
type wrapper func(next http.Handler) http.Handler

// testServer is a running authserver behind wrap.
type testServer struct {
	issuer string
	clock  *fakeclock.Clock
}

var (
	keyOnce sync.Once
	rsaKey  *keys.Key
)

func signingKey(t *testing.T) *keys.Key {
	keyOnce.Do(func() {
		k, err := keys.Generate(keys.Spec{Type: keys.TypeRSA})
		if err != nil {
			t.Fatal(err)
		}
		rsaKey = k
	})
	return rsaKey
}

func startServer(t *testing.T, wrap wrapper) *testServer {
	t.Helper()
	return startServerWith(t, wrap, true)
}

// startServerWith: without autoApprove the server shows its sign-in page.
func startServerWith(t *testing.T, wrap wrapper, autoApprove bool) *testServer {
	t.Helper()
	ck := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	t.Cleanup(ts.Close)
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	h := &hashing.Hasher{}
	ctx := context.Background()
	for _, c := range []struct {
		c      store.Client
		secret string
	}{
		{store.Client{ID: appID, AuthMethod: "client_secret_basic", RedirectURIs: []string{redirectURI}, AutoApprove: autoApprove,
			Scopes:     []string{"openid", "read", "write"},
			GrantTypes: []string{authserver.GrantAuthorizationCode, authserver.GrantRefreshToken, authserver.GrantClientCredentials}}, appSecret},
		{store.Client{ID: otherID, AuthMethod: "client_secret_basic", RedirectURIs: []string{redirectURI}, AutoApprove: autoApprove,
			Scopes:     []string{"openid", "read"},
			GrantTypes: []string{authserver.GrantAuthorizationCode, authserver.GrantRefreshToken, authserver.GrantClientCredentials}}, otherSecret},
		{store.Client{ID: spaID, AuthMethod: "none", RedirectURIs: []string{redirectURI}, AutoApprove: autoApprove,
			Scopes: []string{"openid", "read"}, GrantTypes: []string{authserver.GrantAuthorizationCode, authserver.GrantRefreshToken}}, ""},
	} {
		if c.secret != "" {
			c.c.SecretHash = h.Hash(c.secret)
		}
		if err := st.Clients().Put(ctx, c.c); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Users().Put(ctx, store.User{Username: "alice", Subject: "u-alice", Claims: map[string]any{"name": "Alice"}}); err != nil {
		t.Fatal(err)
	}
	ks, err := authserver.NewKeySet(signingKey(t))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := authserver.New(authserver.Settings{Issuer: ts.URL, AccessTokenTTL: 10 * time.Minute, RefreshTokenTTL: time.Hour,
		CodeTTL: time.Minute, AutoApproveUser: map[bool]string{true: "alice"}[autoApprove]},
		authserver.Options{Store: st, Hasher: h, Keys: ks, Now: ck.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var handler http.Handler = srv.Handler()
	if wrap != nil {
		handler = wrap(handler)
	}
	ts.Config.Handler = handler
	return &testServer{issuer: ts.URL, clock: ck}
}

// config is a run with every client, strict.
func (s *testServer) config() check.Config {
	return check.Config{
		Issuer: s.issuer, HTTP: &http.Client{Timeout: 10 * time.Second}, Now: s.clock.Now, Sleep: s.clock.Sleep,
		Client:      check.Client{ID: appID, Secret: appSecret, AuthMethod: flow.AuthBasic},
		Public:      &check.Client{ID: spaID, AuthMethod: flow.AuthNone},
		Other:       &check.Client{ID: otherID, Secret: otherSecret, AuthMethod: flow.AuthBasic},
		RedirectURI: redirectURI, Scopes: []string{"openid", "read"}, Strict: true,
	}
}

func runAll(t *testing.T, cfg check.Config) []check.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reports, err := check.Run(ctx, cfg, check.Catalogue(), nil)
	if err != nil {
		t.Fatalf("check.Run: %v", err)
	}
	return reports
}

// ids returns the IDs of the reports with result r.
func ids(reports []check.Report, r check.Result) []string {
	var out []string
	for _, rep := range reports {
		if rep.Result == r {
			out = append(out, rep.ID)
		}
	}
	slices.Sort(out)
	return out
}

// recorder captures a handler's answer so a wrapper can change it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.status = code }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }

// serve runs next on req and returns its answer.
func serve(next http.Handler, req *http.Request) *recorder {
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	next.ServeHTTP(rec, req)
	return rec
}

// send writes a (possibly changed) answer.
func (r *recorder) send(w http.ResponseWriter, body []byte) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(r.status)
	_, _ = w.Write(body)
}

// formOf reads and restores a request's form body.
func formOf(req *http.Request) []byte {
	data, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(data))
	return data
}

func readCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

// lockedWriter is a writer safe for a child process and the test at once.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
