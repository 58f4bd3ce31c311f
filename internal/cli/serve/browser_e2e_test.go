package serve

// A real browser through the pages of a running `oauthkit serve`: Debian's
// headless Chromium, driven by chromedp, signs in on the login page, allows
// on the consent page and lands on a redirect URI served by the test, which
// then redeems the code. A second run takes the implicit grant to a page of
// the test that parses the fragment. With OAUTHKIT_UPDATE_SCREENSHOTS=1 the
// login and consent pages are saved as docs/images/login.png and
// docs/images/consent.png.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
	"github.com/oauthkit/oauthkit/internal/testutil/servetest"
)

const chromiumPath = "/usr/bin/chromium"

// lockedBuffer is a buffer the server goroutine writes while the test reads.
type lockedBuffer = servetest.LockedBuffer

// startServe runs `oauthkit serve` in-process on a free port and returns
// its issuer and its standard error.
func startServe(t *testing.T, opts Options) (string, *lockedBuffer) {
	t.Helper()
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	ios, _, _, _ := iostreams.Test()
	ios.Out, ios.ErrOut = out, errOut
	f := cmdutil.NewFactory(ios, func(string) string { return "" })
	opts.Factory = f
	opts.Addr = "127.0.0.1:0"
	opts.LogFormat = "text"
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	var runErr error // written before stopped is closed
	go func() { runErr = run(ctx, &opts); close(stopped) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(15 * time.Second):
			t.Errorf("serve did not stop")
		}
	})
	issuer, err := out.FirstLine(stopped, servetest.DefaultStartTimeout)
	switch {
	case errors.Is(err, servetest.ErrExited):
		t.Fatalf("serve stopped: %v\n%s", runErr, errOut.String())
	case err != nil:
		t.Fatalf("serve printed no issuer:\n%s", errOut.String())
	}
	return issuer, errOut
}

// newBrowser starts headless Chromium with a fresh profile.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (apt-get install -y chromium): the browser test must run in CI", chromiumPath)
		}
		t.Skipf("SKIPPING the real-browser test: %s is missing; install it with apt-get install -y chromium", chromiumPath)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(760, 820),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(760, 820)); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// step runs browser actions with a time limit.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s: %v (page %s)", what, err, loc)
	}
}

// screenshot saves the viewport when OAUTHKIT_UPDATE_SCREENSHOTS=1.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil || len(png) < 1000 {
		t.Fatalf("screenshot %s: %v (%d bytes)", name, err, len(png))
	}
	if os.Getenv("OAUTHKIT_UPDATE_SCREENSHOTS") != "1" {
		return
	}
	path := filepath.Join("..", "..", "..", "docs", "images", name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

// callbackServer is the client application's redirect URI: it records
// what it received and shows a page the browser can be seen to reach.
type callbackServer struct {
	*httptest.Server
	got chan url.Values
}

func newCallbackServer(t *testing.T) *callbackServer {
	cb := &callbackServer{got: make(chan url.Values, 4)}
	mux := http.NewServeMux()
	mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		cb.got <- r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>app</title><p id="done">callback received</p>`)
	})
	// The implicit grant's page: its script reads the fragment, as a
	// browser application would, and shows it as JSON.
	mux.HandleFunc("/implicit", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>spa</title><pre id="out"></pre><script>
const p = new URLSearchParams(location.hash.slice(1));
document.getElementById("out").textContent = JSON.stringify(Object.fromEntries(p));
history.replaceState(null, "", location.pathname);
</script>`)
	})
	cb.Server = httptest.NewServer(mux)
	t.Cleanup(cb.Close)
	return cb
}

