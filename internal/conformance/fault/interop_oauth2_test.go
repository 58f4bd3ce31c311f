package fault_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// The interop cell golang.org/x/oauth2 → oauthkit serve (issue 7): the
// library's own client code, not ours, talks to the real server.

// oauth2Context makes the library use a client with a deadline.
func oauth2Context(t *testing.T) context.Context {
	return context.WithValue(t.Context(), oauth2.HTTPClient, &http.Client{Timeout: 10 * time.Second})
}

// wantRetrieveError wants err to be the library's RetrieveError carrying
// the OAuth error code.
func wantRetrieveError(t *testing.T, what string, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != code {
		t.Errorf("%s: error %v, want a RetrieveError %q", what, err, code)
	}
}

// wantTokenLife checks the expiry the library computed from expires_in
// (the configuration's access_token_ttl, 5 minutes).
func wantTokenLife(t *testing.T, what string, tok *oauth2.Token) {
	t.Helper()
	if left := time.Until(tok.Expiry); left < 4*time.Minute || left > 5*time.Minute+5*time.Second {
		t.Errorf("%s: the token expires in %s, want about 5m", what, left)
	}
	if tok.Type() != "Bearer" {
		t.Errorf("%s: token type %q, want Bearer", what, tok.Type())
	}
}

// getJSON calls base+path with the library's authenticating client.
func getJSON(t *testing.T, c *http.Client, target string) (int, map[string]any) {
	t.Helper()
	resp, err := c.Get(target)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("GET %s: %d %q is not JSON", target, resp.StatusCode, raw)
	}
	return resp.StatusCode, body
}

func TestInteropXOAuth2ClientCredentials(t *testing.T) {
	srv := newServer(t)
	ctx := oauth2Context(t)
	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"Basic", oauth2.AuthStyleInHeader}, {"auto-detect", oauth2.AuthStyleAutoDetect}} {
		t.Run(style.name, func(t *testing.T) {
			cfg := clientcredentials.Config{ClientID: svcID, ClientSecret: svcSecret,
				TokenURL: srv.url + "/token", Scopes: []string{"read"}, AuthStyle: style.style}
			tok, err := cfg.Token(ctx)
			if err != nil {
				t.Fatalf("clientcredentials Token: %v", err)
			}
			wantTokenLife(t, "client_credentials", tok)
			if tok.RefreshToken != "" {
				t.Errorf("client_credentials returned a refresh token")
			}
			if scope, _ := tok.Extra("scope").(string); scope != "read" {
				t.Errorf("scope %q, want read", scope)
			}
			if status, body := getJSON(t, cfg.Client(ctx), srv.url+"/protected"); status != http.StatusOK {
				t.Errorf("/protected with the library's client: %d %v", status, body)
			}

			wrong := cfg
			wrong.ClientSecret = "not-the-secret"
			_, err = wrong.Token(ctx)
			wantRetrieveError(t, "a wrong secret", err, "invalid_client")
		})
	}
}

func TestInteropXOAuth2AuthCodePKCERefresh(t *testing.T) {
	srv := newServer(t)
	ctx := oauth2Context(t)
	browser := newClient(10*time.Second, 1)
	cfg := oauth2.Config{
		ClientID: appID, ClientSecret: appSecret, RedirectURL: appRedirect, Scopes: []string{"openid", "read"}, // /userinfo needs openid (docs/security.md rule 51)
		Endpoint: oauth2.Endpoint{AuthURL: srv.url + "/authorize", TokenURL: srv.url + "/token",
			AuthStyle: oauth2.AuthStyleInHeader},
	}
	// login follows the authorization URL once, as a browser would, and
	// reads the code from the redirect.
	login := func(verifier string) string {
		t.Helper()
		resp, err := browser.Get(cfg.AuthCodeURL("st-xo", oauth2.S256ChallengeOption(verifier)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || err != nil {
			t.Fatalf("/authorize: %d Location %q, want 302", resp.StatusCode, resp.Header.Get("Location"))
		}
		q := loc.Query()
		if q.Get("state") != "st-xo" || q.Get("iss") != srv.url || q.Get("code") == "" {
			t.Fatalf("redirect %s: want code, state st-xo and iss %s", loc, srv.url)
		}
		return q.Get("code")
	}

	verifier := oauth2.GenerateVerifier()
	tok, err := cfg.Exchange(ctx, login(verifier), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	wantTokenLife(t, "authorization_code", tok)
	if tok.RefreshToken == "" {
		t.Fatal("the code grant returned no refresh token")
	}
	if status, body := getJSON(t, cfg.Client(ctx, tok), srv.url+"/userinfo"); status != http.StatusOK || body["sub"] != appUser {
		t.Errorf("/userinfo with the library's client: %d %v, want 200 sub %s", status, body, appUser)
	}

	other := oauth2.GenerateVerifier()
	_, err = cfg.Exchange(ctx, login(other), oauth2.VerifierOption(verifier))
	wantRetrieveError(t, "a code redeemed with another verifier", err, "invalid_grant")

	// Refresh: the library refreshes a token it believes expired.
	old := *tok
	tok.Expiry = time.Now().Add(-time.Minute)
	src := cfg.TokenSource(ctx, tok)
	fresh, err := src.Token()
	if err != nil {
		t.Fatalf("TokenSource refresh: %v", err)
	}
	if fresh.AccessToken == old.AccessToken || fresh.RefreshToken == "" || fresh.RefreshToken == old.RefreshToken {
		t.Fatalf("the refresh did not rotate: access changed %v, refresh %q (old %q)",
			fresh.AccessToken != old.AccessToken, fresh.RefreshToken, old.RefreshToken)
	}
	wantTokenLife(t, "refresh_token", fresh)
	if again, err := src.Token(); err != nil || again.AccessToken != fresh.AccessToken {
		t.Errorf("a still-valid token was refreshed again: %v", err)
	}
	if status, body := getJSON(t, oauth2.NewClient(ctx, src), srv.url+"/userinfo"); status != http.StatusOK || body["sub"] != appUser {
		t.Errorf("/userinfo with the refreshed token: %d %v", status, body)
	}

	stale := old
	stale.Expiry = time.Now().Add(-time.Minute)
	_, err = cfg.TokenSource(ctx, &stale).Token()
	wantRetrieveError(t, "the rotated-out refresh token", err, "invalid_grant")
}
