package authserver

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

// evEnv is a real server on 127.0.0.1 whose OnEvent and request log the
// test reads.
type evEnv struct {
	ts  *httptest.Server
	now time.Time
	log *azLog

	mu     sync.Mutex
	events []Event
}

const (
	evSecret   = "Ev-Secret-5up3r-s3cr3t"
	evRedirect = "http://127.0.0.1:9/cb"
)

func newEvEnv(t *testing.T) *evEnv {
	t.Helper()
	e := &evEnv{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), log: &azLog{}}
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Settings{Issuer: "http://127.0.0.1:1", AccessTokenTTL: time.Minute, RefreshTokenTTL: time.Hour, CodeTTL: time.Minute},
		Options{Store: st, Hasher: &hashing.Hasher{}, Keys: ks, Now: func() time.Time { return e.now },
			Logger: slog.New(slog.NewTextHandler(e.log, nil)),
			OnEvent: func(ev Event) {
				e.mu.Lock()
				defer e.mu.Unlock()
				e.events = append(e.events, ev)
			}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []store.Client{
		{ID: "web", AuthMethod: "client_secret_basic", Scopes: []string{"read"}, RedirectURIs: []string{evRedirect},
			GrantTypes: []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, GrantPassword},
			SecretHash: (&hashing.Hasher{}).Hash(evSecret)},
		{ID: "post", AuthMethod: "client_secret_post", Scopes: []string{"read"}, RedirectURIs: []string{evRedirect},
			GrantTypes: []string{GrantClientCredentials}, SecretHash: (&hashing.Hasher{}).Hash(evSecret)},
	} {
		if err := st.Clients().Put(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	e.ts = httptest.NewServer(NewHTTPServer(srv.Handler(), slog.New(slog.DiscardHandler)).Handler)
	t.Cleanup(e.ts.Close)
	return e
}

// send makes the request and reads the whole answer, so its event is in.
func (e *evEnv) send(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func (e *evEnv) takeEvents() []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.events
	e.events = nil
	return out
}

func evPost(base, path string, form url.Values, basicUser, basicPass string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	return req
}

func evGet(base, target string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, base+target, nil)
	return req
}

