package oauthkittest_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/keys"
	"github.com/oauthkit/oauthkit/oauthkittest"
)

// The documented default registrations work as documented.
func TestDefaults(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t)
	ctx := srv.Context(context.Background())
	if !strings.HasPrefix(srv.Issuer(), "http://127.0.0.1:") || srv.URL() != srv.Issuer() {
		t.Errorf("issuer %q, URL %q", srv.Issuer(), srv.URL())
	}
	conf := srv.OAuth2Config("test-client")
	if conf.ClientSecret != "test-client-secret-0123456789abcdef" || conf.RedirectURL != "http://127.0.0.1/callback" ||
		strings.Join(conf.Scopes, " ") != "openid profile email read write" || conf.Endpoint.AuthStyle != oauth2.AuthStyleInHeader {
		t.Errorf("test-client config %+v", conf)
	}
	for _, u := range []struct{ name, password string }{{"alice", "alice-password"}, {"bob", "bob-password"}} {
		tok, err := conf.PasswordCredentialsToken(ctx, u.name, u.password)
		if err != nil {
			t.Fatalf("password grant for %s: %v", u.name, err)
		}
		if got := introspection(t, srv, tok.AccessToken); got["active"] != true || got["sub"] != u.name {
			t.Errorf("%s's token introspects as %v", u.name, got)
		}
	}
	var re *oauth2.RetrieveError
	if _, err := conf.PasswordCredentialsToken(ctx, "alice", "wrong"); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Errorf("a wrong password: %v, want invalid_grant", err)
	}
	pub := srv.OAuth2Config("test-public")
	if pub.ClientSecret != "" || pub.Endpoint.AuthStyle != oauth2.AuthStyleInParams {
		t.Errorf("test-public config %+v", pub)
	}
	// The published key is the embedded RS256 test key.
	jwks := srv.JWKS()
	if len(jwks.Keys) != 1 || jwks.Keys[0].Alg != "RS256" || jwks.Keys[0].IsPrivate() {
		t.Errorf("JWKS %+v", jwks)
	}
}

// Each server is its own: issuers differ, and what one is told does not
// reach another.
func TestParallelServersAreIndependent(t *testing.T) {
	t.Parallel()
	issuers := make(chan string, 4)
	t.Run("group", func(t *testing.T) {
		for i := range 4 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				srv := oauthkittest.NewServer(t)
				issuers <- srv.Issuer()
				if i == 0 { // only this server fails its token requests
					srv.Fail(oauthkittest.Failure{Endpoint: oauthkittest.EndpointToken, Error: "temporarily_unavailable",
						Scope: oauthkittest.Scope{Times: -1}})
				}
				_, err := srv.ClientCredentials("test-client").Token(context.Background())
				if (err != nil) != (i == 0) {
					t.Errorf("server %d: token error %v", i, err)
				}
				if n := len(srv.Requests(oauthkittest.RequestFilter{})); n != 1 {
					t.Errorf("server %d logged %d requests, want its own 1", i, n)
				}
			})
		}
	})
	close(issuers)
	seen := map[string]bool{}
	for iss := range issuers {
		if seen[iss] {
			t.Errorf("issuer %s used twice", iss)
		}
		seen[iss] = true
	}
	if len(seen) != 4 {
		t.Errorf("%d servers started, want 4", len(seen))
	}
}

// When the test ends the server stops: a kept-alive connection is closed
// and the port refuses new ones.
func TestCleanupStopsServer(t *testing.T) {
	t.Parallel()
	var addr string
	var conn net.Conn
	t.Run("inner", func(t *testing.T) {
		srv := oauthkittest.NewServer(t)
		addr = strings.TrimPrefix(srv.URL(), "http://")
		var err error
		if conn, err = net.Dial("tcp", addr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("healthz: %s, close %v; want a kept-alive 200", resp.Status, resp.Close)
		}
	})
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("the kept-alive connection after the test: read %d bytes, %v; want EOF", n, err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after the test ended", addr)
	}
}

const customConfig = `
tokens:
  access_token_ttl: 5m
clients:
  - id: api
    secret: api-secret-0123456789abcdef0123
    auth_method: client_secret_post
    redirect_uris: [http://127.0.0.1:9999/cb, http://127.0.0.1:9999/other]
    grant_types: [client_credentials, password]
    scopes: [orders]
users:
  - username: carol
    password: carol-password
    claims: {department: sales}
`

