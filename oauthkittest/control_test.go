package oauthkittest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/oauthkittest"
)

func TestFailTimesAndClient(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t)
	srv.Fail(oauthkittest.Failure{Endpoint: oauthkittest.EndpointToken, Status: http.StatusServiceUnavailable,
		Scope: oauthkittest.Scope{ClientID: "test-client", Times: 2}})
	if n := len(srv.State().Failures); n != 1 {
		t.Fatalf("%d failures queued, want 1", n)
	}
	cc := srv.ClientCredentials("test-client")
	for i := range 3 {
		_, err := cc.Token(context.Background())
		var re *oauth2.RetrieveError
		if i < 2 && (!errors.As(err, &re) || re.Response.StatusCode != http.StatusServiceUnavailable) {
			t.Errorf("request %d: %v, want a plain 503", i+1, err)
		}
		if i == 2 && err != nil {
			t.Errorf("request 3: %v, want a token (the failure was queued twice)", err)
		}
	}
	// An injected answer is logged with the client and grant of the request.
	srv.Fail(oauthkittest.Failure{Endpoint: oauthkittest.EndpointToken, Error: "invalid_scope"})
	if _, err := cc.Token(context.Background()); err == nil {
		t.Fatal("the queued invalid_scope did not fail the token request")
	}
	logged := srv.Requests(oauthkittest.RequestFilter{Error: "invalid_scope"})
	if len(logged) != 1 || logged[0].ClientID != "test-client" || logged[0].GrantType != "client_credentials" || logged[0].Status != 400 {
		t.Errorf("the injected invalid_scope is logged as %+v", logged)
	}
	// JWKS and discovery are steerable too.
	srv.Fail(oauthkittest.Failure{Endpoint: oauthkittest.EndpointJWKS, Status: http.StatusInternalServerError})
	resp, err := srv.HTTPClient().Get(srv.URL() + "/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("jwks: %s, want 500", resp.Status)
	}
	wantContains(t, expectFatal(t, func(tb testing.TB) {
		oauthkittest.NewServer(tb).Fail(oauthkittest.Failure{Endpoint: "login", Error: "x"})
	}), `Fail: endpoint "login": use one of token, authorize`)
}

func TestTamperState(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t, oauthkittest.WithAutoApprove("alice"))
	srv.Tamper(oauthkittest.Tamper{Kind: oauthkittest.TamperState})
	conf := srv.OAuth2Config("test-client", "read")
	if got := srv.Authorize(conf.AuthCodeURL("mine")).Query().Get("state"); got == "mine" || got == "" {
		t.Errorf("tampered state %q, want another one", got)
	}
	if got := srv.Authorize(conf.AuthCodeURL("mine")).Query().Get("state"); got != "mine" {
		t.Errorf("state %q after the tamper was spent, want mine", got)
	}
	wantContains(t, expectFatal(t, func(tb testing.TB) {
		oauthkittest.NewServer(tb).Tamper(oauthkittest.Tamper{Kind: "everything"})
	}), `Tamper: tamper "everything": use one of iss, state`)
}

func TestLoginAsAndClaims(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t)
	srv.LoginAs("bob", oauthkittest.Scope{ClientID: "test-client"})
	srv.SetClaims(oauthkittest.ClaimsRule{User: "bob", Claims: map[string]any{"department": "qa"}, AccessToken: true})
	conf := srv.OAuth2Config("test-client", "openid")
	loc := srv.Authorize(conf.AuthCodeURL("s"))
	tok, err := conf.Exchange(srv.Context(context.Background()), loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if at := jwtPart(t, tok.AccessToken, 1); at["sub"] != "bob" || at["department"] != "qa" {
		t.Errorf("access token claims %v, want bob of qa", at)
	}
	if id := jwtPart(t, tok.Extra("id_token").(string), 1); id["department"] != nil {
		t.Errorf("ID token has department %v; the rule named access tokens only", id["department"])
	}
	// The login was queued once: the next request wants the login page.
	wantContains(t, expectFatal(t, func(tb testing.TB) {
		s := oauthkittest.NewServer(tb)
		s.LoginAs("alice")
		s.Authorize(s.OAuth2Config("test-client").AuthCodeURL("1"))
		s.Authorize(s.OAuth2Config("test-client").AuthCodeURL("2"))
	}), "login page")
	wantContains(t, expectFatal(t, func(tb testing.TB) { oauthkittest.NewServer(tb).LoginAs("zed") }), `LoginAs: no user "zed"`)
	wantContains(t, expectFatal(t, func(tb testing.TB) {
		oauthkittest.NewServer(tb).SetClaims(oauthkittest.ClaimsRule{Claims: map[string]any{"sub": "x"}})
	}), `SetClaims: claim "sub" is set by the protocol`)
}

func TestRotateAndRetireKeys(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t)
	old := srv.Keys()[0]
	before := srv.MintToken(oauthkittest.MintRequest{ClientID: "test-client"}).AccessToken
	k := srv.RotateKeys("ES256")
	if k.Alg != "ES256" || !k.Signing {
		t.Errorf("new key %+v", k)
	}
	if ks := srv.Keys(); len(ks) != 2 || ks[0].KID != old.KID || ks[0].Signing || ks[1].KID != k.KID {
		t.Errorf("keys %+v", ks)
	}
	after := srv.MintToken(oauthkittest.MintRequest{ClientID: "test-client"}).AccessToken
	if h := jwtPart(t, after, 0); h["kid"] != k.KID || h["alg"] != "ES256" {
		t.Errorf("new token header %v", h)
	}
	if introspection(t, srv, before)["active"] != true {
		t.Error("a token of the old key stopped verifying before the key was retired")
	}
	srv.RetireKey(old.KID)
	if len(srv.JWKS().Keys) != 1 || srv.JWKS().Keys[0].Kid != k.KID {
		t.Errorf("JWKS after retiring: %+v", srv.JWKS())
	}
	if introspection(t, srv, before)["active"] != false {
		t.Error("a token of the retired key is still active")
	}
	if introspection(t, srv, after)["active"] != true {
		t.Error("a token of the new key is not active")
	}
	wantContains(t, expectFatal(t, func(tb testing.TB) { oauthkittest.NewServer(tb).RetireKey("nope") }), "RetireKey: no published key")
}