func TestEventsPerEndpoint(t *testing.T) {
	e := newEvEnv(t)
	at := e.now
	cc := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
	authz := func(kv ...string) string {
		v := url.Values{"client_id": {"web"}, "redirect_uri": {evRedirect}, "state": {"st1"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return "/authorize?" + v.Encode()
	}
	tests := []struct {
		name string
		req  *http.Request
		want Event
	}{
		{"client_credentials with Basic", evPost(e.ts.URL, "/token", cc, "web", evSecret),
			Event{Method: "POST", Path: "/token", ClientID: "web", GrantType: "client_credentials", Scope: "read", Status: 200}},
		{"client_credentials with client_secret_post", evPost(e.ts.URL, "/token",
			url.Values{"grant_type": {"client_credentials"}, "client_id": {"post"}, "client_secret": {evSecret}}, "", ""),
			Event{Method: "POST", Path: "/token", ClientID: "post", GrantType: "client_credentials", Status: 200}},
		{"wrong secret: invalid_client", evPost(e.ts.URL, "/token", cc, "web", "wrong-"+evSecret),
			Event{Method: "POST", Path: "/token", ClientID: "web", GrantType: "client_credentials", Scope: "read", Error: "invalid_client", Status: 401}},
		{"unknown client: invalid_client", evPost(e.ts.URL, "/token", cc, "nobody", evSecret),
			Event{Method: "POST", Path: "/token", ClientID: "nobody", GrantType: "client_credentials", Scope: "read", Error: "invalid_client", Status: 401}},
		{"Basic user name form-decoded", evPost(e.ts.URL, "/token", cc, "my%20client", evSecret),
			Event{Method: "POST", Path: "/token", ClientID: "my client", GrantType: "client_credentials", Scope: "read", Error: "invalid_client", Status: 401}},
		{"grant not registered", evPost(e.ts.URL, "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"post"}, "client_secret": {evSecret}, "scope": {"write"}}, "", ""),
			Event{Method: "POST", Path: "/token", ClientID: "post", GrantType: "client_credentials", Scope: "write", Error: "invalid_scope", Status: 400}},
		{"grant_type only at the token endpoint", evPost(e.ts.URL, "/revoke", url.Values{"grant_type": {"password"}, "token": {"x"}}, "web", evSecret),
			Event{Method: "POST", Path: "/revoke", ClientID: "web", Status: 200}},
		{"not a form", func() *http.Request {
			r := evPost(e.ts.URL, "/token", nil, "", "")
			r.Header.Set("Content-Type", "application/json")
			return r
		}(), Event{Method: "POST", Path: "/token", Error: "invalid_request", Status: 400}},
		{"authorize error sent back to the client", evGet(e.ts.URL, authz("response_type", "bogus")),
			Event{Method: "GET", Path: "/authorize", ClientID: "web", Error: "unsupported_response_type", Status: 302}},
		{"authorize error page for an unknown client", evGet(e.ts.URL, authz("response_type", "code", "client_id", "nobody")),
			Event{Method: "GET", Path: "/authorize", ClientID: "nobody", Error: "http_400", Status: 400}},
		{"protected resource without a token", evGet(e.ts.URL, "/protected"),
			Event{Method: "GET", Path: "/protected", Error: "invalid_token", Status: 401}},
		{"no such endpoint", evGet(e.ts.URL, "/nothing?code=Secret1"),
			Event{Method: "GET", Path: "/nothing", Error: "not_found", Status: 404}},
		{"discovery", evGet(e.ts.URL, "/.well-known/openid-configuration"),
			Event{Method: "GET", Path: "/.well-known/openid-configuration", Status: 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.send(t, tt.req)
			got := e.takeEvents()
			if len(got) != 1 {
				t.Fatalf("%d events, want 1: %+v", len(got), got)
			}
			tt.want.Time = at
			if got[0] != tt.want {
				t.Errorf("event\n got %+v\nwant %+v", got[0], tt.want)
			}
			if res.StatusCode != tt.want.Status {
				t.Errorf("HTTP %d, event says %d", res.StatusCode, tt.want.Status)
			}
		})
	}
	// The request log is written from the same events.
	for _, line := range []string{
		"msg=request method=POST path=/token status=401 duration_ms=0 client_id=nobody grant_type=client_credentials error=invalid_client",
		"msg=request method=GET path=/authorize status=302 duration_ms=0 client_id=web error=unsupported_response_type",
	} {
		if !strings.Contains(e.log.String(), line) {
			t.Errorf("request log lacks %q:\n%s", line, e.log.String())
		}
	}
}

// TestEventsNeverCarrySecrets sends a client secret, a password, a code,
// a code verifier and a refresh token every way a client can, and looks for
// each in every string field of every event.
func TestEventsNeverCarrySecrets(t *testing.T) {
	e := newEvEnv(t)
	secrets := []string{evSecret, "Pa55word-Secret", "Code-Secret-1", "Verifier-Secret-1", "Refresh-Secret-1", "Access-Secret-1"}
	reqs := []*http.Request{
		evPost(e.ts.URL, "/token", url.Values{"grant_type": {"client_credentials"}}, "web", evSecret),
		evPost(e.ts.URL, "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"post"}, "client_secret": {evSecret}}, "", ""),
		evPost(e.ts.URL, "/token", url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"Pa55word-Secret"}}, "web", evSecret),
		evPost(e.ts.URL, "/token", url.Values{"grant_type": {"authorization_code"}, "code": {"Code-Secret-1"},
			"code_verifier": {"Verifier-Secret-1"}, "redirect_uri": {evRedirect}}, "web", evSecret),
		evPost(e.ts.URL, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"Refresh-Secret-1"}}, "web", "wrong"+evSecret),
		evPost(e.ts.URL, "/token?client_secret="+evSecret, url.Values{"grant_type": {"client_credentials"}, "client_id": {"post"}}, "", ""),
		evPost(e.ts.URL, "/introspect", url.Values{"token": {"Access-Secret-1"}}, "web", evSecret),
		evPost(e.ts.URL, "/revoke", url.Values{"token": {"Refresh-Secret-1"}}, "web", evSecret),
		evGet(e.ts.URL, "/authorize?client_id=web&response_type=code&redirect_uri="+url.QueryEscape(evRedirect)+"&code_challenge=Verifier-Secret-1&code_challenge_method=S256&password=Pa55word-Secret"),
		func() *http.Request {
			r := evGet(e.ts.URL, "/userinfo")
			r.Header.Set("Authorization", "Bearer Access-Secret-1")
			return r
		}(),
	}
	for _, r := range reqs {
		e.send(t, r)
	}
	events := e.takeEvents()
	if len(events) != len(reqs) {
		t.Fatalf("%d events for %d requests", len(events), len(reqs))
	}
	for _, ev := range events {
		v := reflect.ValueOf(ev)
		for i := range v.NumField() {
			f := v.Field(i)
			if f.Kind() != reflect.String {
				continue
			}
			for _, s := range secrets {
				if strings.Contains(f.String(), s) {
					t.Errorf("event field %s = %q holds a secret", v.Type().Field(i).Name, f.String())
				}
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(e.log.String(), s) {
			t.Errorf("request log holds %q:\n%s", s, e.log.String())
		}
	}
}

// A client_id crafted to drive the terminal reaches the request log quoted
// and escaped (slog), never as raw control, bidi or zero-width runes.
func TestEventLogEscapesClientText(t *testing.T) {
	e := newEvEnv(t)
	evil := "c\x1b[2J\u202eevil\u200b"
	e.send(t, evPost(e.ts.URL, "/token", url.Values{"grant_type": {"x\x1b]0;t\x07"}, "client_id": {evil}}, "", ""))
	ev := e.takeEvents()
	if len(ev) != 1 || ev[0].ClientID != evil {
		t.Fatalf("events %+v", ev)
	}
	log := e.log.String()
	if strings.ContainsAny(log, "\x1b\x07\u202e\u200b") {
		t.Fatalf("raw control, bidi or zero-width runes in the log: %q", log)
	}
	if !strings.Contains(log, `client_id="c\x1b[2J\u202eevil\u200b"`) {
		t.Errorf("client_id not quoted and escaped in the log:\n%s", log)
	}
}
