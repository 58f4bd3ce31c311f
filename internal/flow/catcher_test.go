package flow

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func okValidate(v url.Values) (*Callback, error) {
	if v.Get("error") != "" {
		return nil, &OAuthError{Where: "authorization response", Code: v.Get("error"), Description: v.Get("error_description")}
	}
	return &Callback{Code: v.Get("code")}, nil
}

// The catcher binds loopback only; 127.0.0.1 and an ephemeral port by default.
func TestCatcherAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freePort := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	tests := []struct {
		cfg      CatcherConfig
		wantIP   string
		wantURI  string // regexp
		wantErr  string
		needIPv6 bool
	}{
		{cfg: CatcherConfig{}, wantIP: "127.0.0.1", wantURI: `^http://127\.0\.0\.1:[0-9]+/callback$`},
		{cfg: CatcherConfig{Host: "localhost", Path: "cb"}, wantIP: "127.0.0.1", wantURI: `^http://localhost:[0-9]+/cb$`},
		{cfg: CatcherConfig{Host: "[::1]"}, wantIP: "::1", wantURI: `^http://\[::1\]:[0-9]+/callback$`, needIPv6: true},
		{cfg: CatcherConfig{RedirectURI: "http://127.0.0.1:" + freePort + "/oauth/cb"}, wantIP: "127.0.0.1", wantURI: `^http://127\.0\.0\.1:` + freePort + `/oauth/cb$`},
		// RFC 8252 §7.3: no port, or port 0, is a free port with that path (never port 80)
		{cfg: CatcherConfig{RedirectURI: "http://127.0.0.1:0/oauth/cb"}, wantIP: "127.0.0.1", wantURI: `^http://127\.0\.0\.1:[1-9][0-9]*/oauth/cb$`},
		{cfg: CatcherConfig{RedirectURI: "http://127.0.0.1/auth/callback"}, wantIP: "127.0.0.1", wantURI: `^http://127\.0\.0\.1:[1-9][0-9]*/auth/callback$`},
		{cfg: CatcherConfig{RedirectURI: "http://localhost/cb"}, wantIP: "127.0.0.1", wantURI: `^http://localhost:[1-9][0-9]*/cb$`},
		{cfg: CatcherConfig{RedirectURI: "http://127.0.0.1:65536/cb"}, wantErr: `has a bad port`},
		{cfg: CatcherConfig{Path: "/a b"}, wantErr: `--callback-path "/a b" must be a plain URL path`},
		{cfg: CatcherConfig{Path: "/cb?x=1"}, wantErr: `must be a plain URL path`},
		{cfg: CatcherConfig{Path: "/auth/callback"}, wantIP: "127.0.0.1", wantURI: `^http://127\.0\.0\.1:[1-9][0-9]*/auth/callback$`},
		{cfg: CatcherConfig{Host: "0.0.0.0"}, wantErr: `callback host "0.0.0.0" is not one of 127.0.0.1, localhost, [::1]`},
		{cfg: CatcherConfig{Host: "example.com"}, wantErr: `callback host "example.com" is not one of`},
		{cfg: CatcherConfig{RedirectURI: "https://127.0.0.1/cb"}, wantErr: `must be an http:// URL on a loopback host`},
		{cfg: CatcherConfig{RedirectURI: "http://10.0.0.1:8000/cb"}, wantErr: `callback host "10.0.0.1" is not one of`},
		{cfg: CatcherConfig{Port: 70000}, wantErr: `--callback-port 70000 is not a port number`},
	}
	for _, tt := range tests {
		c, err := Listen(tt.cfg)
		if tt.needIPv6 && err != nil && strings.Contains(err.Error(), "listening on ::1") {
			t.Logf("skipping [::1]: %v", err)
			continue
		}
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%+v: err = %v, want %q", tt.cfg, err, tt.wantErr)
			}
			if c != nil {
				c.Close()
			}
			continue
		}
		if err != nil {
			t.Fatalf("%+v: %v", tt.cfg, err)
		}
		addr := c.Addr().(*net.TCPAddr)
		if addr.IP.String() != tt.wantIP || addr.Port == 0 {
			t.Errorf("%+v: listens on %s, want %s and a port", tt.cfg, addr, tt.wantIP)
		}
		if !regexp.MustCompile(tt.wantURI).MatchString(c.RedirectURI()) {
			t.Errorf("%+v: redirect URI %s, want %s", tt.cfg, c.RedirectURI(), tt.wantURI)
		}
		c.Close()
	}
}

func TestCatcherTakenPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	_, err = Listen(CatcherConfig{Port: port})
	if err == nil || !strings.Contains(err.Error(), "callback port") || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("err = %v", err)
	}
}

func get(t *testing.T, c *http.Client, method, u, contentType, body string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// One response is taken, by GET query or by form_post; later ones get 410;
// other paths 404; the error text is HTML-escaped on the page.
func TestCatcherTakesOneResponse(t *testing.T) {
	tests := []struct {
		name, method, query, body, wantCode, wantPage string
		wantStatus                                    int
		wantErr                                       bool
	}{
		{name: "query", method: "GET", query: "code=abc&state=s", wantCode: "abc", wantStatus: 200, wantPage: "Authorization received"},
		{name: "form_post", method: "POST", body: "code=xyz&state=s", wantCode: "xyz", wantStatus: 200, wantPage: "Authorization received"},
		{name: "error escaped", method: "GET", query: url.Values{"error": {"access_denied"}, "error_description": {`<script>alert("x")</script>`}}.Encode(),
			wantStatus: 400, wantErr: true, wantPage: `error=access_denied error_description=&#34;&lt;script&gt;alert(`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Listen(CatcherConfig{Validate: okValidate})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			hc := &http.Client{}
			u := c.RedirectURI()
			if st, _, _ := get(t, hc, "GET", strings.Replace(u, "/callback", "/favicon.ico", 1), "", ""); st != 404 {
				t.Errorf("other path: %d", st)
			}
			if tt.query != "" {
				u += "?" + tt.query
			}
			st, page, h := get(t, hc, tt.method, u, "application/x-www-form-urlencoded", tt.body)
			if st != tt.wantStatus || !strings.Contains(page, tt.wantPage) || strings.Contains(page, "<script>") {
				t.Errorf("status %d page %s", st, page)
			}
			if h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("headers %v", h)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			cb, err := c.Wait(ctx)
			if (err != nil) != tt.wantErr || (err == nil && cb.Code != tt.wantCode) {
				t.Errorf("Wait = %+v, %v", cb, err)
			}
			if st, _, _ := get(t, hc, "GET", c.RedirectURI()+"?code=second&state=s", "", ""); st != http.StatusGone {
				t.Errorf("second response: status %d, want 410", st)
			}
		})
	}
}

// A request for another Host name (DNS rebinding) is refused and not taken.
func TestCatcherHostCheck(t *testing.T) {
	c, err := Listen(CatcherConfig{Validate: okValidate})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req, _ := http.NewRequest("GET", c.RedirectURI()+"?code=a&state=s", nil)
	req.Host = "evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("status %d", resp.StatusCode)
	}
	if st, _, _ := get(t, http.DefaultClient, "GET", c.RedirectURI()+"?code=a&state=s", "", ""); st != 200 {
		t.Errorf("the real response after the refused one: %d", st)
	}
}

// Implicit: a GET without parameters gets the page whose script posts the
// fragment; the POST (emulated here as the script sends it) is the response.
func TestCatcherImplicitPage(t *testing.T) {
	c, err := Listen(CatcherConfig{Implicit: true, Validate: func(v url.Values) (*Callback, error) {
		return CheckCallback(v, CallbackCheck{State: "s", Implicit: true}, testNow)
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st, page, h := get(t, http.DefaultClient, "GET", c.RedirectURI(), "", "")
	csp := h.Get("Content-Security-Policy")
	m := regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9_-]{22})'`).FindStringSubmatch(csp)
	if st != 200 || m == nil || !strings.Contains(page, `<script nonce="`+m[1]+`">`) || !strings.Contains(page, "location.hash.substring(1)") ||
		!strings.Contains(csp, "connect-src 'self'") {
		t.Fatalf("page %d, CSP %q:\n%s", st, csp, page)
	}
	st, text, h := get(t, http.DefaultClient, "POST", c.RedirectURI(), "application/x-www-form-urlencoded",
		"access_token=AT&token_type=Bearer&expires_in=30&state=s")
	if st != 200 || text != "oauthkit: authorization received. You can close this tab and return to the terminal." || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("POST: %d %q", st, text)
	}
	cb, err := c.Wait(context.Background())
	if err != nil || cb.Token.AccessToken != "AT" || !cb.Token.ExpiresAt.Equal(testNow.Add(30*time.Second)) {
		t.Errorf("Wait = %+v, %v", cb, err)
	}
}

func TestCatcherWaitContext(t *testing.T) {
	c, err := Listen(CatcherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
}
