package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/control"
	"github.com/oauthkit/oauthkit/internal/testutil/pgtest"
	"github.com/oauthkit/oauthkit/internal/testutil/servetest"
)

// The replica harness: several real `oauthkit serve` processes on one
// store, behind one issuer (the first replica's address, as if a proxy
// answered there), each on a port of its own. The store is a parameter:
// a SQLite file shared by the processes (WAL) or a PostgreSQL database.

const (
	replicaClient = "web"
	replicaSecret = "web-s3cret"
	replicaUser   = "alice"
	replicaPass   = "wonderland"
	replicaCB     = "http://127.0.0.1/callback"
)

const replicaConfig = `clients:
  - id: web
    secret: web-s3cret
    grant_types: [client_credentials, authorization_code, refresh_token]
    scopes: [openid, profile, read]
    redirect_uris: [http://127.0.0.1/callback]
users:
  - username: alice
    password: wonderland
`

// replicaStore names a store every replica of a test opens, and the
// arguments they need for it besides --store.
type replicaStore struct {
	name string
	dsn  func(t *testing.T, dir string) string
	args func(dir string) []string
}

var replicaStores = []replicaStore{
	// The secret key file lies beside the SQLite file: shared by default.
	{"sqlite", func(t *testing.T, dir string) string { return "sqlite:" + filepath.Join(dir, "store.db") },
		func(string) []string { return nil }},
	// A PostgreSQL store has no file to put it beside: the replicas are
	// given one (each has a state directory of its own here).
	{"postgres", func(t *testing.T, _ string) string { _, dsn := pgtest.Database(t); return dsn },
		func(dir string) []string { return []string{"--secret-key-file", filepath.Join(dir, "secret-key")} }},
}

// replica is one serve process; base is where it listens.
type replica struct {
	*servetest.Server
	name     string
	base     string
	stateDir string
}

// cluster is the replicas of one test.
type cluster struct {
	t        *testing.T
	issuer   string
	replicas []*replica
	http     *http.Client
}

