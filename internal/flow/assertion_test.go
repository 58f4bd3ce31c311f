package flow

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/keys"
)

// TestClientAssertion: with a JWT method every request carries a fresh
// assertion for the issuer (or, without one, the endpoint), which the
// server-side rules accept, and no secret.
func TestClientAssertion(t *testing.T) {
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	var forms []url.Values
	var auths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		forms = append(forms, r.PostForm)
		auths = append(auths, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"at","token_type":"Bearer"}`))
	}))
	defer srv.Close()
	now := time.Unix(1_800_000_000, 0)
	check := func(t *testing.T, f url.Values, wantAud string, v clientauth.Verification) {
		t.Helper()
		if f.Get("client_assertion_type") != clientauth.AssertionType || f.Get("client_id") != "app" || f.Has("client_secret") {
			t.Fatalf("form %v", f)
		}
		a, err := clientauth.ParseAssertion("client_assertion", f.Get("client_assertion"))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.CheckClaims(clientauth.Expect{What: "client_assertion", Issuer: "app", Subject: "app", Audiences: []string{wantAud}, Now: now}); err != nil {
			t.Fatal(err)
		}
		v.Now = now
		if err := a.Verify(v); err != nil {
			t.Fatal(err)
		}
	}
	c := &Client{HTTP: srv.Client(), Now: func() time.Time { return now }, ClientID: "app", AuthMethod: AuthPrivateKeyJWT,
		AssertionKey: clientauth.AssertionKey{Key: key}, Endpoints: Endpoints{Issuer: "https://as.test", Token: srv.URL + "/token"}}
	for range 2 {
		if _, err := c.ClientCredentials(context.Background(), Grant{}); err != nil {
			t.Fatal(err)
		}
	}
	pub := clientauth.Verification{Keys: []*keys.Key{{Public: key.Public}}}
	check(t, forms[0], "https://as.test", pub)
	if forms[0].Get("client_assertion") == forms[1].Get("client_assertion") {
		t.Error("two requests sent the same assertion")
	}
	if auths[0] != "" {
		t.Errorf("Authorization %q sent with private_key_jwt", auths[0])
	}

	// client_secret_jwt, no issuer: aud is the token endpoint.
	c = &Client{HTTP: srv.Client(), Now: func() time.Time { return now }, ClientID: "app", Secret: "s3cret-s3cret",
		AuthMethod: AuthSecretJWT, Endpoints: Endpoints{Token: srv.URL + "/token?x=1"}}
	if _, err := c.ClientCredentials(context.Background(), Grant{}); err != nil {
		t.Fatal(err)
	}
	check(t, forms[2], srv.URL+"/token", clientauth.Verification{Secret: []byte("s3cret-s3cret")})

	// private_key_jwt without a key fails before any request.
	c = &Client{HTTP: srv.Client(), ClientID: "app", AuthMethod: AuthPrivateKeyJWT, Endpoints: Endpoints{Token: srv.URL}}
	if _, err := c.ClientCredentials(context.Background(), Grant{}); err == nil || len(forms) != 3 {
		t.Fatalf("no key: %v, %d requests", err, len(forms))
	}
}
