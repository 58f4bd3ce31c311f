package conformance

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Rules 39–48 and 61 (docs/security.md, second review): the browser
// session, its pages and its memory, against the real binary.

// sessionConfig has two users, a client that needs the pages (openid), a
// public loopback client that needs them too, and an auto-approve client
// to mint ID tokens for either user.
const sessionConfig = `
scopes: {read: Read your data}
clients:
  - id: web
    secret: web-s3cret-0123456789
    redirect_uris: [https://web.example.test/cb]
    scopes: [openid, read]
  - id: native
    redirect_uris: [http://127.0.0.1/callback]
    scopes: [openid, read]
  - id: minter
    secret: minter-s3cret-0123456789
    grant_types: [authorization_code, password]
    redirect_uris: [https://minter.example.test/cb]
    scopes: [openid, read]
    auto_approve: true
users:
  - username: alice
    password: wonderland-pw
  - username: bob
    password: builder-pw-1
`

const (
	webCB     = "https://web.example.test/cb"
	bobName   = "bob"
	bobPass   = "builder-pw-1"
	webSecret = "web-s3cret-0123456789"
)

var asWeb = basicAuth("web", webSecret)

// newBrowserFrom is a browser whose connections come from the loopback
// address ip, so the server sees another source.
func newBrowserFrom(t *testing.T, s *server, ip string) *browser {
	t.Helper()
	b := newBrowser(t, s)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	b.c.Transport = tr
	return b
}

// startAt starts an authorization of the browser and returns the answer
// after following this server's redirects (a page, or a redirect to the
// client).
func (b *browser) startAt(t *testing.T, kv ...string) answer {
	t.Helper()
	return b.follow(t, b.do(t, http.MethodGet, "/authorize?"+q(kv...), nil))
}

// webRequest is an authorization request of client web.
func webRequest(extra ...string) []string {
	return append([]string{"response_type", "code", "client_id", "web", "redirect_uri", webCB,
		"state", "s1", "scope", "openid read"}, extra...)
}

// signIn posts the login form of page as user and follows to the next page
// or redirect.
func (b *browser) signIn(t *testing.T, page answer, user, password string) answer {
	t.Helper()
	f := hiddenFields(page)
	f.Set("username", user)
	f.Set("password", password)
	return b.follow(t, b.do(t, http.MethodPost, "/authorize/login", f))
}

// allow posts Allow on a consent page.
func (b *browser) allow(t *testing.T, page answer) answer {
	t.Helper()
	f := hiddenFields(page)
	if f.Get("request") == "" || !strings.Contains(string(page.Body), `name="decision"`) {
		t.Fatalf("not a consent page: %s", page)
	}
	f.Set("decision", "allow")
	return b.do(t, http.MethodPost, "/authorize/consent", f)
}

// codeOf returns the code of a redirect to the client ("" for none).
func codeOf(a answer) string {
	u, err := url.Parse(a.Header.Get("Location"))
	if err != nil || (a.Status != http.StatusFound && a.Status != http.StatusSeeOther) {
		return ""
	}
	return u.Query().Get("code")
}

// isLoginPage: the answer is this server's login form.
func isLoginPage(a answer) bool {
	return a.Status == http.StatusOK && strings.Contains(string(a.Body), `name="password"`)
}

// signedInWeb signs a fresh browser in as user and allows client web
// (prompt=consent, so the page shows even if user allowed it before);
// it returns the browser and the code it got.
func signedInWeb(t *testing.T, s *server, user, password string) (*browser, string) {
	t.Helper()
	b := newBrowser(t, s)
	page := b.startAt(t, webRequest("prompt", "consent")...)
	if !isLoginPage(page) {
		t.Fatalf("no login page: %s", page)
	}
	consent := b.signIn(t, page, user, password)
	code := codeOf(b.allow(t, consent))
	if code == "" {
		t.Fatalf("no code after login and consent")
	}
	return b, code
}