func TestWithConfigYAML(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t, oauthkittest.WithConfigYAML([]byte(customConfig)))
	conf := srv.OAuth2Config("api")
	if conf.RedirectURL != "http://127.0.0.1:9999/cb" || conf.Endpoint.AuthStyle != oauth2.AuthStyleInParams ||
		strings.Join(conf.Scopes, " ") != "orders" {
		t.Errorf("config %+v", conf)
	}
	tok, err := conf.PasswordCredentialsToken(srv.Context(context.Background()), "carol", "carol-password")
	if err != nil {
		t.Fatal(err)
	}
	if ttl := time.Until(tok.Expiry); ttl > 5*time.Minute || ttl < 4*time.Minute {
		t.Errorf("token lifetime %s, want the configured 5m", ttl)
	}
	if claims := jwtPart(t, tok.AccessToken, 1); claims["sub"] != "carol" {
		t.Errorf("claims %v", claims)
	}
	// The defaults are gone.
	msg := expectFatal(t, func(tb testing.TB) {
		oauthkittest.NewServer(tb, oauthkittest.WithConfigYAML([]byte(customConfig))).OAuth2Config("test-client")
	})
	wantContains(t, msg, `no client "test-client" is configured`, "[api]")
}

// A configuration's warnings go to the test log; the server starts.
func TestConfigWarningsLogged(t *testing.T) {
	t.Parallel()
	lt := &logTB{TB: t}
	srv := oauthkittest.NewServer(lt, oauthkittest.WithConfigYAML([]byte(
		"clients:\n  - id: c\n    secret: short\n    grant_types: [client_credentials]\n")))
	if _, err := srv.ClientCredentials("c").Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(lt.logs) != 1 {
		t.Fatalf("logged %q, want one warning", lt.logs)
	}
	wantContains(t, lt.logs[0], "oauthkittest: warning: oauthkittest configuration:3: clients[0].secret: the secret is shorter than")
}

func TestConfigRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, yaml, want string }{
		{"issuer", "issuer: http://127.0.0.1:8080\n", "issuer: leave it out"},
		{"store", "store: memory\n", "store: leave it out"},
		{"invalid", "clients:\n  - id: x\n    grant_types: [nope]\n", "oauthkittest configuration:3"},
		{"two problems", "pkce: maybe\nresponse_profile: odd\n", "2 problems:"},
		{"auto-approve user missing", "users: []\n", "WithAutoApprove \"dave\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := expectFatal(t, func(tb testing.TB) {
				oauthkittest.NewServer(tb, oauthkittest.WithConfigYAML([]byte(tt.yaml)), oauthkittest.WithAutoApprove("dave"))
			})
			wantContains(t, msg, "oauthkittest.NewServer: ", tt.want)
		})
	}
}

func TestWithClock(t *testing.T) {
	t.Parallel()
	base := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	srv := oauthkittest.NewServer(t, oauthkittest.WithClock(func() time.Time { return base }))
	if !srv.Now().Equal(base) {
		t.Errorf("Now %s, want %s", srv.Now(), base)
	}
	m := srv.MintToken(oauthkittest.MintRequest{ClientID: "test-client"})
	if !m.ExpiresAt.Equal(base.Add(30 * time.Minute)) {
		t.Errorf("expires %s, want the clock + 30m", m.ExpiresAt)
	}
	if iat := jwtPart(t, m.AccessToken, 1)["iat"]; iat != float64(base.Unix()) {
		t.Errorf("iat %v, want %d", iat, base.Unix())
	}
	srv.AdvanceClock(time.Hour)
	srv.AdvanceClock(30 * time.Minute)
	if srv.Skew() != 90*time.Minute || !srv.Now().Equal(base.Add(90*time.Minute)) {
		t.Errorf("skew %s, now %s", srv.Skew(), srv.Now())
	}
	wantContains(t, expectFatal(t, func(tb testing.TB) { oauthkittest.NewServer(tb, oauthkittest.WithClock(nil)) }),
		"WithClock: the clock is nil")
}

