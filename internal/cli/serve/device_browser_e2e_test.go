package serve

// The device authorization grant (RFC 8628) with a real browser: the test
// is the device, polling /token at the announced interval, while headless
// Chromium is the person: it opens verification_uri, types the user code,
// signs in and allows; the poll then gets the tokens. A second device code
// is opened through verification_uri_complete in the same browser and
// denied. With OAUTHKIT_UPDATE_SCREENSHOTS=1 the code, consent and result
// pages are saved as docs/images/device.png, device-consent.png and
// device-done.png.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

// deviceStart asks /device_authorization for a device code.
func deviceStart(t *testing.T, issuer string, form url.Values) map[string]any {
	t.Helper()
	res, err := http.PostForm(issuer+"/device_authorization", form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("device authorization: %d %v", res.StatusCode, body)
	}
	return body
}

// pollResult is how a device's polling ended.
type pollResult struct {
	status int
	body   map[string]any
	polls  []string // the error of each unsuccessful poll, in order
}

// pollDevice polls /token as a device does (RFC 8628 §3.4): every
// interval seconds, 5 more after each slow_down, until an answer other
// than authorization_pending or slow_down, or until deadline.
func pollDevice(issuer, clientID, deviceCode string, interval time.Duration, deadline time.Time) <-chan pollResult {
	out := make(chan pollResult, 1)
	go func() {
		var r pollResult
		for time.Now().Before(deadline) {
			time.Sleep(interval)
			res, err := http.PostForm(issuer+"/token", url.Values{"grant_type": {deviceGrant}, "device_code": {deviceCode}, "client_id": {clientID}})
			if err != nil {
				r.polls = append(r.polls, err.Error())
				continue
			}
			r.body = nil
			_ = json.NewDecoder(res.Body).Decode(&r.body)
			res.Body.Close()
			r.status = res.StatusCode
			code, _ := r.body["error"].(string)
			switch code {
			case "authorization_pending":
			case "slow_down":
				interval += 5 * time.Second
			default:
				out <- r
				return
			}
			r.polls = append(r.polls, code)
		}
		r.status = 0
		out <- r
	}()
	return out
}

func TestBrowserDeviceGrant(t *testing.T) {
	ctx := newBrowser(t)
	cfgFile := filepath.Join(t.TempDir(), "oauthkit.yaml")
	cfg := `store: memory
scopes:
  read: Read your files
clients:
  - id: tv
    name: Living Room TV
    grant_types: [device_code, refresh_token]
    scopes: [openid, profile, read]
users:
  - username: carol
    password: carol-password-1
    claims: {name: Carol}
`
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	issuer, _ := startServe(t, Options{ConfigFile: cfgFile})

	start := deviceStart(t, issuer, url.Values{"client_id": {"tv"}, "scope": {"openid profile read"}})
	userCode, _ := start["user_code"].(string)
	interval := time.Duration(start["interval"].(float64)) * time.Second
	polled := pollDevice(issuer, "tv", start["device_code"].(string), interval, time.Now().Add(90*time.Second))

	step(t, ctx, "open verification_uri", chromedp.Navigate(start["verification_uri"].(string)),
		chromedp.WaitVisible(chromedp.CSS("#user_code")))
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "Connect a device") || !strings.Contains(text, "Enter the code shown on your device") {
		t.Errorf("device page:\n%s", text)
	}
	// typed as a person might: lower case, no dash
	step(t, ctx, "type the user code", chromedp.SendKeys(chromedp.CSS("#user_code"), strings.ToLower(strings.ReplaceAll(userCode, "-", ""))))
	screenshot(t, ctx, "device.png")
	step(t, ctx, "continue to sign in", chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#username")))
	step(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS("#username"), "carol"),
		chromedp.SendKeys(chromedp.CSS("#password"), "carol-password-1"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("button[value=allow]")))
	text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Allow access?", "Living Room TV", "Read your files", userCode} {
		if !strings.Contains(text, want) {
			t.Errorf("consent page lacks %q:\n%s", want, text)
		}
	}
	screenshot(t, ctx, "device-consent.png")
	step(t, ctx, "allow", chromedp.Click(chromedp.CSS("button[value=allow]")), chromedp.WaitVisible(chromedp.CSS("p[role=status]")))
	text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "Device connected") {
		t.Fatalf("after allow:\n%s", text)
	}
	screenshot(t, ctx, "device-done.png")

	var r pollResult
	select {
	case r = <-polled:
	case <-time.After(100 * time.Second):
		t.Fatal("the device's polling did not end")
	}
	if r.status != http.StatusOK || r.body["id_token"] == nil || r.body["refresh_token"] == nil {
		t.Fatalf("the device's last poll: %d %v (before: %v)", r.status, r.body, r.polls)
	}
	for _, e := range r.polls {
		if e != "authorization_pending" {
			t.Errorf("a device polling at the interval got %q (polls %v)", e, r.polls)
		}
	}
	claims := userinfo(t, issuer, r.body["access_token"].(string))
	if claims["sub"] != "carol" || claims["name"] != "Carol" {
		t.Errorf("userinfo %v", claims)
	}

	// verification_uri_complete: the code is filled in, the person still
	// confirms it, and the consent page shows again although carol allowed
	// this client a minute ago (docs/security.md rule 81); she denies.
	second := deviceStart(t, issuer, url.Values{"client_id": {"tv"}, "scope": {"read"}})
	polled = pollDevice(issuer, "tv", second["device_code"].(string), interval, time.Now().Add(90*time.Second))
	step(t, ctx, "open verification_uri_complete", chromedp.Navigate(second["verification_uri_complete"].(string)),
		chromedp.WaitVisible(chromedp.CSS("#user_code")))
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#user_code"))); v != second["user_code"] {
		t.Errorf("prefilled user code %q, want %q", v, second["user_code"])
	}
	text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "Check that this is the code your device shows") {
		t.Errorf("the prefilled page does not ask to check the code:\n%s", text)
	}
	step(t, ctx, "confirm", chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("button[value=deny]")))
	step(t, ctx, "deny", chromedp.Click(chromedp.CSS("button[value=deny]")), chromedp.WaitVisible(chromedp.CSS("p[role=status]")))
	text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "Access denied") {
		t.Fatalf("after deny:\n%s", text)
	}
	select {
	case r = <-polled:
	case <-time.After(100 * time.Second):
		t.Fatal("the second device's polling did not end")
	}
	if r.status != http.StatusBadRequest || r.body["error"] != "access_denied" {
		t.Fatalf("the denied device's last poll: %d %v", r.status, r.body)
	}
}