// idTokenFor mints an ID token of user through the auto-approve client.
func idTokenFor(t *testing.T, s *server, user string) string {
	t.Helper()
	a := s.authorize(t, q("response_type", "code", "client_id", "minter", "redirect_uri", "https://minter.example.test/cb",
		"scope", "openid", "login_hint", user))
	code := codeOf(a)
	if code == "" {
		t.Fatalf("minter got no code: %s", a)
	}
	tok := mustTokens(t, s.token(t, basicAuth("minter", "minter-s3cret-0123456789"), url.Values{"grant_type": {"authorization_code"},
		"code": {code}, "redirect_uri": {"https://minter.example.test/cb"}}), "minting an ID token")
	idt := tok.str("id_token")
	if idt == "" {
		t.Fatalf("no id_token: %s", tok)
	}
	return idt
}

// idTokenOfBrowser redeems a code of client web and returns its ID token.
func idTokenOfBrowser(t *testing.T, s *server, code string) string {
	t.Helper()
	tok := mustTokens(t, s.token(t, asWeb, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {webCB}}), "redeeming web's code")
	return tok.str("id_token")
}

func TestRule39_SessionCookieScopedToAuthorize(t *testing.T) {
	s := shared(t)
	t.Run("every Set-Cookie has Path=/authorize", func(t *testing.T) {
		b := newBrowser(t, s)
		first := b.do(t, http.MethodGet, "/authorize?"+q("response_type", "code", "client_id", pagesID,
			"redirect_uri", "https://pages.example.test/cb", "state", "c", "scope", "read", "prompt", "consent"), nil)
		login := b.follow(t, first)
		f := hiddenFields(login)
		f.Set("username", userName)
		f.Set("password", userPassword)
		afterLogin := b.do(t, http.MethodPost, "/authorize/login", f)
		var seen int
		for _, a := range []answer{first, afterLogin} {
			for _, c := range (&http.Response{Header: a.Header}).Cookies() {
				seen++
				if c.Path != "/authorize" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
					t.Errorf("Set-Cookie %s: Path %q HttpOnly %v SameSite %v, want Path=/authorize, HttpOnly, SameSite=Lax",
						c.Name, c.Path, c.HttpOnly, c.SameSite)
				}
			}
		}
		if seen < 2 {
			t.Errorf("saw %d Set-Cookie headers at /authorize and login, want the session cookie twice", seen)
		}
		if page := b.follow(t, afterLogin); !strings.Contains(string(page.Body), `action="/authorize/consent"`) {
			t.Errorf("the consent form does not post under /authorize: %s", page)
		}
	})
	t.Run("old page paths answer 308 to their new place", func(t *testing.T) {
		a := s.do(t, http.MethodGet, "/logout?state=x", nil, nil)
		if a.Status != http.StatusPermanentRedirect || a.Header.Get("Location") != "/authorize/logout?state=x" {
			t.Errorf("GET /logout: %d Location %q, want 308 to /authorize/logout?state=x", a.Status, a.Header.Get("Location"))
		}
	})
	t.Run("discovery names the moved end_session_endpoint", func(t *testing.T) {
		a := s.do(t, http.MethodGet, "/.well-known/openid-configuration", nil, nil)
		if got := a.str("end_session_endpoint"); got != s.url+"/authorize/logout" {
			t.Errorf("end_session_endpoint %q, want %q", got, s.url+"/authorize/logout")
		}
	})
	t.Run("a redirect URI the cookie could reach is refused at load", func(t *testing.T) {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "c.yaml")
		writeFile(t, cfg, "issuer: http://127.0.0.1:8080\nclients:\n  - id: leaky\n    redirect_uris:\n      - http://127.0.0.1:9000/authorize/cb\n")
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, suite.bin, "serve", "--config", cfg, "--store", "memory", "--addr", "127.0.0.1:0")
		cmd.Env = append(cmd.Environ(), "XDG_STATE_HOME="+filepath.Join(dir, "state"))
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Fatalf("serve: %v, want exit 2; output:\n%s", err, out)
		}
		if !strings.Contains(string(out), cfg+":5: clients[0].redirect_uris[0]:") || !strings.Contains(string(out), "rule 39") {
			t.Errorf("output lacks the file:line error naming rule 39:\n%s", out)
		}
	})
	t.Run("the same with the issuer from --addr", func(t *testing.T) {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "c.yaml")
		writeFile(t, cfg, "clients:\n  - id: leaky\n    redirect_uris:\n      - http://127.0.0.1:9000/authorize\n")
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, suite.bin, "serve", "--config", cfg, "--store", "memory", "--addr", "127.0.0.1:0")
		cmd.Env = append(cmd.Environ(), "XDG_STATE_HOME="+filepath.Join(dir, "state"))
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), cfg+":4: clients[0].redirect_uris[0]:") {
			t.Fatalf("serve: %v, want exit 2 with %s:4; output:\n%s", err, cfg, out)
		}
	})
}

