package authserver

// Shared set-up of the HTTP tests: a Server behind a real httptest server on
// 127.0.0.1 (with the production limits of NewHTTPServer), a memory or
// SQLite store wrapped in flakyStore, a generated RSA key, a clock the test
// moves, and fixtures put into the store directly.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
	"github.com/oauthkit/oauthkit/internal/testutil/fakeclock"
	"github.com/oauthkit/oauthkit/keys"
)

const (
	testIssuer   = "https://as.example.test"
	testRedirect = "http://127.0.0.1:8765/callback"

	// Fixture clients: web (client_secret_basic), svc (client_secret_post),
	// cli (public, none).
	webID, webSecret = "web", "web-secret-0123456789"
	svcID, svcSecret = "svc", "svc-secret-0123456789"
	cliID            = "cli"

	aliceSub = "u-alice"
)

// testClock is a clock the test moves by hand.
type testClock = fakeclock.Clock

// env is one running server with its store, clock and key.
type env struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	store  *flakyStore
	hasher *hashing.Hasher
	key    *keys.Key
	clock  *testClock
	dbPath string // the SQLite file, "" for the memory store
}

type envConfig struct {
	settings   Settings
	sqlite     bool
	extraKeys  []*keys.Key
	requestLog bool
}

type envOption func(*envConfig)

func withSettings(f func(*Settings)) envOption { return func(c *envConfig) { f(&c.settings) } }
func withSQLite() envOption                    { return func(c *envConfig) { c.sqlite = true } }
func withRequestLog() envOption                { return func(c *envConfig) { c.requestLog = true } }
func withExtraKeys(k ...*keys.Key) envOption {
	return func(c *envConfig) { c.extraKeys = append(c.extraKeys, k...) }
}

// newEnv starts a server with the fixture clients and user.
func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	cfg := envConfig{settings: Settings{
		Issuer:          testIssuer,
		AccessTokenTTL:  30 * time.Minute,
		RefreshTokenTTL: 8 * time.Hour,
		CodeTTL:         time.Minute,
	}}
	for _, o := range opts {
		o(&cfg)
	}
	e := &env{t: t, hasher: &hashing.Hasher{}, clock: fakeclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))}
	var base store.Store
	if cfg.sqlite {
		e.dbPath = filepath.Join(t.TempDir(), "oauthkit.db")
		db, err := sqlite.Open(context.Background(), e.dbPath, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		base = db
	} else {
		base = memory.New()
	}
	e.store = newFlakyStore(base)
	t.Cleanup(func() { _ = base.Close() })

	key, err := keys.Generate(keys.Spec{Type: keys.TypeRSA})
	if err != nil {
		t.Fatal(err)
	}
	e.key = key
	ks, err := NewKeySet(key, cfg.extraKeys...)
	if err != nil {
		t.Fatal(err)
	}
	e.srv, err = New(cfg.settings, Options{Store: e.store, Hasher: e.hasher, Keys: ks, Now: e.clock.Now,
		Logger: slog.New(slog.DiscardHandler), RequestLog: cfg.requestLog})
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewUnstartedServer(nil)
	e.ts.Config = NewHTTPServer(e.srv.Handler(), slog.New(slog.DiscardHandler))
	e.ts.Start()
	t.Cleanup(e.ts.Close)

	both := []string{"read", "write"}
	e.addClient(store.Client{ID: webID, Name: "Web App", AuthMethod: "client_secret_basic", Scopes: both,
		RedirectURIs: []string{testRedirect},
		GrantTypes:   []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, GrantPassword}}, webSecret)
	e.addClient(store.Client{ID: svcID, AuthMethod: "client_secret_post", Scopes: both,
		RedirectURIs: []string{testRedirect},
		GrantTypes:   []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials}}, svcSecret)
	e.addClient(store.Client{ID: cliID, AuthMethod: "none", Scopes: both, RedirectURIs: []string{testRedirect},
		GrantTypes: []string{GrantAuthorizationCode, GrantRefreshToken}}, "")
	e.putUser(store.User{Username: "alice", Subject: aliceSub, Claims: map[string]any{"email": "alice@example.test"}})
	return e
}

// with returns the env reporting to t, for use inside subtests.
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

func (e *env) ctx() context.Context { return context.Background() }

