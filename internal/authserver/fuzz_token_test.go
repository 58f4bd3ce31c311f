package authserver

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

// Fixed values of FuzzTokenRequest, so that the fuzzer can find the
// successful paths: a code of web's and one of cli's, both bound to
// fuzzVerifier.
const (
	fuzzCodeWeb  = "fuzz-code-web-0123456789abcdefghijklmnop"
	fuzzCodeCli  = "fuzz-code-cli-0123456789abcdefghijklmnop"
	fuzzVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)

// knownErrorCodes are the error codes a /token answer may carry
// (RFC 6749 §5.2, and temporarily_unavailable for a store that is down or
// a throttled password grant).
var knownErrorCodes = []string{ErrInvalidRequest, ErrInvalidClient, ErrInvalidGrant, ErrUnauthorizedClient,
	ErrUnsupportedGrantType, ErrInvalidScope, ErrTemporarilyUnavailable}

// fuzzTokenEnv is one server for the whole fuzz run; its store is replaced
// before every input, so that each input meets the same state (fresh codes,
// nothing issued yet).
type fuzzTokenEnv struct {
	srv    *Server
	h      http.Handler
	fs     *flakyStore
	hasher *hashing.Hasher
	now    time.Time
}

func newFuzzTokenEnv(f *testing.F) *fuzzTokenEnv {
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		f.Fatal(err)
	}
	ks, err := NewKeySet(key)
	if err != nil {
		f.Fatal(err)
	}
	e := &fuzzTokenEnv{fs: newFlakyStore(memory.New()), hasher: &hashing.Hasher{},
		now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	e.srv, err = New(Settings{Issuer: testIssuer, AccessTokenTTL: time.Minute, RefreshTokenTTL: time.Hour, CodeTTL: time.Minute},
		Options{Store: e.fs, Hasher: e.hasher, Keys: ks, Now: func() time.Time { return e.now }})
	if err != nil {
		f.Fatal(err)
	}
	e.h = e.srv.Handler()
	return e
}

