package flow

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock whose Sleep moves time forward at once and records
// each wait, so the polling state machine runs without real sleeps.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

func (c *fakeClock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// deviceAS is a fake device authorization server: /device answers
// authorization, /token answers the scripted answers in order (the last
// repeats) and records when each poll came on the fake clock.
type deviceAS struct {
	srv           *httptest.Server
	clock         *fakeClock
	authorization string
	mu            sync.Mutex
	answers       []string
	polls         []time.Time
	forms         []url.Values
	deviceForm    url.Values
}

func newDeviceAS(t *testing.T, authorization string, answers ...string) *deviceAS {
	t.Helper()
	as := &deviceAS{clock: &fakeClock{t: testNow}, authorization: authorization, answers: answers}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /device", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		as.mu.Lock()
		as.deviceForm = r.PostForm
		as.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(strings.ReplaceAll(as.authorization, "$URL", as.srv.URL)))
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		as.mu.Lock()
		as.polls = append(as.polls, as.clock.now())
		as.forms = append(as.forms, r.PostForm)
		a := as.answers[min(len(as.polls), len(as.answers))-1]
		as.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(a, `"error"`) {
			w.WriteHeader(http.StatusBadRequest)
		}
		_, _ = w.Write([]byte(a))
	})
	as.srv = httptest.NewServer(mux)
	t.Cleanup(as.srv.Close)
	return as
}

func (as *deviceAS) client() *Client {
	return &Client{HTTP: &http.Client{Timeout: 5 * time.Second}, Now: as.clock.now,
		Endpoints: Endpoints{Token: as.srv.URL + "/token", DeviceAuthorization: as.srv.URL + "/device"},
		ClientID:  "tv", AuthMethod: AuthNone}
}

// offsets are the poll times relative to testNow.
func (as *deviceAS) offsets() []time.Duration {
	as.mu.Lock()
	defer as.mu.Unlock()
	var out []time.Duration
	for _, p := range as.polls {
		out = append(out, p.Sub(testNow))
	}
	return out
}

const (
	authz5s     = `{"device_code":"DC-1","user_code":"WDJB-MJHT","verification_uri":"$URL/device","verification_uri_complete":"$URL/device?user_code=WDJB-MJHT","expires_in":600,"interval":5}`
	pending     = `{"error":"authorization_pending","error_description":"the user has not yet answered (RFC 8628 §3.5)"}`
	slowDown    = `{"error":"slow_down","error_description":"polling too fast (RFC 8628 §3.5)"}`
	tokensOK    = `{"access_token":"AT-dev","token_type":"Bearer","expires_in":300,"scope":"read"}`
	denied      = `{"error":"access_denied","error_description":"the user denied the request (RFC 8628 §3.5)"}`
	expiredTok  = `{"error":"expired_token","error_description":"the device code expired (RFC 8628 §3.5)"}`
	invalidGrnt = `{"error":"invalid_grant","error_description":"the device code was already used (RFC 8628 §3.5)"}`
)

