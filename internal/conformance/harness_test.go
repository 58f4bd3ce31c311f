package conformance

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testutil/servetest"
)

// The suite talks to the real `oauthkit` binary over HTTP only. TestMain
// gets it from servetest (built once per source tree, or $OAUTHKIT_BIN, to
// test an installed binary) and starts one shared server with baseConfig;
// tests that need a clean store or another configuration start their own
// with startServer.

// suite is the state TestMain prepares for the tests; it is written once,
// before m.Run, and only read afterwards.
var suite struct {
	bin    string
	shared *server
}

const startTimeout = 30 * time.Second

// Credentials of the clients in baseConfig. basicSecret holds characters
// that RFC 6749 §2.3.1 form-encoding changes (space, '+', '%', ':', '/').
const (
	basicID      = "basic-client"
	basicSecret  = "b s+c%2F:d/e"
	postID       = "post-client"
	postSecret   = "post-s3cret"
	publicID     = "public-client"
	implicitID   = "implicit-client"
	pagesID      = "pages-client"
	pagesSecret  = "pages-s3cret"
	otherID      = "other-client"
	otherSecret  = "other-s3cret"
	userName     = "alice"
	userPassword = "wonderland-pw"
	appCB        = "https://app.example.test/cb"
	loopbackCB   = "http://127.0.0.1/callback"
	spaCB        = "https://spa.example.test/cb"
)

// baseConfig has a client of every kind. Placeholders: none.
const baseConfig = `
pkce: public
scopes: {read: Read your data, write: Change your data}
clients:
  - id: basic-client
    secret: "b s+c%2F:d/e"
    auth_method: client_secret_basic
    grant_types: [authorization_code, refresh_token, client_credentials, password]
    redirect_uris:
      - https://app.example.test/cb
      - http://127.0.0.1/callback
      - "http://[::1]/callback"
      - http://localhost:8080/cb
      - https://app.example.test:8443/cb2
      - https://app.example.test/q?x=1
      - com.example.app:/oauth
    scopes: [openid, profile, email, read, write]
    auto_approve: true
  - id: post-client
    secret: post-s3cret
    auth_method: client_secret_post
    grant_types: [authorization_code, refresh_token, client_credentials]
    redirect_uris: [https://post.example.test/cb]
    scopes: [read, write]
    auto_approve: true
  - id: public-client
    redirect_uris: [http://127.0.0.1/callback, "http://[::1]/callback"]
    scopes: [openid, profile, read, write]
    auto_approve: true
  - id: implicit-client
    redirect_uris: [https://spa.example.test/cb]
    grant_types: [implicit]
    scopes: [openid, read]
    auto_approve: true
  - id: pages-client
    secret: pages-s3cret
    redirect_uris: [https://pages.example.test/cb]
    scopes: [openid, read]
  - id: other-client
    secret: other-s3cret
    grant_types: [authorization_code, refresh_token, client_credentials, password]
    redirect_uris: [https://app.example.test/cb]
    scopes: [openid, read, write]
    auto_approve: true
users:
  - username: alice
    password: wonderland-pw
    claims: {name: Alice, email: alice@example.test, email_verified: true}
`

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "oauthkit-conformance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// $OAUTHKIT_BIN or the binary of these sources, built once per source
	// tree for every suite (internal/testutil/servetest).
	if suite.bin, err = servetest.Binary(); err != nil {
		fmt.Fprintln(os.Stderr, "conformance: building oauthkit:", err)
		return 1
	}
	s, err := launch(filepath.Join(dir, "shared"), baseConfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance: shared server:", err)
		return 1
	}
	suite.shared = s
	code := m.Run()
	s.kill()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "shared server stderr (last 4000 bytes):\n%s\n", tail(s.stderr.String(), 4000))
	}
	return code
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// lockedBuffer collects a child's output while tests read it.
type lockedBuffer = servetest.LockedBuffer

// server is one running `oauthkit serve`.
type server struct {
	url    string // the issuer, first line of stdout
	dir    string
	store  string // path of the SQLite file
	cmd    *exec.Cmd
	stdout *lockedBuffer
	stderr *lockedBuffer
	exited chan struct{}
	proc   *servetest.Server // nil for a server started by hand
}