// reset gives the server a fresh store holding the fixture clients, user
// and codes.
func (e *fuzzTokenEnv) reset(t *testing.T) {
	_ = e.fs.Store.Close()
	e.fs.Store = memory.New() // execs of one worker run one after the other
	e.fs.heal()
	ctx := context.Background()
	both := []string{"read", "write"}
	clients := []struct {
		c      store.Client
		secret string
	}{
		{store.Client{ID: webID, AuthMethod: "client_secret_basic", Scopes: both, RedirectURIs: []string{testRedirect},
			GrantTypes: []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, GrantPassword}}, webSecret},
		{store.Client{ID: svcID, AuthMethod: "client_secret_post", Scopes: both, RedirectURIs: []string{testRedirect},
			GrantTypes: []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials}}, svcSecret},
		{store.Client{ID: cliID, AuthMethod: "none", Scopes: both, RedirectURIs: []string{testRedirect},
			GrantTypes: []string{GrantAuthorizationCode, GrantRefreshToken}}, ""},
	}
	for _, c := range clients {
		if c.secret != "" {
			c.c.SecretHash = e.hasher.Hash(c.secret)
		}
		if err := e.fs.Clients().Put(ctx, c.c); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.fs.Users().Put(ctx, store.User{Username: "alice", Subject: aliceSub}); err != nil {
		t.Fatal(err)
	}
	for client, code := range map[string]string{webID: fuzzCodeWeb, cliID: fuzzCodeCli} {
		rec := store.Code{Hash: e.hasher.Hash(code), ClientID: client, RedirectURI: testRedirect, Scope: "read write",
			Subject: aliceSub, AuthTime: e.now, ExpiresAt: e.now.Add(time.Minute),
			CodeChallenge: pkceChallenge(fuzzVerifier), ChallengeMethod: PKCEMethodS256}
		if err := e.fs.Codes().Create(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
}

// validClientAuth is the test's own reading of the request's client
// authentication (RFC 6749 §2.3.1), independent of clientauth: which
// fixture client, if any, proved who it is.
func validClientAuth(authz string, form url.Values) string {
	// RFC 9110 §5.5: no surrounding whitespace; §11.1: the scheme is
	// case-insensitive, followed by one or more spaces. Another scheme is
	// not client authentication and is ignored (clientauth.FromRequest).
	scheme, raw, _ := strings.Cut(strings.Trim(authz, " \t"), " ")
	if strings.EqualFold(strings.TrimRight(scheme, "\t"), "Basic") {
		if raw == "" || form.Has("client_secret") {
			return ""
		}
		raw = strings.TrimLeft(raw, " ")
		// Padding is optional (clientauth tolerates its absence), and the
		// unused low bits of the last character are ignored, as
		// encoding/base64 does: neither changes the credentials sent.
		dec, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(raw, "="))
		if err != nil {
			return ""
		}
		id, secret, ok := strings.Cut(string(dec), ":")
		if !ok {
			return ""
		}
		id, err1 := url.QueryUnescape(id)
		secret, err2 := url.QueryUnescape(secret)
		if err1 == nil && err2 == nil && id == webID && secret == webSecret &&
			(!form.Has("client_id") || slices.Equal(form["client_id"], []string{webID})) {
			return webID
		}
		return ""
	}
	switch {
	case slices.Equal(form["client_id"], []string{svcID}) && slices.Equal(form["client_secret"], []string{svcSecret}):
		return svcID
	case slices.Equal(form["client_id"], []string{cliID}) && !form.Has("client_secret"):
		return cliID
	}
	return ""
}

// safeDescription reports whether s uses only the characters RFC 6749
// §5.2 allows in error_description.
func safeDescription(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// FuzzTokenRequest posts an arbitrary form body and Authorization header to
// /token, in-process, optionally with the store down. Nothing panics; the
// status is 200, a 4xx, or 503 only while the store is down; every non-200
// is RFC 6749 §5.2 JSON with a known error code, a clean description and
// Cache-Control: no-store; and a 200 carries a token only for a client that
// authenticated correctly (and, for a code, sent its PKCE verifier).
func FuzzTokenRequest(f *testing.F) {
	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
	}
	webBasic := basic(webID, webSecret)
	for _, s := range []struct {
		body, authz string
		down        bool
	}{
		{"grant_type=client_credentials", webBasic, false},
		{"grant_type=client_credentials&scope=read", webBasic, true},
		{"grant_type=client_credentials&client_id=svc&client_secret=" + svcSecret, "", false},
		{"grant_type=client_credentials&client_id=svc&client_secret=wrong", "", false},
		{"grant_type=client_credentials&scope=admin", webBasic, false},
		{"grant_type=authorization_code&code=" + fuzzCodeWeb + "&redirect_uri=" + url.QueryEscape(testRedirect) + "&code_verifier=" + fuzzVerifier, webBasic, false},
		{"grant_type=authorization_code&code=" + fuzzCodeCli + "&redirect_uri=" + url.QueryEscape(testRedirect) + "&code_verifier=" + fuzzVerifier + "&client_id=cli", "", false},
		{"grant_type=authorization_code&code=" + fuzzCodeCli + "&redirect_uri=" + url.QueryEscape(testRedirect) + "&code_verifier=" + fuzzVerifier[1:] + "A&client_id=cli", "", false},
		{"grant_type=authorization_code&code=" + fuzzCodeCli + "&code_verifier=short&client_id=cli", "", true},
		{"grant_type=refresh_token&refresh_token=abc&client_id=cli", "", false},
		{"grant_type=password&username=alice&password=x", webBasic, false},
		{"grant_type=client_credentials&grant_type=password", webBasic, false},
		{"grant_type=client_credentials", "Basic !!!", false},
		{"grant_type=client_credentials", "Basic " + base64.StdEncoding.EncodeToString([]byte("web:web-secret-0123456789")), false},
		{"grant_type=client_credentials", basic(webID, webSecret) + " ", false},
		{"grant_type=client_credentials", "Bearer x", false},
		{"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&client_id=cli", "", false},
		{"%zz", webBasic, false},
		{"", "", false},
	} {
		f.Add(s.body, s.authz, s.down)
	}
	e := newFuzzTokenEnv(f)

	f.Fuzz(func(t *testing.T, body, authz string, storeDown bool) {
		e.reset(t)
		if storeDown {
			e.fs.fail("*")
		}
		req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if authz != "" {
			req.Header["Authorization"] = []string{authz}
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)

		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("status %d, body is not a JSON object: %q", rec.Code, rec.Body.String())
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("status %d: Cache-Control %q", rec.Code, cc)
		}
		if rec.Code == http.StatusOK {
			form, err := url.ParseQuery(body)
			if err != nil {
				t.Fatalf("200 for a body that is not form encoding: %q", body)
			}
			if storeDown {
				t.Fatalf("200 with the store down: %s", rec.Body.String())
			}
			client := validClientAuth(authz, form)
			if client == "" {
				t.Fatalf("token issued without valid client authentication: body %q, Authorization %q", body, authz)
			}
			if at, _ := m["access_token"].(string); at == "" {
				t.Fatalf("200 without access_token: %s", rec.Body.String())
			}
			switch form.Get("grant_type") {
			case GrantClientCredentials:
				if client == cliID {
					t.Fatal("client_credentials for a public client")
				}
				if _, has := m["refresh_token"]; has {
					t.Fatal("client_credentials issued a refresh token (docs/security.md rule 15)")
				}
			case GrantAuthorizationCode:
				want := map[string]string{webID: fuzzCodeWeb, cliID: fuzzCodeCli}[client]
				if form.Get("code") != want || form.Get("code_verifier") != fuzzVerifier {
					t.Fatalf("code %q redeemed by %s with verifier %q", form.Get("code"), client, form.Get("code_verifier"))
				}
			default:
				t.Fatalf("grant_type %q issued a token", form.Get("grant_type"))
			}
			return
		}
		code, _ := m["error"].(string)
		switch {
		case rec.Code == http.StatusServiceUnavailable:
			if !storeDown || code != ErrTemporarilyUnavailable {
				t.Fatalf("503 (error %q) with the store down=%v", code, storeDown)
			}
		case rec.Code >= 500:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		case rec.Code < 400:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		if !slices.Contains(knownErrorCodes, code) {
			t.Fatalf("status %d: unknown error %q in %s", rec.Code, code, rec.Body.String())
		}
		if _, has := m["access_token"]; has {
			t.Fatalf("error answer with a token: %s", rec.Body.String())
		}
		if d, _ := m["error_description"].(string); !safeDescription(d) {
			t.Fatalf("error_description with characters RFC 6749 §5.2 forbids: %q", d)
		}
		if code == ErrInvalidClient && rec.Code != http.StatusUnauthorized {
			t.Fatalf("invalid_client with status %d", rec.Code)
		}
	})
}