// freePorts returns n distinct free ports: all n are held open until the
// last is chosen, since a port closed at once may be handed out again (two
// replicas were once given the same port, and the second could not bind).
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// startCluster starts n replicas on the store: with together, all at once
// on the empty store (each may create the schema, a signing key and the
// secret key file); else the first alone, then the others at once. Each
// has the control API on (its token in its own state dir).
func startCluster(t *testing.T, st replicaStore, n int, together bool) *cluster {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "oauthkit.yaml")
	if err := os.WriteFile(cfg, []byte(replicaConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	dsn := st.dsn(t, dir)
	ports := freePorts(t, n)
	c := &cluster{t: t, issuer: "http://127.0.0.1:" + strconv.Itoa(ports[0]), replicas: make([]*replica, n),
		http: &http.Client{Timeout: 30 * time.Second}}
	start := func(i int) {
		name := string(rune('A' + i))
		state := filepath.Join(dir, "state-"+name)
		p := servetest.Run(t, servetest.Options{
			Bin: exe, Argv0: "oauthkit",
			Args: append([]string{"--config", cfg, "--store", dsn, "--issuer", c.issuer,
				"--addr", "127.0.0.1:" + strconv.Itoa(ports[i]), "--control", "--state-dir", state}, st.args(dir)...),
			Dir:          dir,
			Env:          []string{"NO_COLOR=1", "OAUTHKIT_CLIENT_SECRET=", "XDG_STATE_HOME=" + state},
			StartTimeout: 60 * time.Second,
		})
		c.replicas[i] = &replica{Server: p, name: name, base: "http://127.0.0.1:" + strconv.Itoa(ports[i]), stateDir: state}
	}
	first := 0
	if !together {
		start(0)
		first = 1
	}
	var wg sync.WaitGroup
	for i := first; i < n; i++ {
		wg.Go(func() { start(i) })
	}
	wg.Wait()
	for _, r := range c.replicas {
		if r == nil {
			t.FailNow() // servetest.Run reported why
		}
		c.waitReady(r)
	}
	return c
}

// in returns the cluster for a subtest: its helpers fail t.
func (c *cluster) in(t *testing.T) *cluster {
	cc := *c
	cc.t = t
	return &cc
}

// waitReady waits until the replica answers /healthz with 200.
func (c *cluster) waitReady(r *replica) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := c.http.Get(r.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("replica %s not healthy within 30 s: %v", r.name, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// answer is an HTTP answer read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (a answer) str(k string) string { s, _ := a.json[k].(string); return s }

func (a answer) String() string {
	return fmt.Sprintf("%d %s", a.status, strings.TrimSpace(string(a.body)))
}

func do(c *http.Client, req *http.Request) (answer, error) {
	res, err := c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return answer{}, err
	}
	a := answer{status: res.StatusCode, header: res.Header, body: b}
	_ = json.Unmarshal(b, &a.json)
	return a, nil
}

// post sends a form to a replica with the client's credentials (Basic).
func (c *cluster) post(r *replica, path string, form url.Values) (answer, error) {
	req, err := http.NewRequest(http.MethodPost, r.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(replicaClient, replicaSecret)
	return do(c.http, req)
}

func (c *cluster) mustPost(r *replica, path string, form url.Values) answer {
	c.t.Helper()
	a, err := c.post(r, path, form)
	if err != nil {
		c.t.Fatalf("POST %s%s: %v", r.base, path, err)
	}
	return a
}

func (c *cluster) clientCredentials(r *replica) string {
	c.t.Helper()
	a := c.mustPost(r, "/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})
	if a.status != http.StatusOK || a.str("access_token") == "" {
		c.t.Fatalf("client_credentials on %s: %v", r.name, a)
	}
	return a.str("access_token")
}

// active introspects token on r.
func (c *cluster) active(r *replica, token string) bool {
	c.t.Helper()
	a := c.mustPost(r, "/introspect", url.Values{"token": {token}})
	if a.status != http.StatusOK {
		c.t.Fatalf("introspect on %s: %v", r.name, a)
	}
	return a.json["active"] == true
}

func (c *cluster) refresh(r *replica, rt string) (answer, error) {
	return c.post(r, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

var (
	csrfField    = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	requestField = regexp.MustCompile(`name="request" value="([^"]+)"`)
)

// browser is a cookie jar that follows no redirects: cookies are per host,
// not per port, so one browser talks to every replica with one session.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (c *cluster) page(b *http.Client, r *replica, method, pathQuery string, form url.Values) answer {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, r.base+pathQuery, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	a, err := do(b, req)
	if err != nil {
		c.t.Fatalf("%s %s on %s: %v", method, pathQuery, r.name, err)
	}
	return a
}

func formFields(t *testing.T, a answer) (csrf, rid string) {
	t.Helper()
	m, n := csrfField.FindSubmatch(a.body), requestField.FindSubmatch(a.body)
	if m == nil || n == nil {
		t.Fatalf("no form on the page (%d):\n%s", a.status, a.body)
	}
	return string(m[1]), string(n[1])
}

// codeFlow runs the browser flow with PKCE: /authorize and the login on
// login, the consent page on consent, the code redeemed on redeem. It
// returns the token response and whether the consent page was shown (not
// when the user's consent to the scope is remembered).
func (c *cluster) codeFlow(login, consent, redeem *replica) (answer, bool) {
	t := c.t
	t.Helper()
	b := browser()
	verifier := strings.Repeat("v", 43)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {replicaClient}, "redirect_uri": {replicaCB},
		"scope": {"openid read"}, "state": {"st-1"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}}
	a := c.page(b, login, http.MethodGet, "/authorize?"+q.Encode(), nil)
	if a.status != http.StatusFound || !strings.Contains(a.header.Get("Location"), "/login?request=") {
		t.Fatalf("/authorize on %s: %d %q, want 302 to the login page", login.name, a.status, a.header.Get("Location"))
	}
	a = c.page(b, login, http.MethodGet, a.header.Get("Location"), nil)
	csrf, rid := formFields(t, a)
	a = c.page(b, login, http.MethodPost, "/authorize/login", url.Values{"csrf_token": {csrf}, "request": {rid},
		"username": {replicaUser}, "password": {replicaPass}})
	shown := a.status == http.StatusSeeOther && strings.Contains(a.header.Get("Location"), "/consent?request=")
	if shown {
		a = c.page(b, consent, http.MethodGet, a.header.Get("Location"), nil)
		if a.status != http.StatusOK {
			t.Fatalf("the consent page on %s after the login on %s: %v", consent.name, login.name, a)
		}
		csrf, rid = formFields(t, a)
		a = c.page(b, consent, http.MethodPost, "/authorize/consent", url.Values{"csrf_token": {csrf}, "request": {rid}, "decision": {"allow"}})
	}
	loc, err := url.Parse(a.header.Get("Location"))
	if err != nil || a.status != http.StatusSeeOther || loc.Query().Get("code") == "" {
		t.Fatalf("login on %s, consent (shown: %v) on %s: %d %q, want 303 to the client with a code; body:\n%s",
			login.name, shown, consent.name, a.status, a.header.Get("Location"), a.body)
	}
	tok := c.mustPost(redeem, "/token", url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {replicaCB}, "code_verifier": {verifier}})
	if tok.status != http.StatusOK || tok.str("refresh_token") == "" {
		t.Fatalf("redeeming on %s: %v", redeem.name, tok)
	}
	return tok, shown
}

// signingKID is the kid in the header of a token r issues now.
func (c *cluster) signingKID(r *replica) string {
	c.t.Helper()
	at := c.clientCredentials(r)
	head, _, _ := strings.Cut(at, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		c.t.Fatalf("the access token of %s is not a JWT: %v", r.name, err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		c.t.Fatal(err)
	}
	return h.Kid
}

// jwksKIDs lists the kids r publishes.
func (c *cluster) jwksKIDs(r *replica) []string {
	c.t.Helper()
	res, err := c.http.Get(r.base + "/jwks.json")
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		c.t.Fatal(err)
	}
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	return out
}

// rotateKeys calls the control API of r: POST rotate-keys.
func (c *cluster) rotateKeys(r *replica, alg string) string {
	c.t.Helper()
	tok, err := control.ReadTokenFile(filepath.Join(r.stateDir, control.TokenFileName))
	if err != nil {
		c.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, r.base+"/_oauthkit/control/rotate-keys", strings.NewReader(`{"alg":"`+alg+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	a, err := do(c.http, req)
	if err != nil || a.status != http.StatusOK || a.str("kid") == "" {
		c.t.Fatalf("rotate-keys on %s: %v %v", r.name, a, err)
	}
	return a.str("kid")
}