func TestRule40_AuthorizeParameterLimits(t *testing.T) {
	s := shared(t)
	base := []string{"response_type", "code", "client_id", pagesID, "redirect_uri", "https://pages.example.test/cb", "scope", "read"}
	for _, c := range []struct{ name, value string }{
		{"state", strings.Repeat("s", 60<<10)},
		{"login_hint", strings.Repeat("h", 2048)},
		{"ui_locales", strings.Repeat("en ", 700)},
		{"acr_values", strings.Repeat("a", 2048)},
		{"nonce", strings.Repeat("n", 1024)},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := s.do(t, http.MethodPost, "/authorize", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
				strings.NewReader(q(append(base, c.name, c.value)...)))
			v := wantRedirectError(t, s, a, "https://pages.example.test/cb", "invalid_request", false)
			if !strings.Contains(v.Get("error_description"), c.name) {
				t.Errorf("error_description %q does not name %s", v.Get("error_description"), c.name)
			}
			if len(a.Header.Get("Location")) > 8<<10 {
				t.Errorf("Location is %d bytes: the oversized value was echoed", len(a.Header.Get("Location")))
			}
			if a.Header.Get("Set-Cookie") != "" {
				t.Errorf("a refused request started a session: %s", a.Header.Get("Set-Cookie"))
			}
		})
	}
	t.Run("values within the limits still work", func(t *testing.T) {
		a := s.do(t, http.MethodGet, "/authorize?"+q(append(base, "state", strings.Repeat("s", 4096), "login_hint", "alice")...), nil, nil)
		if a.Status != http.StatusFound || !strings.HasPrefix(a.Header.Get("Location"), "/authorize/login?") {
			t.Errorf("a 4 KiB state: %d Location %q, want 302 to the login page", a.Status, a.Header.Get("Location"))
		}
	})
}

func TestRule42_AnonymousFloodKeepsSignedInSessions(t *testing.T) {
	s := startServer(t, sessionConfig)
	b, _ := signedInWeb(t, s, userName, userPassword)
	const flood, workers = 10001, 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	var notLogin int
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for range next {
				a := s.do(t, http.MethodGet, "/authorize?"+q(webRequest()...), nil, nil)
				if a.Status != http.StatusFound || !strings.HasPrefix(a.Header.Get("Location"), "/authorize/login?") {
					mu.Lock()
					notLogin++
					mu.Unlock()
				}
			}
		})
	}
	for i := range flood {
		next <- i
	}
	close(next)
	wg.Wait()
	if notLogin > 0 {
		t.Errorf("%d of %d cookie-less requests did not get the login page", notLogin, flood)
	}
	a := b.do(t, http.MethodGet, "/authorize?"+q(webRequest("prompt", "none")...), nil)
	if codeOf(a) == "" {
		t.Errorf("after %d anonymous requests the signed-in browser got %d Location %q, want a code: its session was evicted",
			flood, a.Status, a.Header.Get("Location"))
	}
}