// randomVerifier returns a PKCE verifier and its S256 challenge (RFC 7636 §4.2).
func randomVerifier(t *testing.T) (verifier, challenge string) {
	t.Helper()
	verifier = randomString(48)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// The zero-config server: the login page names the demo user; login and
// consent in a real browser; the code redeems for a token whose /userinfo
// is the demo user.
func TestBrowserLoginConsentCode(t *testing.T) {
	ctx := newBrowser(t)
	stateDir := t.TempDir()
	issuer, _ := startServe(t, Options{StateDir: stateDir})
	var creds demoCredentials
	data, err := os.ReadFile(filepath.Join(stateDir, "demo-credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &creds); err != nil {
		t.Fatal(err)
	}
	cb := newCallbackServer(t)
	redirect := cb.URL + "/callback" // http://127.0.0.1:PORT/callback: the demo's loopback registration
	verifier, challenge := randomVerifier(t)
	authURL := issuer + "/authorize?" + url.Values{"response_type": {"code"}, "client_id": {creds.PublicClientID},
		"redirect_uri": {redirect}, "scope": {"openid read write"}, "state": {"browser-state"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}}.Encode()

	step(t, ctx, "open the login page", chromedp.Navigate(authURL), chromedp.WaitVisible(chromedp.CSS("#username")))
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Sign in", "oauthkit demo (public)", `Zero-config demo: sign in as "demo"`} {
		if !strings.Contains(text, want) {
			t.Errorf("login page lacks %q:\n%s", want, text)
		}
	}
	screenshot(t, ctx, "login.png")

	// A wrong password first: the page says so and keeps the username.
	step(t, ctx, "wrong password",
		chromedp.SendKeys(chromedp.CSS("#username"), creds.Username),
		chromedp.SendKeys(chromedp.CSS("#password"), "not-the-password"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".error")))
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#username"))); v != creds.Username {
		t.Errorf("username field %q after a failed login", v)
	}
	step(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS("#password"), creds.Password),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("button[value=allow]")))
	text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Allow access?", "oauthkit demo (public)", "read", "Read your data", "write", "Create and change your data"} {
		if !strings.Contains(text, want) {
			t.Errorf("consent page lacks %q:\n%s", want, text)
		}
	}
	screenshot(t, ctx, "consent.png")
	step(t, ctx, "allow", chromedp.Click(chromedp.CSS("button[value=allow]")), chromedp.WaitVisible(chromedp.CSS("#done")))

	var got url.Values
	select {
	case got = <-cb.got:
	case <-time.After(5 * time.Second):
		t.Fatal("the redirect URI was not called")
	}
	if got.Get("state") != "browser-state" || got.Get("iss") != issuer || got.Get("code") == "" {
		t.Fatalf("callback got %v", got)
	}
	tok := postToken(t, issuer, url.Values{"grant_type": {"authorization_code"}, "code": {got.Get("code")},
		"redirect_uri": {redirect}, "client_id": {creds.PublicClientID}, "code_verifier": {verifier}})
	if tok["scope"] != "openid read write" || tok["refresh_token"] == nil { // /userinfo needs openid (docs/security.md rule 51)
		t.Errorf("token response %v", tok)
	}
	claims := userinfo(t, issuer, tok["access_token"].(string))
	if claims["sub"] != creds.Username || len(claims) != 1 { // scope openid read write releases no claim but sub
		t.Errorf("userinfo %v", claims)
	}

	// The second authorization in the same browser needs no login, but the
	// demo public client redirects to loopback, so the consent page shows
	// again (RFC 8252 §8.6, docs/security.md rule 45).
	verifier2, challenge2 := randomVerifier(t)
	step(t, ctx, "second authorization", chromedp.Navigate(strings.Replace(authURL, challenge, challenge2, 1)),
		chromedp.WaitVisible(chromedp.CSS("button[value=allow]")),
		chromedp.Click(chromedp.CSS("button[value=allow]")),
		chromedp.WaitVisible(chromedp.CSS("#done")))
	got = <-cb.got
	postToken(t, issuer, url.Values{"grant_type": {"authorization_code"}, "code": {got.Get("code")},
		"redirect_uri": {redirect}, "client_id": {creds.PublicClientID}, "code_verifier": {verifier2}})
}

