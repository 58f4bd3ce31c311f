package flow

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The opener is asked to open exactly the authorization URL: the endpoint,
// client_id, the catcher's 127.0.0.1 redirect_uri, a 256-bit state, and the
// S256 challenge of the verifier that is later sent to /token.
func TestRunOpenerGetsAuthorizationURL(t *testing.T) {
	as := newFakeAS(t)
	c := as.client()
	op := &recordingOpener{urls: make(chan string, 1), follow: browse}
	var status bytes.Buffer
	var catcherAddr net.Addr
	req := AuthRequest{ResponseType: "code", State: NewState(), CodeVerifier: NewCodeVerifier(), Grant: Grant{Scopes: []string{"read", "write"}}}
	tr, err := c.Run(context.Background(), BrowserFlow{Request: req, Opener: op, Timeout: 5 * time.Second, Status: &status,
		Listening: func(c *Catcher) { catcherAddr = c.Addr() }})
	if err != nil {
		t.Fatal(err)
	}
	if tr.AccessToken != "AT" || !tr.ExpiresAt.Equal(testNow.Add(time.Minute)) {
		t.Errorf("token = %+v", tr)
	}
	got := <-op.urls
	redirect := "http://" + catcherAddr.String() + "/callback"
	want := as.srv.URL + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {"cli"}, "redirect_uri": {redirect}, "state": {req.State},
		"code_challenge": {S256Challenge(req.CodeVerifier)}, "code_challenge_method": {"S256"}, "scope": {"read write"},
	}.Encode()
	if got != want {
		t.Errorf("opener got\n %s\nwant\n %s", got, want)
	}
	if !strings.Contains(status.String(), "\n\n"+want+"\n\n") {
		t.Errorf("the URL is not alone on its line in the status output:\n%s", status.String())
	}
	form := as.lastToken.Load().(url.Values)
	if form.Get("code_verifier") != req.CodeVerifier || form.Get("code") != "the-code" || form.Get("redirect_uri") != redirect || form.Get("client_id") != "cli" {
		t.Errorf("token request = %v", form)
	}
	if len(req.State) != 43 || len(req.CodeVerifier) != 43 {
		t.Errorf("state %d, verifier %d characters; want 43 each", len(req.State), len(req.CodeVerifier))
	}
}

// A bad authorization response stops the flow before any token request.
func TestRunRefusesBadCallbacks(t *testing.T) {
	tests := []struct {
		name      string
		params    func(q url.Values, iss string) url.Values
		wantIs    error
		wantOAuth string
	}{
		{"wrong state", func(q url.Values, iss string) url.Values {
			return url.Values{"code": {"c"}, "state": {"forged"}, "iss": {iss}}
		}, ErrStateMismatch, ""},
		{"no state", func(q url.Values, iss string) url.Values {
			return url.Values{"code": {"c"}, "iss": {iss}}
		}, ErrStateMismatch, ""},
		{"wrong iss", func(q url.Values, iss string) url.Values {
			return url.Values{"code": {"c"}, "state": {q.Get("state")}, "iss": {"https://evil.example"}}
		}, ErrIssuerMismatch, ""},
		{"iss missing though advertised", func(q url.Values, iss string) url.Values {
			return url.Values{"code": {"c"}, "state": {q.Get("state")}}
		}, ErrIssuerMismatch, ""},
		{"access_denied", func(q url.Values, iss string) url.Values {
			return url.Values{"error": {"access_denied"}, "error_description": {"the user said no"}, "state": {q.Get("state")}, "iss": {iss}}
		}, nil, "access_denied"},
		{"error with forged state", func(q url.Values, iss string) url.Values {
			return url.Values{"error": {"access_denied"}, "state": {"x"}, "iss": {iss}}
		}, ErrStateMismatch, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as := newFakeAS(t)
			as.authorize = func(q url.Values) url.Values { return tt.params(q, as.srv.URL) }
			c := as.client()
			_, err := c.Run(context.Background(), BrowserFlow{
				Request: AuthRequest{ResponseType: "code", State: NewState(), CodeVerifier: NewCodeVerifier()},
				Opener:  &recordingOpener{urls: make(chan string, 1), follow: browse}, Timeout: 5 * time.Second, Status: &bytes.Buffer{}})
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want %v", err, tt.wantIs)
			}
			var oe *OAuthError
			if tt.wantOAuth != "" {
				if !errors.As(err, &oe) || oe.Code != tt.wantOAuth {
					t.Errorf("err = %v, want OAuth error %s", err, tt.wantOAuth)
				}
				if want := `authorization response answered error=access_denied error_description="the user said no"`; err.Error() != want {
					t.Errorf("message %q, want %q", err, want)
				}
			}
			if n := as.tokenCalls.Load(); n != 0 {
				t.Errorf("the token endpoint was called %d times; want 0", n)
			}
		})
	}
}

