package conformance

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Rule 8: the login and consent pages, driven like a browser (a cookie
// jar, forms posted back).

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	s *server
	c *http.Client
}

func newBrowser(t *testing.T, s *server) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{s: s, c: &http.Client{Jar: jar, Timeout: httpc.Timeout, CheckRedirect: httpc.CheckRedirect}}
}

func (b *browser) do(t *testing.T, method, path string, form url.Values) answer {
	t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = b.s.url + path
	}
	var req *http.Request
	var err error
	if form != nil {
		req, err = http.NewRequest(method, path, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequest(method, path, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf strings.Builder
	if _, err := buf.WriteString(""); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 0, 4096)
	tmp := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(tmp)
		raw = append(raw, tmp[:n]...)
		if err != nil {
			break
		}
	}
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// follow GETs the Location of a until it is no longer a same-server redirect.
func (b *browser) follow(t *testing.T, a answer) answer {
	t.Helper()
	for i := 0; i < 5 && (a.Status == http.StatusFound || a.Status == http.StatusSeeOther); i++ {
		loc := a.Header.Get("Location")
		if !strings.HasPrefix(loc, "/") {
			return a
		}
		a = b.do(t, http.MethodGet, loc, nil)
	}
	return a
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)

func hiddenFields(page answer) url.Values {
	v := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(string(page.Body), -1) {
		v.Set(m[1], m[2])
	}
	return v
}

// startPagesFlow starts an authorization for pages-client and returns the
// login page.
func (b *browser) startPagesFlow(t *testing.T, state string) answer {
	t.Helper()
	a := b.do(t, http.MethodGet, "/authorize?"+q("response_type", "code", "client_id", pagesID,
		"redirect_uri", "https://pages.example.test/cb", "state", state, "scope", "read"), nil)
	page := b.follow(t, a)
	if page.Status != http.StatusOK || hiddenFields(page).Get("csrf_token") == "" {
		t.Fatalf("no login page: %s", page)
	}
	return page
}

// login posts the login form of page and returns the consent page.
func (b *browser) login(t *testing.T, page answer) answer {
	t.Helper()
	f := hiddenFields(page)
	f.Set("username", userName)
	f.Set("password", userPassword)
	a := b.do(t, http.MethodPost, "/authorize/login", f)
	if a.Status != http.StatusSeeOther {
		t.Errorf("login POST answered %d, want 303 (rule 8)", a.Status)
	}
	next := b.follow(t, a)
	if next.Status != http.StatusOK || hiddenFields(next).Get("csrf_token") == "" {
		t.Fatalf("no consent page after login: %s", next)
	}
	return next
}

// consent posts decision on the consent page and returns the answer.
func (b *browser) consent(t *testing.T, page answer, decision string) answer {
	t.Helper()
	f := hiddenFields(page)
	f.Set("decision", decision)
	return b.do(t, http.MethodPost, "/authorize/consent", f)
}

func wantPageHeaders(t *testing.T, a answer) {
	t.Helper()
	csp := a.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q lacks frame-ancestors 'none' / default-src 'none'", csp)
	}
	for k, v := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
		if got := a.Header.Get(k); got != v {
			t.Errorf("%s %q, want %q", k, got, v)
		}
	}
	if m := regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).FindString(string(a.Body)); m != "" {
		t.Errorf("the page loads a third-party resource: %s", m)
	}
}

func TestRule08_PagesCSRFAndHeaders(t *testing.T) {
	s := shared(t)
	t.Run("headers of login, consent and error pages", func(t *testing.T) {
		b := newBrowser(t, s)
		page := b.startPagesFlow(t, "h")
		wantPageHeaders(t, page)
		wantPageHeaders(t, b.login(t, page))
		wantPageHeaders(t, s.authorize(t, q("response_type", "code", "client_id", "nobody")))
	})
	t.Run("login with a wrong CSRF token", func(t *testing.T) {
		b := newBrowser(t, s)
		f := hiddenFields(b.startPagesFlow(t, "c"))
		f.Set("csrf_token", "x"+f.Get("csrf_token"))
		f.Set("username", userName)
		f.Set("password", userPassword)
		a := b.do(t, http.MethodPost, "/authorize/login", f)
		if a.Status != http.StatusForbidden || a.Header.Get("Location") != "" {
			t.Errorf("got %d Location %q, want 403 without a redirect", a.Status, a.Header.Get("Location"))
		}
	})
	t.Run("CSRF token of another browser session", func(t *testing.T) {
		victim, attacker := newBrowser(t, s), newBrowser(t, s)
		vf := hiddenFields(victim.startPagesFlow(t, "v"))
		af := hiddenFields(attacker.startPagesFlow(t, "a"))
		vf.Set("csrf_token", af.Get("csrf_token"))
		vf.Set("username", userName)
		vf.Set("password", userPassword)
		if a := victim.do(t, http.MethodPost, "/authorize/login", vf); a.Status != http.StatusForbidden {
			t.Errorf("login with another session's CSRF token: %d, want 403", a.Status)
		}
	})
	t.Run("consent with a missing CSRF token", func(t *testing.T) {
		b := newBrowser(t, s)
		page := b.login(t, b.startPagesFlow(t, "m"))
		f := hiddenFields(page)
		f.Del("csrf_token")
		f.Set("decision", "allow")
		a := b.do(t, http.MethodPost, "/authorize/consent", f)
		if a.Status != http.StatusForbidden || a.Header.Get("Location") != "" {
			t.Errorf("consent without CSRF: %d Location %q, want 403 without a redirect", a.Status, a.Header.Get("Location"))
		}
	})
	t.Run("allow redirects with 303 and a code", func(t *testing.T) {
		b := newBrowser(t, s)
		a := b.consent(t, b.login(t, b.startPagesFlow(t, "ok")), "allow")
		u := a.location(t)
		if a.Status != http.StatusSeeOther || u == nil || u.Query().Get("code") == "" || u.Query().Get("state") != "ok" {
			t.Errorf("allow: %d Location %q, want 303 with code and state", a.Status, a.Header.Get("Location"))
		}
	})
	t.Run("reflected values are escaped", func(t *testing.T) {
		evil := `"><script>alert(1)</script>`
		for _, query := range []string{
			q("response_type", "code", "client_id", evil, "redirect_uri", appCB),
			q("response_type", "code", "client_id", basicID, "redirect_uri", "https://app.example.test/"+evil),
			q("response_type", "code", "client_id", pagesID, "redirect_uri", "https://pages.example.test/cb", "login_hint", evil),
		} {
			b := newBrowser(t, s)
			a := b.follow(t, b.do(t, http.MethodGet, "/authorize?"+query, nil))
			if strings.Contains(string(a.Body), "<script>alert(1)") || strings.Contains(string(a.Body), `"><script`) {
				t.Errorf("unescaped reflection for %s:\n%s", query, a.Body)
			}
		}
	})
}