// addClient stores c with SecretHash = hash(secret) ("" for public clients).
func (e *env) addClient(c store.Client, secret string) {
	e.t.Helper()
	if secret != "" {
		c.SecretHash = e.hasher.Hash(secret)
	}
	if err := e.store.Clients().Put(e.ctx(), c); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) putUser(u store.User) {
	e.t.Helper()
	if err := e.store.Users().Put(e.ctx(), u); err != nil {
		e.t.Fatal(err)
	}
}

// setPassword gives a user a real argon2id password hash (slow: only the
// password-grant tests call it).
func (e *env) setPassword(username, subject, password string) {
	e.t.Helper()
	h, err := config.HashPassword(password)
	if err != nil {
		e.t.Fatal(err)
	}
	e.putUser(store.User{Username: username, Subject: subject, PasswordHash: h})
}

// codeSpec describes an authorization code to create through the store.
type codeSpec struct {
	client, redirect, scope, subject string
	noPKCE                           bool
}

// newCode stores a code (as its hash) and returns its value and the PKCE
// verifier ("" with noPKCE).
func (e *env) newCode(c codeSpec) (code, verifier string) {
	e.t.Helper()
	if c.client == "" {
		c.client = webID
	}
	if c.redirect == "" {
		c.redirect = testRedirect
	}
	if c.subject == "" {
		c.subject = aliceSub
	}
	if c.scope == "" {
		c.scope = "read write"
	}
	code = randomToken(32)
	rec := store.Code{Hash: e.hasher.Hash(code), ClientID: c.client, RedirectURI: c.redirect, Scope: c.scope,
		Subject: c.subject, AuthTime: e.clock.Now(), ExpiresAt: e.clock.Now().Add(e.srv.Settings().CodeTTL)}
	if !c.noPKCE {
		verifier = randomToken(48)
		rec.CodeChallenge = pkceChallenge(verifier)
		rec.ChallengeMethod = "S256"
	}
	if err := e.store.Codes().Create(e.ctx(), rec); err != nil {
		e.t.Fatal(err)
	}
	return code, verifier
}

// pkceChallenge is the S256 challenge of a verifier (RFC 7636 §4.2),
// computed here rather than with the code under test.
func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// auth adds client authentication to a request.
type auth func(r *http.Request, form url.Values)

// basicAuth is client_secret_basic with id and secret form-encoded first
// (RFC 6749 §2.3.1), done here by hand so the test does not trust clientauth.
func basicAuth(id, secret string) auth {
	return func(r *http.Request, _ url.Values) {
		raw := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(raw)))
	}
}

func postAuth(id, secret string) auth {
	return func(_ *http.Request, f url.Values) { f.Set("client_id", id); f.Set("client_secret", secret) }
}

func noneAuth(id string) auth { return func(_ *http.Request, f url.Values) { f.Set("client_id", id) } }

func noAuth(*http.Request, url.Values) {}

var (
	webAuth = basicAuth(webID, webSecret)
	svcAuth = postAuth(svcID, svcSecret)
	cliAuth = noneAuth(cliID)
)

// resp is an answer read in full.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// obj decodes the body as a JSON object.
func (r resp) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object (status %d): %v: %q", r.status, err, r.body)
	}
	return m
}

func (r resp) str(t *testing.T, name string) string {
	t.Helper()
	v, ok := r.obj(t)[name].(string)
	if !ok {
		t.Fatalf("member %q is not a string in %s", name, r.body)
	}
	return v
}

func (e *env) do(req *http.Request) resp {
	e.t.Helper()
	res, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: body}
}

// post sends a form to path with the given client authentication.
func (e *env) post(path string, form url.Values, a auth) resp {
	e.t.Helper()
	return e.do(e.postReq(path, form, a))
}

func (e *env) postReq(path string, form url.Values, a auth) *http.Request {
	e.t.Helper()
	form = maps.Clone(form) // auth functions add to it
	if form == nil {
		form = url.Values{}
	}
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if a != nil {
		a(req, form)
	}
	body := form.Encode()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func (e *env) get(path string, header map[string]string) resp {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v // the client sends req.Host, not Header["Host"]
		} else {
			req.Header.Set(k, v)
		}
	}
	return e.do(req)
}