// The implicit grant end to end: a configured implicit client, login and
// consent in the browser, the fragment parsed by the test's page; the
// deprecation warning is logged once for two grants.
func TestBrowserImplicitGrant(t *testing.T) {
	ctx := newBrowser(t)
	cb := newCallbackServer(t)
	cfgFile := filepath.Join(t.TempDir(), "oauthkit.yaml")
	cfg := `store: memory
scopes:
  profile: See your profile
clients:
  - id: legacy-spa
    name: Legacy SPA
    redirect_uris: [http://127.0.0.1/implicit]
    grant_types: [implicit]
    scopes: [profile]
users:
  - username: carol
    password: carol-password-1
    claims: {email: carol@example.test}
`
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	issuer, errOut := startServe(t, Options{ConfigFile: cfgFile})
	authURL := issuer + "/authorize?" + url.Values{"response_type": {"token"}, "client_id": {"legacy-spa"},
		"redirect_uri": {cb.URL + "/implicit"}, "scope": {"profile"}, "state": {"imp-state"}}.Encode()
	step(t, ctx, "login", chromedp.Navigate(authURL),
		chromedp.SendKeys(chromedp.CSS("#username"), "carol"),
		chromedp.SendKeys(chromedp.CSS("#password"), "carol-password-1"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("button[value=allow]")))
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "See your profile") {
		t.Errorf("consent page lacks the configured scope description:\n%s", text)
	}
	for i := range 2 {
		if i == 0 {
			step(t, ctx, "allow", chromedp.Click(chromedp.CSS("button[value=allow]")))
		} else {
			// A public client with a loopback redirect URI cannot prove who
			// it is, so the consent page shows again (RFC 8252 §8.6,
			// docs/security.md rule 45); no second login is asked.
			step(t, ctx, "again", chromedp.Navigate(authURL),
				chromedp.WaitVisible(chromedp.CSS("button[value=allow]")),
				chromedp.Click(chromedp.CSS("button[value=allow]")))
		}
		frag := fragmentOf(t, ctx)
		if frag["token_type"] != "Bearer" || frag["state"] != "imp-state" || frag["iss"] != issuer ||
			frag["expires_in"] != "1800" || frag["scope"] != "profile" || frag["access_token"] == "" {
			t.Fatalf("fragment %v", frag)
		}
		if _, has := frag["refresh_token"]; has {
			t.Fatalf("the implicit grant returned a refresh token")
		}
		// Scope profile without openid: /userinfo refuses the token (docs/security.md rule 51).
		req, _ := http.NewRequest(http.MethodGet, issuer+"/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+frag["access_token"])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("userinfo of a token without openid: %d, want 403", res.StatusCode)
		}
	}
	if n := strings.Count(errOut.String(), "implicit grant (response_type=token, id_token) is deprecated"); n != 1 {
		t.Errorf("deprecation warning logged %d times, want 1:\n%s", n, errOut.String())
	}
}

// fragmentOf waits for the test page's parse of the fragment.
func fragmentOf(t *testing.T, ctx context.Context) map[string]string {
	t.Helper()
	step(t, ctx, "fragment page", chromedp.WaitVisible(chromedp.CSS("#out")))
	var raw string
	for range 100 {
		raw, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#out")))
		if raw != "" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	frag := map[string]string{}
	if err := json.Unmarshal([]byte(raw), &frag); err != nil {
		t.Fatalf("page shows %q: %v", raw, err)
	}
	return frag
}

func postToken(t *testing.T, issuer string, form url.Values) map[string]any {
	t.Helper()
	res, err := http.PostForm(issuer+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %v", res.StatusCode, body)
	}
	return body
}

func userinfo(t *testing.T, issuer, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("userinfo: %d %v", res.StatusCode, body)
	}
	return body
}
