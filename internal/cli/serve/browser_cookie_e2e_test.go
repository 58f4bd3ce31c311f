package serve

// docs/security.md rule 39 in a real browser: the session cookie of the
// real `oauthkit serve` binary never reaches a client's redirect URI on
// the issuer's host (browsers ignore the port for cookies, RFC 6265 §8.5),
// and still serves the pages it is meant for.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/oauthkit/oauthkit/internal/testutil/servetest"
)

// headerRecorder is a client's redirect URI that records every request's
// headers and query.
type headerRecorder struct {
	*httptest.Server
	got chan recorded
}

type recorded struct {
	header http.Header
	query  url.Values
}

func newHeaderRecorder(t *testing.T) *headerRecorder {
	t.Helper()
	h := &headerRecorder{got: make(chan recorded, 8)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" { // the browser's /favicon.ico, say
			http.NotFound(w, r)
			return
		}
		h.got <- recorded{header: r.Header.Clone(), query: r.URL.Query()}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>app</title><p id="done">callback received</p>`)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *headerRecorder) next(t *testing.T) recorded {
	t.Helper()
	select {
	case r := <-h.got:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("the redirect URI was not called")
		return recorded{}
	}
}

func TestRule39_BrowserSessionCookieNeverReachesTheRedirectURI(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "oauthkit.yaml")
	// A confidential client on a loopback redirect: its callback runs on
	// the issuer's host (127.0.0.1), on another port.
	if err := os.WriteFile(cfg, []byte(`scopes: {read: Read your data}
clients:
  - id: loopback-app
    secret: loopback-app-s3cret-01
    redirect_uris: [http://127.0.0.1/callback]
    scopes: [read]
users:
  - username: alice
    password: wonderland-pw
`), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := servetest.Run(t, servetest.Options{
		Args:       []string{"--config", cfg, "--store", "memory", "--addr", "127.0.0.1:0"},
		Env:        []string{"NO_COLOR=1", "XDG_STATE_HOME=" + filepath.Join(dir, "state")},
		StopSignal: syscall.SIGTERM,
	})
	issuer := srv.URL
	cb := newHeaderRecorder(t)
	if !strings.HasPrefix(cb.URL, "http://127.0.0.1:") || strings.HasPrefix(issuer, cb.URL) {
		t.Fatalf("the callback %s must be on the issuer's host %s, on another port", cb.URL, issuer)
	}
	authURL := func(extra ...string) string {
		v := url.Values{"response_type": {"code"}, "client_id": {"loopback-app"}, "redirect_uri": {cb.URL + "/callback"},
			"scope": {"read"}, "state": {"st"}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return issuer + "/authorize?" + v.Encode()
	}

	step(t, ctx, "open the login page", chromedp.Navigate(authURL()), chromedp.WaitVisible(chromedp.CSS("#username")))
	step(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS("#username"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#password"), "wonderland-pw"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("button[value=allow]")))
	step(t, ctx, "allow", chromedp.Click(chromedp.CSS("button[value=allow]")), chromedp.WaitVisible(chromedp.CSS("#done")))
	first := cb.next(t)
	if first.query.Get("code") == "" {
		t.Fatalf("the callback got no code: %v", first.query)
	}
	for _, c := range (&http.Request{Header: first.header}).Cookies() {
		t.Errorf("the callback on the issuer's host received the server's cookie %s (Cookie: %q)", c.Name, first.header.Get("Cookie"))
	}

	// The cookie is still there for the pages: prompt=none answers at once.
	step(t, ctx, "prompt=none", chromedp.Navigate(authURL("prompt", "none")), chromedp.WaitVisible(chromedp.CSS("#done")))
	second := cb.next(t)
	if second.query.Get("code") == "" || second.query.Get("error") != "" {
		t.Errorf("prompt=none from the signed-in browser: %v, want a code", second.query)
	}
	if c := second.header.Get("Cookie"); c != "" {
		t.Errorf("the second callback received cookies %q", c)
	}
}