func form(kv ...string) url.Values {
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// redeem exchanges a code at /token.
func (e *env) redeem(code, verifier string, a auth) resp {
	e.t.Helper()
	f := form("grant_type", GrantAuthorizationCode, "code", code, "redirect_uri", testRedirect)
	if verifier != "" {
		f.Set("code_verifier", verifier)
	}
	return e.post("/token", f, a)
}

// tokens is a successful token response.
type tokens struct {
	access, refresh string
	raw             map[string]any
}

// codeGrant runs a whole authorization-code grant for the client and
// returns its tokens; the response must be 200.
func (e *env) codeGrant(client string, a auth) tokens {
	e.t.Helper()
	code, verifier := e.newCode(codeSpec{client: client})
	return e.mustTokens(e.redeem(code, verifier, a))
}

func (e *env) mustTokens(r resp) tokens {
	e.t.Helper()
	if r.status != http.StatusOK {
		e.t.Fatalf("token request: status %d, body %s", r.status, r.body)
	}
	m := r.obj(e.t)
	out := tokens{raw: m}
	out.access, _ = m["access_token"].(string)
	out.refresh, _ = m["refresh_token"].(string)
	if out.access == "" {
		e.t.Fatalf("no access_token in %s", r.body)
	}
	return out
}

func (e *env) refresh(rt string, a auth, extra ...string) resp {
	e.t.Helper()
	f := form(append([]string{"grant_type", GrantRefreshToken, "refresh_token", rt}, extra...)...)
	return e.post("/token", f, a)
}

func (e *env) introspect(tok string) resp {
	e.t.Helper()
	return e.post("/introspect", form("token", tok), webAuth)
}

func (e *env) protected(tok string) resp {
	e.t.Helper()
	return e.get("/protected", map[string]string{"Authorization": "Bearer " + tok})
}

// wantError checks an RFC 6749 §5.2 error answer: status, error code,
// JSON content type, no-store headers and a safe error_description.
func wantError(t *testing.T, r resp, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	m := r.obj(t)
	if m["error"] != code {
		t.Fatalf("error %v, want %s; body %s", m["error"], code, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}
	wantNoStore(t, r)
	if d, ok := m["error_description"].(string); ok {
		if strings.ContainsAny(d, "\r\n\"\\") {
			t.Errorf("error_description has a forbidden character: %q", d)
		}
	} else if _, has := m["error_description"]; has {
		t.Errorf("error_description is not a string: %s", r.body)
	}
	if _, has := m["access_token"]; has {
		t.Errorf("an error answer carries an access token: %s", r.body)
	}
}

func wantNoStore(t *testing.T, r resp) {
	t.Helper()
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	if got := r.header.Get("Pragma"); got != "no-cache" {
		t.Errorf("Pragma %q, want no-cache", got)
	}
}

// wantInactive checks that /introspect answers exactly {"active":false}.
func (e *env) wantInactive(tok string) {
	e.t.Helper()
	r := e.introspect(tok)
	if r.status != http.StatusOK || !bytes.Equal(bytes.TrimSpace(r.body), []byte(`{"active":false}`)) {
		e.t.Fatalf("introspection: status %d body %s, want 200 {\"active\":false}", r.status, r.body)
	}
}

func (e *env) wantActive(tok string) map[string]any {
	e.t.Helper()
	r := e.introspect(tok)
	m := r.obj(e.t)
	if r.status != http.StatusOK || m["active"] != true {
		e.t.Fatalf("introspection: status %d body %s, want active", r.status, r.body)
	}
	return m
}

// wantProtectedOK checks that /protected accepts the access token.
func (e *env) wantProtectedOK(tok string) {
	e.t.Helper()
	if r := e.protected(tok); r.status != http.StatusOK {
		e.t.Fatalf("/protected: status %d body %s, want 200", r.status, r.body)
	}
}

// wantProtectedRefused checks that /protected refuses the token with 401
// invalid_token and the RFC 6750 challenge.
func (e *env) wantProtectedRefused(tok string) {
	e.t.Helper()
	r := e.protected(tok)
	if r.status != http.StatusUnauthorized {
		e.t.Fatalf("/protected: status %d body %s, want 401", r.status, r.body)
	}
	if h := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(h, `Bearer realm="oauthkit", error="invalid_token"`) {
		e.t.Fatalf("WWW-Authenticate %q", h)
	}
}
