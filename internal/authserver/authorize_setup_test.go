package authserver

// Set-up of the authorization-endpoint tests: a real server on 127.0.0.1
// whose issuer is its own http URL (so the cookie jar sends the session
// cookie), a memory store with fixture clients and users, a movable clock,
// and a browser-like client that keeps cookies but does not follow
// redirects, so every status and Location can be asserted.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

// Fixture clients and users of the authorization tests.
const (
	azApp      = "https://app.example.test/cb"
	azLoopback = "http://127.0.0.1/callback"
	azSecret   = "az-web-secret-0123456789"
	azVerifier = "dBjftJeZ4CVP-mJ92K9oN3wP5G7fQd1m4Zg8oTb6XyQaaa"
	alicePass  = "alice-password-1"
	bobPass    = "bob-password-2"
)

type azClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *azClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *azClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// azLog collects the server log, safe for the server's goroutines.
type azLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *azLog) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.Write(p) }
func (l *azLog) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

type azEnv struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	st     store.Store
	clock  *azClock
	log    *azLog
	client *http.Client // a browser: cookies kept, redirects not followed
}

// newAzEnv starts a server; edit changes its settings before it starts.
func newAzEnv(t *testing.T, edit ...func(*Settings)) *azEnv {
	t.Helper()
	e := &azEnv{t: t, st: memory.New(), log: &azLog{},
		clock: &azClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}}
	t.Cleanup(func() { _ = e.st.Close() })
	e.ts = httptest.NewUnstartedServer(nil)
	settings := Settings{Issuer: "http://" + e.ts.Listener.Addr().String(), AccessTokenTTL: 30 * time.Minute,
		RefreshTokenTTL: 8 * time.Hour, CodeTTL: time.Minute,
		ScopeDescriptions: map[string]string{"read": "Read your files", "write": "Change your files"}}
	for _, f := range edit {
		f(&settings)
	}
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	e.srv, err = New(settings, Options{Store: e.st, Hasher: &hashing.Hasher{}, Keys: ks, Now: e.clock.now,
		Logger: slog.New(slog.NewTextHandler(e.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.ts.Config = NewHTTPServer(e.srv.Handler(), slog.New(slog.DiscardHandler))
	e.ts.Start()
	t.Cleanup(e.ts.Close)
	e.client = e.newBrowser()

	both := []string{"read", "write"}
	codeRefresh := []string{GrantAuthorizationCode, GrantRefreshToken}
	e.addClient(store.Client{ID: "web", Name: "Web App", AuthMethod: "client_secret_basic", Scopes: both,
		GrantTypes: codeRefresh, SecretHash: (&hashing.Hasher{}).Hash(azSecret),
		RedirectURIs: []string{azApp, azLoopback, "http://[::1]/callback", "http://localhost:8400/cb",
			"https://app.example.test/q?tenant=1"}})
	e.addClient(store.Client{ID: "spa", Name: "Single Page", AuthMethod: "none", Scopes: both,
		GrantTypes: codeRefresh, RedirectURIs: []string{"https://spa.example.test/cb"}})
	e.addClient(store.Client{ID: "legacy", Name: "Legacy SPA", AuthMethod: "none", Scopes: both,
		GrantTypes: []string{GrantImplicit}, RedirectURIs: []string{"https://legacy.example.test/cb"}})
	e.addClient(store.Client{ID: "ci", Name: "CI App", AuthMethod: "none", Scopes: both, AutoApprove: true,
		GrantTypes: codeRefresh, RedirectURIs: []string{azLoopback}})
	e.addClient(store.Client{ID: "trusted", Name: "Trusted", AuthMethod: "none", Scopes: both, SkipConsent: true,
		GrantTypes: codeRefresh, RedirectURIs: []string{azApp}})
	e.addUser("alice", "sub-alice", alicePass, map[string]any{"email": "alice@example.test", "name": "Alice"})
	e.addUser("bob", "sub-bob", bobPass, nil)
	return e
}

func (e *azEnv) addClient(c store.Client) {
	e.t.Helper()
	if err := e.st.Clients().Put(context.Background(), c); err != nil {
		e.t.Fatal(err)
	}
}

// addUser stores a user with a cheap bcrypt hash (cost 4: tests only).
func (e *azEnv) addUser(name, sub, password string, claims map[string]any) {
	e.t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Users().Put(context.Background(), store.User{Username: name, Subject: sub, PasswordHash: string(h), Claims: claims}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *azEnv) newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	// A safety net, not a speed check: an argon2id login (64 MiB, t=3)
	// under -race on a loaded 2-core CI machine took over 10 s once.
	return &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// azResp is a response read whole.
type azResp struct {
	status int
	header http.Header
	body   string
}

func (r azResp) location() string { return r.header.Get("Location") }

func (e *azEnv) send(c *http.Client, req *http.Request) azResp {
	e.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return azResp{status: res.StatusCode, header: res.Header, body: string(b)}
}

// get fetches a path (or an absolute URL) with the env's browser.
func (e *azEnv) get(path string) azResp {
	e.t.Helper()
	return e.getWith(e.client, path)
}

func (e *azEnv) getWith(c *http.Client, path string) azResp {
	e.t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = e.ts.URL + path
	}
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	return e.send(c, req)
}

func (e *azEnv) postForm(path string, form url.Values) azResp {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.send(e.client, req)
}

// authorize sends GET /authorize with the parameters kv (pairs).
func (e *azEnv) authorize(kv ...string) azResp {
	e.t.Helper()
	return e.get("/authorize?" + azForm(kv...).Encode())
}

// azForm builds url.Values from pairs; a repeated name is sent twice.
func azForm(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// azDrop as a value in codeReq removes the parameter.
const azDrop = "\x00drop"

// codeReq returns the parameters of a valid code request of client web,
// with the pairs of set replacing (or, with azDrop, removing) parameters
// and new names appended.
func codeReq(set ...string) []string {
	base := []string{"response_type", "code", "client_id", "web", "redirect_uri", azApp,
		"state", "st-123", "code_challenge", azChallenge(azVerifier), "code_challenge_method", "S256"}
	for i := 0; i+1 < len(set); i += 2 {
		found := false
		for j := 0; j+1 < len(base); j += 2 {
			if base[j] == set[i] {
				base[j+1], found = set[i+1], true
			}
		}
		if !found {
			base = append(base, set[i], set[i+1])
		}
	}
	var out []string
	for j := 0; j+1 < len(base); j += 2 {
		if base[j+1] != azDrop {
			out = append(out, base[j], base[j+1])
		}
	}
	return out
}

// azChallenge is the RFC 7636 §4.2 S256 transform, written here again so
// the tests do not trust the code under test.
func azChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
var requestRe = regexp.MustCompile(`name="request" value="([^"]+)"`)

// formValues takes the CSRF token and request id from a page.
func formValues(t *testing.T, body string) (csrf, rid string) {
	t.Helper()
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf_token on the page:\n%s", body)
	}
	csrf = m[1]
	if m := requestRe.FindStringSubmatch(body); m != nil {
		rid = m[1]
	}
	return csrf, rid
}

// redirectParams parses the query (or, with fragment, the fragment) of a
// Location that must start with prefix.
func redirectParams(t *testing.T, r azResp, prefix string, fragment bool) url.Values {
	t.Helper()
	loc := r.location()
	if !strings.HasPrefix(loc, prefix) {
		t.Fatalf("status %d, Location %q, want it to start with %q; body:\n%s", r.status, loc, prefix, r.body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	raw := u.RawQuery
	if fragment {
		if u.RawQuery != "" && !strings.Contains(prefix, "?") {
			t.Fatalf("Location %q has a query; the answer belongs in the fragment", loc)
		}
		raw = u.EscapedFragment()
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wantRedirectError asserts an error answer in the query of redirect.
func (e *azEnv) wantRedirectError(t *testing.T, r azResp, redirect, code, state string) url.Values {
	t.Helper()
	if r.status != http.StatusFound && r.status != http.StatusSeeOther {
		t.Fatalf("status %d, want a redirect; body:\n%s", r.status, r.body)
	}
	v := redirectParams(t, r, redirect+"?", false)
	if v.Get("error") != code {
		t.Fatalf("error %q (%s), want %q", v.Get("error"), v.Get("error_description"), code)
	}
	if v.Get("error_description") == "" {
		t.Errorf("no error_description")
	}
	if v.Get("iss") != e.srv.settings.Issuer {
		t.Errorf("iss %q, want %q", v.Get("iss"), e.srv.settings.Issuer)
	}
	if got := v.Get("state"); got != state {
		t.Errorf("state %q, want %q", got, state)
	}
	if v.Has("code") || v.Has("access_token") {
		t.Errorf("an error answer carries a code or token: %v", v)
	}
	return v
}

// wantPage asserts an HTML page with the rule 8 headers and no redirect.
func wantPage(t *testing.T, r azResp, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; Location %q; body:\n%s", r.status, status, r.location(), r.body)
	}
	if loc, ok := r.header["Location"]; ok {
		t.Fatalf("a page must not redirect; Location %q", loc)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	csp := r.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	for h, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
		"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s %q, want %q", h, got, want)
		}
	}
	for _, c := range contains {
		if !strings.Contains(r.body, c) {
			t.Errorf("page lacks %q:\n%s", c, r.body)
		}
	}
}

// login answers the login page that r redirected to.
func (e *azEnv) login(r azResp, user, password string) azResp {
	e.t.Helper()
	if r.status != http.StatusFound && r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/authorize/login?request=") {
		e.t.Fatalf("status %d Location %q, want a redirect to the login page; body:\n%s", r.status, r.location(), r.body)
	}
	page := e.get(r.location())
	wantPage(e.t, page, http.StatusOK, "Sign in")
	csrf, rid := formValues(e.t, page.body)
	return e.postForm("/authorize/login", url.Values{"csrf_token": {csrf}, "request": {rid}, "username": {user}, "password": {password}})
}

// consent answers the consent page that r redirected to.
func (e *azEnv) consent(r azResp, decision string) azResp {
	e.t.Helper()
	if r.status != http.StatusSeeOther && r.status != http.StatusFound || !strings.HasPrefix(r.location(), "/authorize/consent?request=") {
		e.t.Fatalf("status %d Location %q, want a redirect to the consent page; body:\n%s", r.status, r.location(), r.body)
	}
	page := e.get(r.location())
	wantPage(e.t, page, http.StatusOK, "Allow access?")
	csrf, rid := formValues(e.t, page.body)
	return e.postForm("/authorize/consent", url.Values{"csrf_token": {csrf}, "request": {rid}, "decision": {decision}})
}

// code takes the code out of a successful answer to redirect, checking
// state and iss.
func (e *azEnv) code(t *testing.T, r azResp, redirect, state string) string {
	t.Helper()
	v := redirectParams(t, r, redirect+"?", false)
	if v.Get("error") != "" {
		t.Fatalf("error %s: %s", v.Get("error"), v.Get("error_description"))
	}
	if v.Get("state") != state || v.Get("iss") != e.srv.settings.Issuer {
		t.Fatalf("state %q iss %q", v.Get("state"), v.Get("iss"))
	}
	if v.Get("code") == "" {
		t.Fatalf("no code in %q", r.location())
	}
	return v.Get("code")
}

// redeem posts the code to /token; secret "" for a public client.
func (e *azEnv) redeem(clientID, secret, code, redirect, verifier string) azResp {
	e.t.Helper()
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
	if verifier != "" {
		f.Set("code_verifier", verifier)
	}
	if secret == "" {
		f.Set("client_id", clientID)
	}
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/token", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(clientID, secret)
	}
	return e.send(http.DefaultClient, req)
}

// bearerGet calls path with an access token.
func (e *azEnv) bearerGet(path, token string) azResp {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return e.send(http.DefaultClient, req)
}