// launch writes config to dir/config.yaml and starts serve on a free port
// with a SQLite store in dir.
func launch(dir, config string, args ...string) (*server, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		return nil, err
	}
	store := filepath.Join(dir, "store.db")
	return launchIn(dir, store, append([]string{"--config", cfg, "--store", "sqlite:" + store, "--addr", "127.0.0.1:0"}, args...)...)
}

// launchIn starts `serve ARGS` in dir (state under dir/state); store is
// the SQLite file the arguments name, if any.
func launchIn(dir, store string, args ...string) (*server, error) {
	p, err := servetest.Start(servetest.Options{
		Bin:          suite.bin,
		Args:         args,
		Dir:          dir,
		Env:          []string{"NO_COLOR=1", "XDG_STATE_HOME=" + filepath.Join(dir, "state")},
		StartTimeout: startTimeout,
	})
	if err != nil {
		return nil, err
	}
	s := &server{url: p.URL, dir: dir, store: store, cmd: p.Cmd, stdout: p.Stdout, stderr: p.Stderr, exited: make(chan struct{}), proc: p}
	go func() { <-p.Done(); close(s.exited) }()
	return s, nil
}

func (s *server) kill() {
	if s.proc != nil {
		s.proc.Kill()
		<-s.exited
		return
	}
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// startServer starts a server of the test's own (killed at cleanup).
func startServer(t *testing.T, config string, args ...string) *server {
	t.Helper()
	s, err := launch(t.TempDir(), config, args...)
	if err != nil {
		t.Fatal(err)
	}
	cleanup(t, s)
	return s
}

// startIn starts `serve ARGS` in dir (see launchIn), killed at cleanup.
func startIn(t *testing.T, dir, store string, args ...string) *server {
	t.Helper()
	s, err := launchIn(dir, store, args...)
	if err != nil {
		t.Fatal(err)
	}
	cleanup(t, s)
	return s
}

// cleanup kills s when the test ends and shows its stderr if it failed.
func cleanup(t *testing.T, s *server) {
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("serve stderr:\n%s", tail(s.stderr.String(), 4000))
		}
	})
}

func shared(t *testing.T) *server {
	t.Helper()
	if suite.shared == nil {
		t.Fatal("no shared server (TestMain did not run)")
	}
	return suite.shared
}

// httpc never follows redirects: the tests look at Location themselves.
var httpc = &http.Client{
	Timeout:       20 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport:     &http.Transport{MaxIdleConnsPerHost: 64},
}

// answer is one HTTP response, read whole.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

func (a answer) str(k string) string {
	s, _ := a.JSON[k].(string)
	return s
}

func (a answer) String() string {
	return fmt.Sprintf("%d %s", a.Status, tail(string(a.Body), 600))
}

// location parses the Location header ("" → nil).
func (a answer) location(t *testing.T) *url.URL {
	t.Helper()
	loc := a.Header.Get("Location")
	if loc == "" {
		return nil
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("Location %q: %v", loc, err)
	}
	return u
}

// auth is how a request authenticates its client.
type auth struct {
	basicID, basicSecret string // HTTP Basic, form-encoded per RFC 6749 §2.3.1
	rawBasic             string // a raw Authorization header value, used as is
	postID, postSecret   string // client_id / client_secret in the body
	public               string // client_id only
}

func basicAuth(id, secret string) auth { return auth{basicID: id, basicSecret: secret} }
func postAuth(id, secret string) auth  { return auth{postID: id, postSecret: secret} }
func publicAuth(id string) auth        { return auth{public: id} }

var (
	asBasic  = basicAuth(basicID, basicSecret)
	asPost   = postAuth(postID, postSecret)
	asPublic = publicAuth(publicID)
	asOther  = basicAuth(otherID, otherSecret)
)

func formEncodedBasic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// do sends one request; body may be nil.
func (s *server) do(t *testing.T, method, path string, header http.Header, body io.Reader) answer {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := httpc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	a := answer{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(raw, &a.JSON)
	}
	return a
}

// post sends form (as given, duplicates included) to path with the client
// authentication a.
func (s *server) post(t *testing.T, path string, a auth, form url.Values) answer {
	t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = append([]string(nil), v...)
	}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	switch {
	case a.rawBasic != "":
		h.Set("Authorization", a.rawBasic)
	case a.basicID != "":
		h.Set("Authorization", formEncodedBasic(a.basicID, a.basicSecret))
	case a.postID != "":
		f.Set("client_id", a.postID)
		f.Set("client_secret", a.postSecret)
	case a.public != "":
		f.Set("client_id", a.public)
	}
	return s.do(t, http.MethodPost, path, h, strings.NewReader(f.Encode()))
}

