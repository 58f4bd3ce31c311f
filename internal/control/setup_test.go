package control

// Shared set-up: a real authorization server (memory store, EC key, a clock
// the test holds still) behind httptest on 127.0.0.1 with the control API
// mounted, fixture clients and a user, and a Client for it.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

const (
	testToken   = "control-token-for-tests-0123456789"
	webID       = "web"
	webSecret   = "web-secret-0123456789"
	cliID       = "cli"
	redirectURI = "http://127.0.0.1:8765/callback"
)

// base is the test clock's time: the server's clock before any skew.
var base = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

type env struct {
	t      *testing.T
	srv    *authserver.Server
	ts     *httptest.Server
	client *Client
}

// newEnv starts a server; mounted is false for a server without the
// control API (serve without --control).
func newEnv(t *testing.T, mounted bool) *env {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	hasher := &hashing.Hasher{}
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC, Curve: "P-256"})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := authserver.NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	issuer := "http://" + ts.Listener.Addr().String()
	srv, err := authserver.New(authserver.Settings{Issuer: issuer, AccessTokenTTL: 30 * time.Minute,
		RefreshTokenTTL: 8 * time.Hour, CodeTTL: time.Minute},
		authserver.Options{Store: st, Hasher: hasher, Keys: ks, Now: func() time.Time { return base },
			Logger: slog.New(slog.DiscardHandler), RequestLog: true})
	if err != nil {
		t.Fatal(err)
	}
	if mounted {
		srv.Mount(authserver.ControlPathPrefix, NewHandler(srv.Control(), testToken))
	}
	ts.Config = authserver.NewHTTPServer(srv.Handler(), slog.New(slog.DiscardHandler))
	ts.Start()
	t.Cleanup(ts.Close)
	ctx := context.Background()
	both := []string{"openid", "read", "write"}
	for _, c := range []store.Client{
		{ID: webID, SecretHash: hasher.HashSecret(webSecret), AuthMethod: "client_secret_basic", Scopes: both,
			RedirectURIs: []string{redirectURI}, GrantTypes: []string{authserver.GrantClientCredentials, authserver.GrantAuthorizationCode, authserver.GrantRefreshToken}},
		{ID: cliID, AuthMethod: "none", Scopes: both, RedirectURIs: []string{redirectURI},
			GrantTypes: []string{authserver.GrantAuthorizationCode, authserver.GrantRefreshToken}},
	} {
		if err := st.Clients().Put(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []store.User{{Username: "alice", Subject: "u-alice"}, {Username: "bob", Subject: "u-bob"}} {
		if err := st.Users().Put(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return &env{t: t, srv: srv, ts: ts, client: &Client{Issuer: issuer, Token: testToken, HTTP: ts.Client()}}
}

// raw sends a request to the control API with the given Authorization
// header ("" none) and returns the status, headers and body.
func (e *env) raw(method, op, auth, body string) (int, http.Header, string) {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+authserver.ControlPathPrefix+op, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) (int, http.Header, string) {
	e.t.Helper()
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(data)
}

// clientCredentials asks /token for a web token: status and JSON body.
func (e *env) clientCredentials() (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(webID, webSecret)
	status, _, body := e.do(req)
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		e.t.Fatalf("token answer %d is not JSON: %q", status, body)
	}
	return status, m
}

// introspect says whether the web client sees tok as active.
func (e *env) introspect(tok string) bool {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/introspect", strings.NewReader(url.Values{"token": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(webID, webSecret)
	status, _, body := e.do(req)
	var m struct{ Active bool }
	if status != http.StatusOK || json.Unmarshal([]byte(body), &m) != nil {
		e.t.Fatalf("introspect: %d %s", status, body)
	}
	return m.Active
}

// claimsOf decodes a JWT's payload without verifying it.
func claimsOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	data, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// refused asserts err is a *RefusedError with status and code, whose
// description contains want.
func refused(t *testing.T, err error, status int, code, want string) {
	t.Helper()
	re, ok := err.(*RefusedError)
	if !ok {
		t.Fatalf("error %v (%T), want a *RefusedError", err, err)
	}
	if re.Status != status || re.Code != code || !strings.Contains(re.Description, want) {
		t.Fatalf("refused %d %s %q, want %d %s containing %q", re.Status, re.Code, re.Description, status, code, want)
	}
}
