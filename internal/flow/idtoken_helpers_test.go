package flow

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// oidcAccessToken is the access token the fake OpenID provider hands out.
const oidcAccessToken = "jHkWEdUXMU1BwAsC4vtUsZwnN1KvZFxnAK3VmQXq8nY"

// oidcAS is a fake OpenID provider: /authorize redirects with a code and
// remembers the nonce, /token answers an access token and the ID token that
// idToken makes for that nonce, /jwks.json publishes jwks.
type oidcAS struct {
	srv        *httptest.Server
	tokenCalls atomic.Int32
	jwksCalls  atomic.Int32

	mu      sync.Mutex
	nonce   string // of the last /authorize request
	idToken func(nonce string) string
	jwks    []byte
	// fragment: answer /authorize in the fragment with the token response
	// itself (implicit), for response types other than code.
	fragment bool
}

func newOIDCAS(t *testing.T, published ...*keys.Key) *oidcAS {
	t.Helper()
	as := &oidcAS{}
	set := keys.JWKS{}
	for _, k := range published {
		j, err := k.PublicJWK()
		if err != nil {
			t.Fatal(err)
		}
		j.Kid = k.KID
		set.Keys = append(set.Keys, j)
	}
	as.jwks, _ = json.Marshal(set)
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		as.mu.Lock()
		as.nonce = q.Get("nonce")
		mk := as.idToken
		as.mu.Unlock()
		params := url.Values{"state": {q.Get("state")}, "iss": {as.srv.URL}}
		u := q.Get("redirect_uri")
		if as.fragment {
			params.Set("id_token", mk(q.Get("nonce")))
			if q.Get("response_type") == "id_token token" {
				params.Set("access_token", oidcAccessToken)
				params.Set("token_type", "Bearer")
			}
			http.Redirect(w, r, u+"#"+params.Encode(), http.StatusFound)
			return
		}
		params.Set("code", "the-code")
		http.Redirect(w, r, u+"?"+params.Encode(), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		as.tokenCalls.Add(1)
		as.mu.Lock()
		nonce, mk := as.nonce, as.idToken
		as.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": oidcAccessToken, "token_type": "Bearer",
			"expires_in": 60, "id_token": mk(nonce)})
	})
	mux.HandleFunc("/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		as.jwksCalls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(as.jwks)
	})
	as.srv = httptest.NewServer(mux)
	t.Cleanup(as.srv.Close)
	return as
}

func (as *oidcAS) setIDToken(f func(nonce string) string) {
	as.mu.Lock()
	defer as.mu.Unlock()
	as.idToken = f
}

func (as *oidcAS) client() *Client {
	return &Client{
		HTTP: &http.Client{Timeout: 5 * time.Second},
		Now:  func() time.Time { return testNow },
		Endpoints: Endpoints{Issuer: as.srv.URL, Authorization: as.srv.URL + "/authorize",
			Token: as.srv.URL + "/token", JWKS: as.srv.URL + "/jwks.json", IssParameter: true},
		ClientID: "cli", AuthMethod: AuthNone,
	}
}

// testKey makes a key with a kid; EC P-256 unless typ says otherwise.
func testKey(t *testing.T, typ, kid string) *keys.Key {
	t.Helper()
	k, err := keys.Generate(keys.Spec{Type: typ})
	if err != nil {
		t.Fatal(err)
	}
	k.KID = kid
	return k
}

// idClaims are good claims for client cli from issuer iss at testNow.
func idClaims(iss, nonce string) map[string]any {
	c := map[string]any{"iss": iss, "sub": "alice", "aud": "cli", "iat": testNow.Unix(),
		"exp": testNow.Add(time.Hour).Unix(), "auth_time": testNow.Unix()}
	if nonce != "" {
		c["nonce"] = nonce
	}
	return c
}

func signID(t *testing.T, k *keys.Key, claims map[string]any) string {
	t.Helper()
	s, err := token.Sign(claims, k, token.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// unsignedJWT builds header.payload.signature from raw parts.
func unsignedJWT(header string, claims map[string]any, sig string) string {
	payload, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc(payload) + "." + sig
}
