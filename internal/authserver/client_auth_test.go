package authserver

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
)

// Rule 16: client_secret_basic with form-encoded id and secret, the
// one-method rule, malformed Basic, the registered method only, public
// clients.
func TestClientAuthentication(t *testing.T) {
	e := newEnv(t)
	const oddID, oddSecret = "my client:1/é+%", "p@ss:w0rd+&=% /é\"\\"
	e.addClient(store.Client{ID: oddID, AuthMethod: "client_secret_basic", Scopes: []string{"read"},
		GrantTypes: []string{GrantClientCredentials}}, oddSecret)
	e.addClient(store.Client{ID: "pub-cc", AuthMethod: "none", Scopes: []string{"read"},
		GrantTypes: []string{GrantClientCredentials}}, "")
	const plusSecret = "a+b-0123456789abcdef"
	e.addClient(store.Client{ID: "plus", AuthMethod: "client_secret_basic", Scopes: []string{"read"},
		GrantTypes: []string{GrantClientCredentials}}, plusSecret)
	rawBasic := func(v string) auth {
		return func(r *http.Request, _ url.Values) { r.Header.Set("Authorization", v) }
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	both := func(a, b auth) auth {
		return func(r *http.Request, f url.Values) { a(r, f); b(r, f) }
	}
	cc := form("grant_type", GrantClientCredentials)

	tests := []struct {
		name      string
		auth      auth
		status    int
		code      string // "" for success
		challenge bool
	}{
		{"Basic with form-encoded special characters", basicAuth(oddID, oddSecret), 200, "", false},
		{"Basic, case-insensitive scheme", rawBasic("bAsIc " + b64(url.QueryEscape(webID)+":"+url.QueryEscape(webSecret))), 200, "", false},
		{"Basic with a raw '%' in the secret", rawBasic("Basic " + b64(url.QueryEscape(oddID)+":"+oddSecret)), 400, ErrInvalidRequest, false},
		{"Basic with a raw '+' in the secret", rawBasic("Basic " + b64("plus:"+plusSecret)), 401, ErrInvalidClient, true},
		{"Basic with the '+' form-encoded", basicAuth("plus", plusSecret), 200, "", false},
		{"post", svcAuth, 200, "", false},
		{"Basic and a body secret", both(webAuth, func(_ *http.Request, f url.Values) { f.Set("client_secret", webSecret) }), 400, ErrInvalidRequest, false},
		{"Basic and another body client_id", both(webAuth, func(_ *http.Request, f url.Values) { f.Set("client_id", svcID) }), 400, ErrInvalidRequest, false},
		{"Basic and the same body client_id", both(webAuth, func(_ *http.Request, f url.Values) { f.Set("client_id", webID) }), 200, "", false},
		{"malformed Basic: not base64", rawBasic("Basic !!!not-base64"), 400, ErrInvalidRequest, false},
		{"malformed Basic: no colon", rawBasic("Basic " + b64("web")), 400, ErrInvalidRequest, false},
		{"malformed Basic: empty id", rawBasic("Basic " + b64(":"+webSecret)), 400, ErrInvalidRequest, false},
		{"malformed Basic: empty", rawBasic("Basic"), 400, ErrInvalidRequest, false},
		{"malformed Basic: bad percent-encoding", rawBasic("Basic " + b64("web%zz:"+webSecret)), 400, ErrInvalidRequest, false},
		{"Basic client uses post", postAuth(webID, webSecret), 401, ErrInvalidClient, false},
		{"Basic client uses none", noneAuth(webID), 401, ErrInvalidClient, false},
		{"post client uses Basic", basicAuth(svcID, svcSecret), 401, ErrInvalidClient, true},
		{"public client sends a secret", postAuth(cliID, "anything"), 401, ErrInvalidClient, false},
		{"public client sends Basic", basicAuth(cliID, "anything"), 401, ErrInvalidClient, true},
		{"the stored hash is not the secret", basicAuth(webID, (&hashing.Hasher{}).Hash(webSecret)), 401, ErrInvalidClient, true},
		{"public client not registered for client_credentials", cliAuth, 400, ErrUnauthorizedClient, false},
		{"public client registered for client_credentials", noneAuth("pub-cc"), 400, ErrUnauthorizedClient, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			r := e.post("/token", cc, tt.auth)
			switch {
			case tt.code == "":
				e.mustTokens(r)
			default:
				wantError(t, r, tt.status, tt.code)
				if got := r.header.Get("WWW-Authenticate") != ""; got != tt.challenge {
					t.Fatalf("WWW-Authenticate %q, challenge wanted: %v", r.header.Get("WWW-Authenticate"), tt.challenge)
				}
			}
		})
	}
}

// Rule 16: a public client authenticates with client_id alone for the
// authorization_code and refresh_token grants.
func TestPublicClientCodeAndRefresh(t *testing.T) {
	e := newEnv(t)
	tok := e.codeGrant(cliID, cliAuth)
	next := e.mustTokens(e.refresh(tok.refresh, cliAuth))
	e.wantProtectedOK(next.access)
}

// Rule 17: secrets are compared through their stored hash, whatever its
// algorithm (a sha512 secret_hash works under sha256 token hashing).
func TestClientSecretHashAlgorithms(t *testing.T) {
	e := newEnv(t)
	h512, err := hashing.New("sha512", "")
	if err != nil {
		t.Fatal(err)
	}
	c := store.Client{ID: "s512", AuthMethod: "client_secret_basic", Scopes: []string{"read"},
		GrantTypes: []string{GrantClientCredentials}, SecretHash: h512.Hash("s512-secret-0123456789")}
	if err := e.store.Clients().Put(e.ctx(), c); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.SecretHash, "s512-secret") || !strings.HasPrefix(c.SecretHash, "sha512:") {
		t.Fatalf("unexpected stored form %q", c.SecretHash)
	}
	cc := form("grant_type", GrantClientCredentials)
	e.mustTokens(e.post("/token", cc, basicAuth("s512", "s512-secret-0123456789")))
	wantError(t, e.post("/token", cc, basicAuth("s512", "s512-secret-012345678")), 401, ErrInvalidClient)
	wantError(t, e.post("/token", cc, basicAuth("s512", c.SecretHash)), 401, ErrInvalidClient)
}

// Rule 17: refresh tokens and opaque access tokens carry at least 128 bits
// of randomness: base64url of ≥ 16 bytes, all different.
func TestGeneratedTokenEntropy(t *testing.T) {
	e := newEnv(t, withSettings(func(s *Settings) { s.Format = FormatOpaque }))
	seen := map[string]bool{}
	for range 5 {
		tok := e.codeGrant(webID, webAuth)
		for _, v := range []string{tok.access, tok.refresh} {
			raw, err := base64.RawURLEncoding.DecodeString(v)
			if err != nil {
				t.Fatalf("token %q is not base64url: %v", v, err)
			}
			if len(raw) < 16 {
				t.Fatalf("token %q has %d bytes, want ≥ 16", v, len(raw))
			}
			if seen[v] {
				t.Fatalf("token %q issued twice", v)
			}
			seen[v] = true
		}
		e.wantProtectedOK(tok.access)
	}
}
