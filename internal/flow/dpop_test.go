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

	"github.com/oauthkit/oauthkit/internal/dpop"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

// dpopServer checks every DPoP proof with the real verifier and demands
// nonces: the first proof without the current nonce gets use_dpop_nonce.
// alwaysNonce makes it answer use_dpop_nonce with a new nonce every time.
type dpopServer struct {
	srv         *httptest.Server
	mu          sync.Mutex
	requests    int
	nonce       int
	alwaysNonce bool
	jkts        []string
}

func newDPoPServer(t *testing.T, alwaysNonce bool) *dpopServer {
	t.Helper()
	d := &dpopServer{alwaysNonce: alwaysNonce}
	v := &dpop.Verifier{Now: func() time.Time { return testNow }, Replays: memory.New().Replays()}
	check := func(w http.ResponseWriter, r *http.Request, at string, status int) bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.requests++
		p, e := v.Verify(r.Context(), r.Header.Values("DPoP"), dpop.Request{Method: r.Method, URL: d.srv.URL + r.URL.Path, AccessToken: at})
		if e != nil {
			t.Errorf("%s %s: proof refused: %v", r.Method, r.URL.Path, e)
			http.Error(w, e.Error(), http.StatusBadRequest)
			return false
		}
		d.jkts = append(d.jkts, p.JKT)
		want := "n" + string(rune('0'+d.nonce))
		if d.alwaysNonce || p.Nonce != want {
			d.nonce++
			w.Header().Set("DPoP-Nonce", "n"+string(rune('0'+d.nonce)))
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `DPoP algs="ES256", error="use_dpop_nonce"`)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":"use_dpop_nonce","error_description":"nonce"}`))
			return false
		}
		return true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		if check(w, r, "", http.StatusBadRequest) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"AT","token_type":"DPoP","expires_in":60}`))
		}
	})
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "DPoP AT" {
			t.Errorf("Authorization %q, want DPoP AT", r.Header.Get("Authorization"))
		}
		if check(w, r, "AT", http.StatusUnauthorized) {
			_, _ = w.Write([]byte(`{"ok":true}`))
		}
	})
	d.srv = httptest.NewServer(mux)
	t.Cleanup(d.srv.Close)
	return d
}

func dpopClient(t *testing.T, d *dpopServer) *Client {
	t.Helper()
	k, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewDPoPSigner(k, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	return &Client{HTTP: &http.Client{Timeout: 5 * time.Second}, Now: func() time.Time { return testNow },
		Endpoints: Endpoints{Token: d.srv.URL + "/token"}, ClientID: "cli", AuthMethod: AuthNone, DPoP: s}
}

func TestDPoPTokenRetriesOnceWithNonce(t *testing.T) {
	d := newDPoPServer(t, false)
	c := dpopClient(t, d)
	tr, err := c.ClientCredentials(context.Background(), Grant{})
	if err != nil || tr.TokenType != "DPoP" {
		t.Fatalf("got %+v, %v; want a DPoP token after one nonce retry", tr, err)
	}
	if d.requests != 2 {
		t.Errorf("%d token requests, want 2 (one use_dpop_nonce, one retry)", d.requests)
	}
	// The resource: the nonce of the token endpoint's origin is reused,
	// and a resource nonce challenge is retried once too.
	ans, err := c.CallResource(context.Background(), http.MethodGet, d.srv.URL+"/api?q=1", "AT", nil)
	if err != nil || ans.Status != http.StatusOK || strings.TrimSpace(string(ans.Body)) != `{"ok":true}` {
		t.Fatalf("resource: %+v, %v", ans, err)
	}
	if d.requests != 3 {
		t.Errorf("%d requests in all, want 3: the resource accepted the nonce the token endpoint gave", d.requests)
	}
	for _, j := range d.jkts {
		if j != c.DPoP.JKT() {
			t.Errorf("a proof was signed by %s, want the client's key %s", j, c.DPoP.JKT())
		}
	}
}

func TestDPoPRetriesOnlyOnce(t *testing.T) {
	d := newDPoPServer(t, true)
	c := dpopClient(t, d)
	_, err := c.ClientCredentials(context.Background(), Grant{})
	var oe *OAuthError
	if err == nil || !errorsAs(err, &oe) || oe.Code != "use_dpop_nonce" {
		t.Fatalf("got %v, want the second use_dpop_nonce as an OAuth error", err)
	}
	if d.requests != 2 {
		t.Errorf("%d token requests, want exactly 2", d.requests)
	}
	ans, err := c.CallResource(context.Background(), http.MethodGet, d.srv.URL+"/api", "AT", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rerr := ans.Err("resource"); !errorsAs(rerr, &oe) || oe.Code != "use_dpop_nonce" || oe.Status != 401 {
		t.Errorf("resource: %v, want use_dpop_nonce (401) from the DPoP challenge", rerr)
	}
	if d.requests != 4 {
		t.Errorf("%d requests in all, want 4", d.requests)
	}
}

func TestResourceHeaders(t *testing.T) {
	d := newDPoPServer(t, false)
	c := dpopClient(t, d)
	auth, proof, err := c.ResourceHeaders(http.MethodPost, "https://api.example/items?x=1", "AT")
	if err != nil || auth != "DPoP AT" {
		t.Fatalf("%q, %v", auth, err)
	}
	p, err := dpop.Parse(proof)
	if err != nil || p.HTM != "POST" || p.HTU != "https://api.example/items" || p.ATH != dpop.ATH("AT") || p.Nonce != "" {
		t.Fatalf("proof %+v, %v", p, err)
	}
	c.DPoP = nil
	if auth, proof, _ := c.ResourceHeaders(http.MethodGet, "https://api.example/", "AT"); auth != "Bearer AT" || proof != "" {
		t.Errorf("without a key: %q %q", auth, proof)
	}
}

func TestAuthorizationURLSendsDPoPJKT(t *testing.T) {
	d := newDPoPServer(t, false)
	c := dpopClient(t, d)
	c.Endpoints.Authorization = d.srv.URL + "/authorize"
	raw, err := c.AuthorizationURL(AuthRequest{ResponseType: "code", RedirectURI: "http://127.0.0.1/cb", State: "s"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	if got := u.Query().Get("dpop_jkt"); got != c.DPoP.JKT() || len(got) != 43 {
		t.Errorf("dpop_jkt %q, want %s", got, c.DPoP.JKT())
	}
}

func TestNewDPoPSignerRefusesUnfitKeys(t *testing.T) {
	k, _ := keys.Generate(keys.Spec{Type: keys.TypeEC, Curve: "P-384"})
	if _, err := NewDPoPSigner(k, time.Now); err == nil || !strings.Contains(err.Error(), "ES384") {
		t.Errorf("P-384 key: %v, want a refusal naming ES384", err)
	}
	if _, err := NewDPoPSigner(&keys.Key{Public: k.Public}, time.Now); err == nil {
		t.Error("a public key was accepted")
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