func TestRunTimeout(t *testing.T) {
	as := newFakeAS(t)
	c := as.client()
	start := time.Now()
	_, err := c.Run(context.Background(), BrowserFlow{Request: AuthRequest{ResponseType: "code", State: NewState()},
		Timeout: 200 * time.Millisecond, Status: &bytes.Buffer{}})
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a TimeoutError", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
	if err.Error() != "waiting for the authorization response on the loopback redirect: timed out" {
		t.Errorf("message %q", err)
	}
}

func TestRunCancelled(t *testing.T) {
	as := newFakeAS(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := as.client().Run(ctx, BrowserFlow{Request: AuthRequest{ResponseType: "code", State: NewState()},
		Timeout: 5 * time.Second, Status: &bytes.Buffer{}})
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v, want ErrCancelled", err)
	}
}

// --headless follows the redirects itself; with a fragment response
// (implicit) it posts the fragment to the catcher like the page script.
func TestRunHeadless(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		as := newFakeAS(t)
		rt := "code"
		if implicit {
			rt, as.fragment = "token", true
			as.authorize = func(q url.Values) url.Values {
				return url.Values{"access_token": {"IMPLICIT"}, "token_type": {"Bearer"}, "expires_in": {"120"}, "state": {q.Get("state")}, "iss": {as.srv.URL}}
			}
		}
		var status bytes.Buffer
		tr, err := as.client().Run(context.Background(), BrowserFlow{Request: AuthRequest{ResponseType: rt, State: NewState()},
			Headless: true, Timeout: 5 * time.Second, Status: &status})
		if err != nil {
			t.Fatalf("implicit=%v: %v", implicit, err)
		}
		// Nobody is asked to open the URL: oauthkit follows it itself.
		if st := status.String(); !strings.HasPrefix(st, "Following the authorization URL without a browser (--headless; oauthkit waits on http://127.0.0.1:") ||
			strings.Contains(st, "Open this URL") || !strings.Contains(st, "\n\n"+as.srv.URL+"/authorize?") {
			t.Errorf("implicit=%v: status %q", implicit, st)
		}
		want, calls := "AT", int32(1)
		if implicit {
			want, calls = "IMPLICIT", 0
		}
		if tr.AccessToken != want || as.tokenCalls.Load() != calls {
			t.Errorf("implicit=%v: token %q, %d token calls", implicit, tr.AccessToken, as.tokenCalls.Load())
		}
		if implicit {
			out, _ := tr.Raw.MarshalJSON()
			if string(out) != `{"access_token":"IMPLICIT","expires_in":120,"token_type":"Bearer"}` {
				t.Errorf("implicit response %s", out)
			}
		}
	}
}

// --headless against a server whose page never answers names that step,
// not the loopback redirect (which was never reached).
func TestRunHeadlessPageTimeoutNamesTheStep(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })
	c := &Client{HTTP: &http.Client{}, Now: func() time.Time { return testNow },
		Endpoints: Endpoints{Issuer: hang.URL, Authorization: hang.URL + "/authorize"}, ClientID: "cli", AuthMethod: AuthNone}
	_, err := c.Run(context.Background(), BrowserFlow{Request: AuthRequest{ResponseType: "code", State: NewState()},
		Headless: true, Timeout: 300 * time.Millisecond, Status: &bytes.Buffer{}})
	var te *TimeoutError
	want := "--headless: waiting for the authorization server's page (GET " + hang.URL + "/authorize): timed out"
	if !errors.As(err, &te) || err.Error() != want {
		t.Fatalf("err = %v, want a TimeoutError %q", err, want)
	}
}

// --headless follows redirects only within the authorization server's
// origin and to the catcher (docs/security.md rule 60).
func TestRunHeadlessForeignRedirect(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(other.Close)
	as := newFakeAS(t)
	as.srv.Config.Handler = http.RedirectHandler(other.URL+"/metadata?secret=1", http.StatusFound)
	_, err := as.client().Run(context.Background(), BrowserFlow{Request: AuthRequest{ResponseType: "code", State: NewState()},
		Headless: true, Timeout: 5 * time.Second, Status: &bytes.Buffer{}})
	var fe *ForeignRedirectError
	want := "--headless: the authorization server redirected to " + other.URL + "/metadata, outside its own origin and the redirect URI; not following it"
	if !errors.As(err, &fe) || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if hits.Load() != 0 {
		t.Errorf("the other server got %d requests", hits.Load())
	}
}
