package oauthkittest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/oauthkittest"
)

// exampleT stands in for the *testing.T of a test, which examples do not
// get: NewServer registers its shutdown with Cleanup, done runs it.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func newExampleT() *exampleT                       { return &exampleT{} }
func (t *exampleT) Helper()                        {}
func (t *exampleT) Cleanup(f func())               { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Log(args ...any)                {}
func (t *exampleT) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }
func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// A service authenticates to an API with client credentials (RFC 6749
// §4.4), through golang.org/x/oauth2/clientcredentials.
func ExampleNewServer_clientCredentials() {
	t := newExampleT() // in a test: the test's t
	defer t.done()

	srv := oauthkittest.NewServer(t)
	cc := srv.ClientCredentials("test-client", "read")
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	fmt.Println(tok.TokenType, tok.Valid(), tok.Extra("scope"))
	// Output: Bearer true read
}

// A native app signs the user in with the authorization code grant and
// PKCE (RFC 7636). WithAutoApprove answers the authorization request at
// once, as if alice had logged in and consented; Authorize returns the
// redirect to the app.
func ExampleServer_Authorize() {
	t := newExampleT()
	defer t.done()

	srv := oauthkittest.NewServer(t, oauthkittest.WithAutoApprove("alice"))
	conf := srv.OAuth2Config("test-public", "openid", "profile")
	verifier := oauth2.GenerateVerifier()
	redirect := srv.Authorize(conf.AuthCodeURL("xyz", oauth2.S256ChallengeOption(verifier)))
	fmt.Println("state:", redirect.Query().Get("state"))

	ctx := srv.Context(context.Background())
	tok, err := conf.Exchange(ctx, redirect.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	idToken, _ := tok.Extra("id_token").(string)
	fmt.Println("refresh token:", tok.RefreshToken != "", "ID token:", strings.Count(idToken, ".") == 2)
	// Output:
	// state: xyz
	// refresh token: true ID token: true
}

// The next token request fails with invalid_grant: the application's
// error handling is tested against a real server.
func ExampleServer_Fail() {
	t := newExampleT()
	defer t.done()

	srv := oauthkittest.NewServer(t)
	srv.Fail(oauthkittest.Failure{Endpoint: oauthkittest.EndpointToken, Error: "invalid_grant",
		Description: "the grant was revoked"})

	cc := srv.ClientCredentials("test-client")
	_, err := cc.Token(context.Background())
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		fmt.Println(re.Response.StatusCode, re.ErrorCode, re.ErrorDescription)
	}
	_, err = cc.Token(context.Background()) // the failure was queued once
	fmt.Println("second request:", err)
	// Output:
	// 400 invalid_grant the grant was revoked
	// second request: <nil>
}

// Two hours later the access token (30 minutes) has expired: the server's
// introspection (RFC 7662) says so.
func ExampleServer_SetSkew() {
	t := newExampleT()
	defer t.done()

	srv := oauthkittest.NewServer(t)
	tok := srv.MintToken(oauthkittest.MintRequest{ClientID: "test-client", User: "alice", Scope: "read"})
	fmt.Println("now:", introspect(t, srv, tok.AccessToken))
	srv.SetSkew(2 * time.Hour)
	fmt.Println("in two hours:", introspect(t, srv, tok.AccessToken))
	// Output:
	// now: true
	// in two hours: false
}

// introspect asks the server whether token is active, as a resource
// server would.
func introspect(t testing.TB, srv *oauthkittest.Server, token string) bool {
	req, _ := http.NewRequest(http.MethodPost, srv.Issuer()+"/introspect",
		strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	conf := srv.OAuth2Config("test-client")
	req.SetBasicAuth(conf.ClientID, conf.ClientSecret)
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("introspect: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Active bool `json:"active"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("introspect: %v", err)
	}
	return out.Active
}

// After the application ran, the test asserts on the requests it made:
// which endpoint, client and grant, and what the server answered. The log
// never holds secrets, codes or tokens.
func ExampleServer_Requests() {
	t := newExampleT()
	defer t.done()

	srv := oauthkittest.NewServer(t)
	cc := srv.ClientCredentials("test-client", "write")
	cc.ClientSecret = "wrong"
	_, _ = cc.Token(context.Background()) // the application under test

	for _, r := range srv.Requests(oauthkittest.RequestFilter{Endpoint: oauthkittest.EndpointToken}) {
		fmt.Println(r.Method, r.Endpoint, r.ClientID, r.GrantType, r.Status, r.Error)
	}
	// Output: POST token test-client client_credentials 401 invalid_client
}