func TestWithKey(t *testing.T) {
	t.Parallel()
	k, err := keys.Generate(keys.Spec{Type: keys.TypeEC, Curve: "P-256"})
	if err != nil {
		t.Fatal(err)
	}
	srv := oauthkittest.NewServer(t, oauthkittest.WithKey(k))
	m := srv.MintToken(oauthkittest.MintRequest{ClientID: "test-client"})
	if h := jwtPart(t, m.AccessToken, 0); h["alg"] != "ES256" || h["kid"] != k.KeyID() {
		t.Errorf("header %v, want ES256 and kid %s", h, k.KeyID())
	}
	if got := introspection(t, srv, m.AccessToken); got["active"] != true {
		t.Errorf("introspection %v", got)
	}

	pem, err := os.ReadFile("../keys/testdata/ed25519.pkcs8.pem")
	if err != nil {
		t.Fatal(err)
	}
	srv = oauthkittest.NewServer(t, oauthkittest.WithKeyPEM(pem))
	m = srv.MintToken(oauthkittest.MintRequest{ClientID: "test-client"})
	if h := jwtPart(t, m.AccessToken, 0); h["alg"] != "EdDSA" {
		t.Errorf("header %v, want EdDSA", h)
	}

	pub, err := keys.Generate(keys.Spec{Type: keys.TypeEC, Curve: "P-256"})
	if err != nil {
		t.Fatal(err)
	}
	pub.Private = nil
	wantContains(t, expectFatal(t, func(tb testing.TB) { oauthkittest.NewServer(tb, oauthkittest.WithKey(pub)) }),
		"WithKey: the signing key must be a private key")
	wantContains(t, expectFatal(t, func(tb testing.TB) { oauthkittest.NewServer(tb, oauthkittest.WithKeyPEM([]byte("nope"))) }),
		"WithKeyPEM: not a key")
}

// A configuration's key files are used, relative to the working directory.
func TestConfigKeys(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t, oauthkittest.WithConfigYAML([]byte(
		"keys: [../keys/testdata/p384.pkcs8.pem]\nclients:\n  - id: c\n    secret: c-secret-0123456789abcdef0123456\n    grant_types: [client_credentials]\n")))
	if h := jwtPart(t, srv.MintToken(oauthkittest.MintRequest{ClientID: "c"}).AccessToken, 0); h["alg"] != "ES384" {
		t.Errorf("header %v, want ES384", h)
	}
}

func TestWithAutoApproveAndAuthorize(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t, oauthkittest.WithAutoApprove("bob"))
	conf := srv.OAuth2Config("test-client", "openid")
	loc := srv.Authorize(conf.AuthCodeURL("st"))
	if loc.Scheme+"://"+loc.Host+loc.Path != conf.RedirectURL || loc.Query().Get("state") != "st" ||
		loc.Query().Get("iss") != srv.Issuer() {
		t.Fatalf("redirect %s", loc)
	}
	tok, err := conf.Exchange(srv.Context(context.Background()), loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if id := jwtPart(t, tok.Extra("id_token").(string), 1); id["sub"] != "bob" || id["aud"] != "test-client" {
		t.Errorf("ID token %v", id)
	}
	// A public client without PKCE: the error comes back in the redirect.
	loc = srv.Authorize(srv.OAuth2Config("test-public").AuthCodeURL("st"))
	if loc.Query().Get("error") != "invalid_request" {
		t.Errorf("redirect %s, want error invalid_request", loc)
	}

	// Without auto-approval the server wants its login page.
	wantContains(t, expectFatal(t, func(tb testing.TB) {
		s := oauthkittest.NewServer(tb)
		s.Authorize(s.OAuth2Config("test-client").AuthCodeURL("st"))
	}), "sent the browser to its login page", "WithAutoApprove or LoginAs")
}

func TestMintToken(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t)
	m := srv.MintToken(oauthkittest.MintRequest{ClientID: "test-client", User: "alice", Scope: "openid email", Nonce: "n-1"})
	if m.RefreshToken == "" || m.Scope != "openid email" {
		t.Errorf("minted %+v", m)
	}
	got := introspection(t, srv, m.AccessToken)
	if got["active"] != true || got["sub"] != "alice" || got["scope"] != "openid email" || got["client_id"] != "test-client" {
		t.Errorf("introspection %v", got)
	}
	if id := jwtPart(t, m.IDToken, 1); id["nonce"] != "n-1" || id["email"] != "alice@example.test" || id["iss"] != srv.Issuer() {
		t.Errorf("ID token %v", id)
	}
	// The refresh token works at the token endpoint.
	conf := srv.OAuth2Config("test-client")
	refreshed, err := conf.TokenSource(srv.Context(context.Background()), &oauth2.Token{RefreshToken: m.RefreshToken}).Token()
	if err != nil || refreshed.AccessToken == "" {
		t.Errorf("refresh: %v", err)
	}
	for _, tt := range []struct {
		r    oauthkittest.MintRequest
		want string
	}{
		{oauthkittest.MintRequest{ClientID: "nobody"}, `MintToken: no client "nobody"`},
		{oauthkittest.MintRequest{ClientID: "test-client", User: "zed"}, `MintToken: no user "zed"`},
		{oauthkittest.MintRequest{ClientID: "test-client", Scope: "admin"}, `scope "admin" is not registered`},
	} {
		wantContains(t, expectFatal(t, func(tb testing.TB) { oauthkittest.NewServer(tb).MintToken(tt.r) }), tt.want)
	}
}