// postRaw sends a raw body with the given headers.
func (s *server) postRaw(t *testing.T, path string, h http.Header, body string) answer {
	t.Helper()
	if h == nil {
		h = http.Header{}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return s.do(t, http.MethodPost, path, h, strings.NewReader(body))
}

func (s *server) token(t *testing.T, a auth, form url.Values) answer {
	t.Helper()
	return s.post(t, "/token", a, form)
}

// authorize sends GET /authorize?query.
func (s *server) authorize(t *testing.T, query string) answer {
	t.Helper()
	return s.do(t, http.MethodGet, "/authorize?"+query, nil, nil)
}

// introspect asks /introspect (as basic-client) and returns the JSON.
func (s *server) introspect(t *testing.T, tok string) answer {
	t.Helper()
	return s.post(t, "/introspect", asBasic, url.Values{"token": {tok}})
}

// active reports whether tok introspects as active, and checks that an
// inactive answer is exactly {"active":false} (rule 22).
func (s *server) active(t *testing.T, tok string) bool {
	t.Helper()
	a := s.introspect(t, tok)
	if a.Status != http.StatusOK {
		t.Fatalf("introspection: %s, want 200", a)
	}
	if act, _ := a.JSON["active"].(bool); act {
		return true
	}
	if got := strings.TrimSpace(string(a.Body)); got != `{"active":false}` {
		t.Errorf("inactive introspection answer %q, want exactly {\"active\":false}", got)
	}
	return false
}

// pkcePair returns a fresh 43-character verifier and its S256 challenge.
func pkcePair(t *testing.T) (verifier, challenge string) {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	verifier = base64.RawURLEncoding.EncodeToString(b)
	return verifier, s256(verifier)
}

func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// q builds a query string from key, value pairs in order (duplicates kept).
func q(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]) + "=" + url.QueryEscape(kv[i+1]))
	}
	return b.String()
}

// grant is what the code flow produced.
type grant struct {
	code, verifier, redirect string
}

// getCode runs /authorize for client (auto-approved) and returns the code.
// With pkce false no challenge is sent.
func (s *server) getCode(t *testing.T, client, redirect, scope string, pkce bool, extra ...string) grant {
	t.Helper()
	g := grant{redirect: redirect}
	kv := []string{"response_type", "code", "client_id", client, "redirect_uri", redirect, "state", "st-1", "login_hint", userName}
	if scope != "" {
		kv = append(kv, "scope", scope)
	}
	if pkce {
		var ch string
		g.verifier, ch = pkcePair(t)
		kv = append(kv, "code_challenge", ch, "code_challenge_method", "S256")
	}
	kv = append(kv, extra...)
	a := s.authorize(t, q(kv...))
	loc := a.location(t)
	if a.Status != http.StatusFound || loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize for %s: %s, Location %q; want 302 with a code", client, a, a.Header.Get("Location"))
	}
	g.code = loc.Query().Get("code")
	return g
}

// redeem exchanges g at /token as a.
func (s *server) redeem(t *testing.T, a auth, g grant) answer {
	t.Helper()
	f := url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {g.redirect}}
	if g.verifier != "" {
		f.Set("code_verifier", g.verifier)
	}
	return s.token(t, a, f)
}

// mustTokens wants a 200 token response.
func mustTokens(t *testing.T, a answer, what string) answer {
	t.Helper()
	if a.Status != http.StatusOK || a.str("access_token") == "" {
		t.Fatalf("%s: %s, want 200 with an access_token", what, a)
	}
	return a
}

// passwordTokens runs the password grant as basic-client.
func (s *server) passwordTokens(t *testing.T, scope string) answer {
	t.Helper()
	f := url.Values{"grant_type": {"password"}, "username": {userName}, "password": {userPassword}}
	if scope != "" {
		f.Set("scope", scope)
	}
	return mustTokens(t, s.token(t, asBasic, f), "password grant")
}

// logSays waits up to 5 s for the server's stderr to contain any of subs:
// a request's log line may reach the pipe after its answer reached the
// test. It reports whether one did.
func (s *server) logSays(subs ...string) bool {
	deadline := time.Now().Add(5 * time.Second)
	for {
		out := s.stderr.String()
		for _, sub := range subs {
			if strings.Contains(out, sub) {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