func TestRevokeAndReset(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t)
	alice := srv.MintToken(oauthkittest.MintRequest{ClientID: "test-client", User: "alice"}).AccessToken
	bob := srv.MintToken(oauthkittest.MintRequest{ClientID: "test-client", User: "bob"}).AccessToken
	rev := srv.Revoke(oauthkittest.Revocation{User: "alice"})
	if rev.At.IsZero() || rev.User != "alice" {
		t.Errorf("revocation %+v", rev)
	}
	if introspection(t, srv, alice)["active"] != false || introspection(t, srv, bob)["active"] != true {
		t.Error("revoking alice's tokens did not revoke exactly hers")
	}
	wantContains(t, expectFatal(t, func(tb testing.TB) { oauthkittest.NewServer(tb).Revoke(oauthkittest.Revocation{}) }),
		"Revoke: revoke: say all")

	srv.SetSkew(time.Hour)
	srv.Fail(oauthkittest.Failure{Endpoint: oauthkittest.EndpointToken, Error: "invalid_grant"})
	srv.Tamper(oauthkittest.Tamper{Kind: oauthkittest.TamperNoTokenType})
	srv.LoginAs("bob")
	srv.SetClaims(oauthkittest.ClaimsRule{Claims: map[string]any{"x": 1}})
	st := srv.State()
	if st.Skew != time.Hour || len(st.Failures) != 1 || len(st.Tampers) != 1 || len(st.Logins) != 1 || len(st.Claims) != 1 ||
		len(st.Revoked) != 1 || st.Requests == 0 {
		t.Errorf("state before reset %+v", st)
	}
	srv.Reset()
	st = srv.State()
	if st.Skew != 0 || st.Failures != nil || st.Tampers != nil || st.Logins != nil || st.Claims != nil || st.Requests != 0 {
		t.Errorf("state after reset %+v", st)
	}
	if len(st.Revoked) != 1 || len(st.Keys) != 1 {
		t.Errorf("reset dropped revocations or keys: %+v", st)
	}
	if _, err := srv.ClientCredentials("test-client").Token(context.Background()); err != nil {
		t.Errorf("token after reset: %v", err)
	}
}

func TestRequestsFilterAndClear(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t)
	cc := srv.ClientCredentials("test-client", "read")
	if _, err := cc.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, err := srv.HTTPClient().Get(srv.URL() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	all := srv.Requests(oauthkittest.RequestFilter{})
	if len(all) != 2 || all[0].Endpoint != "token" || all[1].Endpoint != "discovery" || all[0].Seq >= all[1].Seq {
		t.Fatalf("log %+v", all)
	}
	tok := all[0]
	if tok.Method != "POST" || tok.ClientID != "test-client" || tok.GrantType != "client_credentials" || tok.Scope != "read" || tok.Status != 200 {
		t.Errorf("token record %+v", tok)
	}
	if got := srv.Requests(oauthkittest.RequestFilter{After: tok.Seq}); len(got) != 1 || got[0].Endpoint != "discovery" {
		t.Errorf("After filter: %+v", got)
	}
	srv.ClearRequests()
	if got := srv.Requests(oauthkittest.RequestFilter{}); len(got) != 0 {
		t.Errorf("%d records after ClearRequests", len(got))
	}
}

// Control calls and token traffic at once, for the race detector: queued
// failures are spent exactly once each, whatever the interleaving.
func TestConcurrentControlAndTraffic(t *testing.T) {
	t.Parallel()
	srv := oauthkittest.NewServer(t)
	const workers, perWorker, failures = 4, 15, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for range workers {
		wg.Go(func() {
			cc := srv.ClientCredentials("test-client")
			for range perWorker {
				_, err := cc.Token(context.Background())
				errs <- err
			}
		})
	}
	ctl := make(chan error, 1)
	go func() { // control calls beside the traffic, without failing the test from here
		defer close(ctl)
		for i := range failures {
			srv.Fail(oauthkittest.Failure{Endpoint: oauthkittest.EndpointToken, Error: "slow_down"})
			srv.SetClaims(oauthkittest.ClaimsRule{ClientID: "test-client", Claims: map[string]any{"n": i}})
			srv.AdvanceClock(time.Second)
			_ = srv.Requests(oauthkittest.RequestFilter{Endpoint: oauthkittest.EndpointToken})
			_ = srv.State()
		}
		srv.RotateKeys("ES256")
	}()
	wg.Wait()
	<-ctl
	close(errs)
	failed := 0
	for err := range errs {
		var re *oauth2.RetrieveError
		switch {
		case err == nil:
		case errors.As(err, &re) && re.ErrorCode == "slow_down":
			failed++
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	left := len(srv.State().Failures)
	if failed+left != failures {
		t.Errorf("%d requests failed and %d failures are left; want %d in all", failed, left, failures)
	}
	logged := srv.Requests(oauthkittest.RequestFilter{Endpoint: oauthkittest.EndpointToken, Error: "slow_down"})
	if len(logged) != failed {
		t.Errorf("the log has %d slow_down answers, the clients saw %d", len(logged), failed)
	}
	if !strings.HasPrefix(srv.Keys()[1].Alg, "ES") {
		t.Errorf("keys %+v", srv.Keys())
	}
}