func TestRule43_ThrottlePerUserAndSource(t *testing.T) {
	s := startServer(t, sessionConfig)
	minter := basicAuth("minter", "minter-s3cret-0123456789")
	pw := func(ip, user, pass string) answer {
		t.Helper()
		b := newBrowserFrom(t, s, ip)
		f := url.Values{"grant_type": {"password"}, "username": {user}, "password": {pass}}
		req, _ := http.NewRequest(http.MethodPost, s.url+"/token", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(minter.basicID, minter.basicSecret)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return answer{Status: resp.StatusCode, Header: resp.Header}
	}
	for i := range 6 {
		if a := pw("127.0.0.1", userName, "wrong"); a.Status != http.StatusBadRequest && a.Status != http.StatusTooManyRequests {
			t.Fatalf("wrong password %d: %d", i+1, a.Status)
		}
	}
	if a := pw("127.0.0.1", userName, userPassword); a.Status != http.StatusTooManyRequests || a.Header.Get("Retry-After") == "" {
		t.Errorf("alice from the failing source: %d, want 429 with Retry-After", a.Status)
	}
	if a := pw("127.0.0.2", userName, userPassword); a.Status != http.StatusOK {
		t.Errorf("alice's correct password from a source that has not failed: %d, want 200 (NIST SP 800-63B §5.2.2)", a.Status)
	}
	if a := pw("127.0.0.1", bobName, bobPass); a.Status != http.StatusOK {
		t.Errorf("bob on the same client and source after alice's failures: %d, want 200", a.Status)
	}

	t.Run("login page", func(t *testing.T) {
		for i := range 6 {
			b := newBrowserFrom(t, s, "127.0.0.3")
			a := b.signIn(t, b.startAt(t, webRequest()...), bobName, "wrong")
			if a.Status != http.StatusUnauthorized && a.Status != http.StatusTooManyRequests {
				t.Fatalf("wrong password %d: %s", i+1, a)
			}
		}
		b := newBrowserFrom(t, s, "127.0.0.3")
		if a := b.signIn(t, b.startAt(t, webRequest()...), bobName, bobPass); a.Status != http.StatusTooManyRequests {
			t.Errorf("bob from the failing source: %d, want 429", a.Status)
		}
		b = newBrowserFrom(t, s, "127.0.0.4")
		page := b.signIn(t, b.startAt(t, webRequest()...), bobName, bobPass)
		if page.Status != http.StatusOK || !strings.Contains(string(page.Body), `name="decision"`) {
			t.Errorf("bob from another source: %s, want the consent page", page)
		}
	})
}

func TestRule45_PublicLoopbackClientAskedEveryTime(t *testing.T) {
	s := startServer(t, sessionConfig)
	b := newBrowser(t, s)
	native := func(extra ...string) []string {
		_, ch := pkcePair(t)
		return append([]string{"response_type", "code", "client_id", "native", "redirect_uri", "http://127.0.0.1:" + "53124/callback",
			"state", "n", "scope", "read", "code_challenge", ch, "code_challenge_method", "S256"}, extra...)
	}
	consent := b.signIn(t, b.startAt(t, native()...), userName, userPassword)
	if code := codeOf(b.allow(t, consent)); code == "" {
		t.Fatal("no code after the first consent")
	}
	again := b.startAt(t, native()...)
	if codeOf(again) != "" || !strings.Contains(string(again.Body), `name="decision"`) {
		t.Errorf("second request of the public loopback client: %d Location %q, want the consent page again (RFC 8252 §8.6)",
			again.Status, again.Header.Get("Location"))
	}
	none := b.do(t, http.MethodGet, "/authorize?"+q(native("prompt", "none")...), nil)
	if u := none.location(t); u == nil || u.Query().Get("error") != "consent_required" {
		t.Errorf("prompt=none: Location %q, want error=consent_required", none.Header.Get("Location"))
	}
	// A confidential client with an https redirect keeps its remembered consent.
	wb, _ := signedInWeb(t, s, userName, userPassword)
	if code := codeOf(wb.do(t, http.MethodGet, "/authorize?"+q(webRequest("prompt", "none")...), nil)); code == "" {
		t.Errorf("the confidential client lost its remembered consent")
	}
}

func TestRule47_ConsentRequiresTheDemandedSignIn(t *testing.T) {
	s := startServer(t, sessionConfig)
	for _, extra := range [][]string{{"prompt", "login"}, {"max_age", "0"}} {
		t.Run(strings.Join(extra, "="), func(t *testing.T) {
			b, _ := signedInWeb(t, s, userName, userPassword)
			login := b.startAt(t, webRequest(extra...)...)
			if !isLoginPage(login) {
				t.Fatalf("%v did not show the login page: %s", extra, login)
			}
			f := hiddenFields(login) // request ID and CSRF token of this session
			f.Set("decision", "allow")
			a := b.do(t, http.MethodPost, "/authorize/consent", f)
			if codeOf(a) != "" {
				t.Fatalf("posting Allow straight to the consent page skipped the sign-in %v and got a code", extra)
			}
			if !strings.HasPrefix(a.Header.Get("Location"), "/authorize/login?") {
				t.Errorf("got %d Location %q, want a redirect to the login page", a.Status, a.Header.Get("Location"))
			}
			g := b.do(t, http.MethodGet, "/authorize/consent?request="+url.QueryEscape(f.Get("request")), nil)
			if strings.Contains(string(g.Body), `name="decision"`) {
				t.Errorf("GET of the consent page showed Allow before the sign-in %v", extra)
			}
		})
	}
}

func TestRule48_IDTokenHintOfAnotherUser(t *testing.T) {
	s := startServer(t, sessionConfig)
	bobIDT := idTokenFor(t, s, bobName)
	b, _ := signedInWeb(t, s, userName, userPassword)
	none := b.do(t, http.MethodGet, "/authorize?"+q(webRequest("prompt", "none", "id_token_hint", bobIDT)...), nil)
	if u := none.location(t); u == nil || u.Query().Get("error") != "login_required" {
		t.Errorf("prompt=none with bob's hint while alice is signed in: Location %q, want error=login_required", none.Header.Get("Location"))
	}
	login := b.startAt(t, webRequest("id_token_hint", bobIDT)...)
	if !isLoginPage(login) {
		t.Fatalf("bob's hint while alice is signed in: %s, want the login page", login)
	}
	a := b.signIn(t, login, userName, userPassword)
	if codeOf(a) != "" || a.Status != http.StatusForbidden {
		t.Errorf("signing in as alice for bob's hint: %d Location %q, want 403 and no code", a.Status, a.Header.Get("Location"))
	}
	consent := b.signIn(t, login, bobName, bobPass)
	if code := codeOf(b.allow(t, consent)); code == "" {
		t.Errorf("signing in as bob for bob's hint gave no code")
	}
}

func TestRule61_LogoutWithAnEarlierSessionsHintAsks(t *testing.T) {
	s := startServer(t, sessionConfig)
	b, code := signedInWeb(t, s, userName, userPassword)
	oldIDT := idTokenOfBrowser(t, s, code)
	// Sign out (confirmed) and in again: a new session of the same user.
	page := b.do(t, http.MethodGet, "/authorize/logout", nil)
	f := hiddenFields(page)
	if a := b.do(t, http.MethodPost, "/authorize/logout", f); a.Status != http.StatusSeeOther {
		t.Fatalf("confirmed logout: %s", a)
	}
	consent := b.signIn(t, b.startAt(t, webRequest("prompt", "consent")...), userName, userPassword)
	newIDT := idTokenOfBrowser(t, s, codeOf(b.allow(t, consent)))

	a := b.do(t, http.MethodGet, "/authorize/logout?"+q("id_token_hint", oldIDT), nil)
	if a.Status != http.StatusOK || hiddenFields(a).Get("csrf_token") == "" || !strings.Contains(string(a.Body), "Sign out") {
		t.Errorf("logout with the hint of an earlier sign-in: %s, want the confirmation page with a CSRF-protected form", a)
	}
	if codeOf(b.do(t, http.MethodGet, "/authorize?"+q(webRequest("prompt", "none")...), nil)) == "" {
		t.Fatalf("the session ended on a plain GET with another sid's hint")
	}
	a = b.do(t, http.MethodGet, "/authorize/logout?"+q("id_token_hint", newIDT), nil)
	if a.Status != http.StatusOK || !strings.Contains(string(a.Body), "Signed out") {
		t.Errorf("logout with this sign-in's hint: %s, want signed out at once", a)
	}
}