func TestDeviceAuthorizeSendsClientAndScope(t *testing.T) {
	as := newDeviceAS(t, authz5s, tokensOK)
	c := as.client()
	d, err := c.DeviceAuthorize(t.Context(), c.Endpoints.DeviceAuthorization, Grant{Scopes: []string{"openid", "read"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := as.deviceForm.Encode(); got != "client_id=tv&scope=openid+read" {
		t.Errorf("device authorization request %q", got)
	}
	if d.DeviceCode != "DC-1" || d.UserCode != "WDJB-MJHT" || d.Interval != 5*time.Second ||
		!d.ExpiresAt.Equal(testNow.Add(10*time.Minute)) || d.BrowserURL() != as.srv.URL+"/device?user_code=WDJB-MJHT" {
		t.Errorf("parsed %+v", d)
	}
}

// TestPollDevicePendingSlowDownOK: pending, slow_down, pending, tokens. The
// polls come at 5 s, 10 s, then (slow_down: +5 s) 20 s and 30 s on the
// injected clock, each with the device code and the grant type of RFC 8628
// §3.4; the progress sees each answer with the interval in force.
func TestPollDevicePendingSlowDownOK(t *testing.T) {
	as := newDeviceAS(t, authz5s, pending, slowDown, pending, tokensOK)
	c := as.client()
	d, err := c.DeviceAuthorize(t.Context(), c.Endpoints.DeviceAuthorization, Grant{}, false)
	if err != nil {
		t.Fatal(err)
	}
	var events []DeviceEvent
	tr, err := c.PollDevice(t.Context(), d, DevicePoller{Sleep: as.clock.sleep, Progress: func(e DeviceEvent) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if tr.AccessToken != "AT-dev" || tr.Scope != "read" {
		t.Errorf("token %+v", tr)
	}
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second}
	if got := as.offsets(); !equalDurations(got, want) {
		t.Errorf("polls at %v, want %v", got, want)
	}
	for i, f := range as.forms {
		if f.Get("grant_type") != DeviceCodeGrantType || f.Get("device_code") != "DC-1" || f.Get("client_id") != "tv" {
			t.Errorf("poll %d form %v", i+1, f)
		}
	}
	wantEv := []DeviceEvent{{DevicePending, 1, 5 * time.Second}, {DeviceSlowDown, 2, 10 * time.Second}, {DevicePending, 3, 10 * time.Second}}
	if len(events) != len(wantEv) {
		t.Fatalf("events %v, want %v", events, wantEv)
	}
	for i := range wantEv {
		if events[i] != wantEv[i] {
			t.Errorf("event %d = %+v, want %+v", i, events[i], wantEv[i])
		}
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPollDeviceDefaultInterval: without interval the client waits 5 s
// (RFC 8628 §3.2); each slow_down adds 5 s more, cumulatively.
func TestPollDeviceDefaultInterval(t *testing.T) {
	noInterval := `{"device_code":"DC-1","user_code":"ABCD-EFGH","verification_uri":"$URL/device","expires_in":600}`
	as := newDeviceAS(t, noInterval, slowDown, slowDown, tokensOK)
	c := as.client()
	d, err := c.DeviceAuthorize(t.Context(), c.Endpoints.DeviceAuthorization, Grant{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if d.BrowserURL() != as.srv.URL+"/device" {
		t.Errorf("browser URL %q without verification_uri_complete", d.BrowserURL())
	}
	if _, err := c.PollDevice(t.Context(), d, DevicePoller{Sleep: as.clock.sleep}); err != nil {
		t.Fatal(err)
	}
	if got, want := as.clock.waits(), []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second}; !equalDurations(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
}

func TestPollDeviceStops(t *testing.T) {
	tests := []struct {
		name    string
		answers []string
		check   func(t *testing.T, err error)
		polls   int
	}{
		{"access_denied is the server's OAuth error", []string{pending, denied}, func(t *testing.T, err error) {
			var oe *OAuthError
			if !errors.As(err, &oe) || oe.Code != "access_denied" || errors.As(err, new(*DeviceExpiredError)) {
				t.Errorf("error %v", err)
			}
		}, 2},
		{"expired_token is an expiry with the server's answer", []string{pending, expiredTok}, func(t *testing.T, err error) {
			var de *DeviceExpiredError
			if !errors.As(err, &de) || de.OAuth == nil || de.OAuth.Code != "expired_token" ||
				!strings.Contains(err.Error(), "the device code expired before it was approved: token endpoint answered error=expired_token") {
				t.Errorf("error %v", err)
			}
		}, 2},
		{"invalid_grant stops at once", []string{invalidGrnt}, func(t *testing.T, err error) {
			var oe *OAuthError
			if !errors.As(err, &oe) || oe.Code != "invalid_grant" {
				t.Errorf("error %v", err)
			}
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as := newDeviceAS(t, authz5s, tt.answers...)
			c := as.client()
			d, err := c.DeviceAuthorize(t.Context(), c.Endpoints.DeviceAuthorization, Grant{}, false)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := c.PollDevice(t.Context(), d, DevicePoller{Sleep: as.clock.sleep})
			if tr != nil {
				t.Errorf("tokens %+v with an error", tr)
			}
			tt.check(t, err)
			if n := len(as.offsets()); n != tt.polls {
				t.Errorf("%d polls, want %d", n, tt.polls)
			}
		})
	}
}

// TestPollDeviceLocalDeadline: a server that says pending for ever is
// polled until expires_in, never after: 60 s at 5 s is 11 polls (at 5 s …
// 55 s; one at 60 s would be after the code expired), then the client
// waits out the last 5 s and reports the expiry itself.
func TestPollDeviceLocalDeadline(t *testing.T) {
	short := `{"device_code":"DC-1","user_code":"WDJB-MJHT","verification_uri":"$URL/device","expires_in":60,"interval":5}`
	as := newDeviceAS(t, short, pending)
	c := as.client()
	d, err := c.DeviceAuthorize(t.Context(), c.Endpoints.DeviceAuthorization, Grant{}, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PollDevice(t.Context(), d, DevicePoller{Sleep: as.clock.sleep})
	var de *DeviceExpiredError
	if !errors.As(err, &de) || de.OAuth != nil {
		t.Fatalf("error %v, want a local expiry", err)
	}
	if want := "the device code expired at 2026-11-23T12:01:00Z before it was approved (expires_in, RFC 8628 §3.2)"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	got := as.offsets()
	if len(got) != 11 || got[len(got)-1] != 55*time.Second {
		t.Errorf("polls at %v, want 11 up to 55s", got)
	}
	if !as.clock.now().Equal(testNow.Add(time.Minute)) {
		t.Errorf("gave up at %v, want at the expiry", as.clock.now())
	}
}

// TestPollDeviceCancel: a cancelled context ends the wait with ErrCancelled
// and no further request.
func TestPollDeviceCancel(t *testing.T) {
	as := newDeviceAS(t, authz5s, pending)
	c := as.client()
	d, err := c.DeviceAuthorize(t.Context(), c.Endpoints.DeviceAuthorization, Grant{}, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	_, err = c.PollDevice(ctx, d, DevicePoller{Sleep: as.clock.sleep, Progress: func(e DeviceEvent) {
		if e.Polls == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("error %v, want ErrCancelled", err)
	}
	if n := len(as.offsets()); n != 2 {
		t.Errorf("%d polls, want 2", n)
	}
}

// TestPollDeviceRealSleep: without an injected Sleep the real timer waits
// (one short interval) and cancelling interrupts it.
func TestPollDeviceRealSleep(t *testing.T) {
	if err := sleep(t.Context(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Fatalf("sleep on a cancelled context: %v after %v", err, time.Since(start))
	}
}

func TestParseDeviceAuthorization(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		wantErr    string
		insecure   bool
	}{
		{name: "ok", status: 200, body: `{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","expires_in":1800}`},
		{name: "error object", status: 400, body: `{"error":"unauthorized_client","error_description":"the client may not use the device grant"}`,
			wantErr: `device authorization endpoint answered error=unauthorized_client error_description="the client may not use the device grant" (HTTP 400)`},
		{name: "no device_code", status: 200, body: `{"user_code":"U","verification_uri":"https://as.example/device","expires_in":1800}`,
			wantErr: "device authorization endpoint answered without device_code (RFC 8628 §3.2)"},
		{name: "no user_code", status: 200, body: `{"device_code":"d","verification_uri":"https://as.example/device","expires_in":1800}`,
			wantErr: "device authorization endpoint answered without user_code (RFC 8628 §3.2)"},
		{name: "no verification_uri", status: 200, body: `{"device_code":"d","user_code":"U","expires_in":1800}`,
			wantErr: "device authorization endpoint answered without verification_uri (RFC 8628 §3.2)"},
		{name: "verification_url (Google's old name) is not read", status: 200, body: `{"device_code":"d","user_code":"U","verification_url":"https://as.example/device","expires_in":1800}`,
			wantErr: "answered without verification_uri"},
		{name: "javascript URI", status: 200, body: `{"device_code":"d","user_code":"U","verification_uri":"javascript:alert(1)","expires_in":1800}`,
			wantErr: `verification_uri "javascript:alert(1)" is not an absolute http or https URL (RFC 8628 §3.2)`},
		{name: "plain http to a remote host", status: 200, body: `{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","verification_uri_complete":"http://as.example/device?user_code=U","expires_in":1800}`,
			wantErr: "verification_uri_complete http://as.example/device?user_code=U uses plain http"},
		{name: "plain http with --insecure", status: 200, insecure: true, body: `{"device_code":"d","user_code":"U","verification_uri":"http://as.example/device","expires_in":1800}`},
		{name: "no expires_in", status: 200, body: `{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device"}`,
			wantErr: "answered without a positive integer expires_in (RFC 8628 §3.2)"},
		{name: "zero expires_in", status: 200, body: `{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","expires_in":0}`,
			wantErr: "answered without a positive integer expires_in"},
		{name: "negative interval", status: 200, body: `{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","expires_in":60,"interval":-1}`,
			wantErr: "answered an interval that is not a non-negative integer (RFC 8628 §3.2)"},
		{name: "escape sequence in the user code", status: 200, body: "{\"device_code\":\"d\",\"user_code\":\"U\\u001b[2J\",\"verification_uri\":\"https://as.example/device\",\"expires_in\":60}",
			wantErr: "answered a user_code that is not short printable text (RFC 8628 §6.1)"},
		{name: "html 500", status: 500, body: "<h1>down</h1>", wantErr: "device authorization endpoint answered HTTP 500 without an OAuth error object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDeviceAuthorization(tt.status, "application/json", []byte(tt.body), testNow, tt.insecure)
			if tt.wantErr == "" {
				if err != nil || d == nil {
					t.Fatalf("error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestParseDeviceAuthorizationIntervalCap: an interval of a day is capped
// so the client does not sleep past the code's expiry without a poll.
func TestParseDeviceAuthorizationIntervalCap(t *testing.T) {
	d, err := ParseDeviceAuthorization(200, "application/json", []byte(`{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","expires_in":1800,"interval":86400}`), testNow, false)
	if err != nil {
		t.Fatal(err)
	}
	if d.Interval != maxDeviceInterval {
		t.Errorf("interval %v, want %v", d.Interval, maxDeviceInterval)
	}
}

func TestDeviceAuthorizeWithoutEndpoint(t *testing.T) {
	c := &Client{HTTP: http.DefaultClient, Now: func() time.Time { return testNow }}
	_, err := c.DeviceAuthorize(t.Context(), "", Grant{}, false)
	if err == nil || !strings.Contains(err.Error(), "no device authorization endpoint: the server's metadata names none (RFC 8628 §4); give --device-authorization-url") {
		t.Fatalf("error %v", err)
	}
}

// FuzzParseDeviceAuthorization: whatever the device authorization endpoint
// answers, parsing never panics, and what it accepts has every required
// member, a printable user code, http(s) URLs and a future expiry.
func FuzzParseDeviceAuthorization(f *testing.F) {
	f.Add(200, []byte(`{"device_code":"d","user_code":"WDJB-MJHT","verification_uri":"https://as.example/device","verification_uri_complete":"https://as.example/device?user_code=WDJB-MJHT","expires_in":1800,"interval":5}`))
	f.Add(200, []byte(`{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","expires_in":"1800","interval":"5"}`))
	f.Add(400, []byte(`{"error":"invalid_client"}`))
	f.Add(200, []byte(`{"device_code":"d","device_code":"e"}`))
	f.Add(200, []byte(`{"device_code":"d\u0000","user_code":"U","verification_uri":"https://as.example/device","expires_in":1}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		d, err := ParseDeviceAuthorization(status, "application/json", body, testNow, false)
		if err != nil {
			return
		}
		if status != 200 || d.DeviceCode == "" || d.UserCode == "" || d.VerificationURI == "" || !d.ExpiresAt.After(testNow) || d.Interval < time.Second {
			t.Fatalf("accepted %q (HTTP %d) as %+v", body, status, d)
		}
		for _, u := range []string{d.VerificationURI, d.VerificationURIComplete} {
			if u != "" && CheckURL("u", u, false) != nil {
				t.Fatalf("accepted the URL %q", u)
			}
		}
	})
}

// TestPollDeviceBackoffAfterTimeout: a poll that times out is not fatal:
// the interval doubles (RFC 8628 §3.5) and the next poll gets the tokens.
func TestPollDeviceBackoffAfterTimeout(t *testing.T) {
	as := newDeviceAS(t, authz5s, tokensOK)
	c := as.client()
	d, err := c.DeviceAuthorize(t.Context(), c.Endpoints.DeviceAuthorization, Grant{}, false)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	defer close(release)
	slow := true
	c.HTTP = &http.Client{Timeout: 100 * time.Millisecond, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if slow {
			slow = false
			select { // a token endpoint that does not answer in time
			case <-r.Context().Done():
				return nil, r.Context().Err()
			case <-release:
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	var events []DeviceEvent
	tr, err := c.PollDevice(t.Context(), d, DevicePoller{Sleep: as.clock.sleep, Progress: func(e DeviceEvent) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if tr.AccessToken != "AT-dev" {
		t.Errorf("token %+v", tr)
	}
	if got, want := as.clock.waits(), []time.Duration{5 * time.Second, 10 * time.Second}; !equalDurations(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	if len(events) != 1 || events[0] != (DeviceEvent{DeviceBackoff, 1, 10 * time.Second}) {
		t.Errorf("events %+v, want one backoff to 10s", events)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
