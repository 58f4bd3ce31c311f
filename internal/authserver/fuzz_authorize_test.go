package authserver

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

// The clients of FuzzAuthorizeRequest: a public one (PKCE required by the
// default policy), a confidential one that may also use the implicit grant
// and has loopback URIs, and one registered for client_credentials only.
var fuzzAuthzClients = []store.Client{
	{ID: "pub", AuthMethod: "none", Scopes: []string{"read", "openid"},
		RedirectURIs: []string{"https://app.example.test/cb", "http://127.0.0.1/cb", "http://[::1]:8080/cb?x=1"},
		GrantTypes:   []string{GrantAuthorizationCode, GrantRefreshToken}},
	{ID: "conf", AuthMethod: "client_secret_basic", SecretHash: dummySecretHash, Scopes: []string{"read", "write"},
		RedirectURIs: []string{"https://conf.example.test/cb", "http://127.0.0.1:9000"},
		GrantTypes:   []string{GrantAuthorizationCode, GrantImplicit}},
	{ID: "svc", AuthMethod: "client_secret_post", SecretHash: dummySecretHash, Scopes: []string{"read"},
		RedirectURIs: []string{"https://svc.example.test/cb"}, GrantTypes: []string{GrantClientCredentials}},
}

// loopbackURI splits a loopback IP redirect URI into the part before the
// port, the port, and the rest: RFC 8252 §7.3 written as a regular
// expression, an oracle independent of matchRedirectURI's string cutting.
var loopbackURI = regexp.MustCompile(`(?s)^(http://(?:127\.0\.0\.1|\[::1\]))(?::([1-9][0-9]{0,4}))?((?:[/?].*)?)$`)

// exactlyRegistered reports whether uri is one of registered, or a
// registered loopback IP URI with only the port changed (1–65535).
func exactlyRegistered(registered []string, uri string) bool {
	if slices.Contains(registered, uri) {
		return true
	}
	m := loopbackURI.FindStringSubmatch(uri)
	if m == nil {
		return false
	}
	if m[2] != "" {
		if p, err := strconv.Atoi(m[2]); err != nil || p > 65535 {
			return false
		}
	}
	for _, reg := range registered {
		if r := loopbackURI.FindStringSubmatch(reg); r != nil && r[1] == m[1] && r[3] == m[3] {
			return true
		}
	}
	return false
}

// FuzzAuthorizeRequest runs the authorization request parser
// (validateAuthorize) on arbitrary query strings. It never panics; a page
// error and a redirect error are never both set; and a request it accepts
// names a registered client, has a redirect URI registered for it exactly
// (docs/security.md rule 1), no repeated parameter (rule 5), a response type
// the client is registered for, either no PKCE challenge (allowed only for
// the confidential client) or a syntactically valid S256 one (rule 6), and
// a scope within the client's.
func FuzzAuthorizeRequest(f *testing.F) {
	const ch = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	for _, s := range []string{
		"response_type=code&client_id=pub&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcb&code_challenge=" + ch + "&code_challenge_method=S256&state=s",
		"response_type=code&client_id=pub&redirect_uri=http%3A%2F%2F127.0.0.1%3A51234%2Fcb&code_challenge=" + ch + "&code_challenge_method=S256",
		"response_type=code&client_id=pub&redirect_uri=http%3A%2F%2F%5B%3A%3A1%5D%2Fcb%3Fx%3D1&code_challenge=" + ch + "&code_challenge_method=S256",
		"response_type=code&client_id=pub&redirect_uri=http%3A%2F%2F127.0.0.1%3A0%2Fcb&code_challenge=" + ch + "&code_challenge_method=S256",
		"response_type=code&client_id=pub&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcb&code_challenge=" + ch + "&code_challenge_method=plain",
		"response_type=code&client_id=pub&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcb",
		"response_type=code&client_id=conf&scope=read+write",
		"response_type=code&client_id=conf&redirect_uri=http%3A%2F%2F127.0.0.1%3A80&scope=read",
		"response_type=code&client_id=conf&redirect_uri=http%3A%2F%2F127.0.0.1%3A9000%40evil.test",
		"response_type=token&client_id=conf&redirect_uri=https%3A%2F%2Fconf.example.test%2Fcb&response_mode=form_post",
		"response_type=token+id_token&client_id=conf&redirect_uri=https%3A%2F%2Fconf.example.test%2Fcb&scope=read&nonce=n",
		"response_type=code&client_id=svc",
		"response_type=code&response_type=token&client_id=conf",
		"response_type=code&client_id=pub&client_id=conf",
		"response_type=code&client_id=pub&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcb&code_challenge=" + ch + "&code_challenge_method=S256&prompt=none+login",
		"response_type=code&client_id=pub&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcb&code_challenge=" + ch + "&code_challenge_method=S256&scope=openid&max_age=-1&id_token_hint=a.b.c",
		"%zz&client_id=pub",
	} {
		f.Add(s)
	}
	st := memory.New()
	defer st.Close()
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		f.Fatal(err)
	}
	ks, err := NewKeySet(key)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	srv, err := New(Settings{Issuer: testIssuer, AccessTokenTTL: time.Minute, RefreshTokenTTL: time.Hour, CodeTTL: time.Minute},
		Options{Store: st, Keys: ks, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	byID := map[string]store.Client{}
	for _, c := range fuzzAuthzClients {
		if err := st.Clients().Put(ctx, c); err != nil {
			f.Fatal(err)
		}
		byID[c.ID] = c
	}

	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return // the handler answers a malformed query with a page before parsing
		}
		q, page, oauthErr := srv.validateAuthorize(ctx, v)
		switch {
		case page != nil && oauthErr != nil:
			t.Fatalf("query %q: both a page and a redirect error", query)
		case page != nil:
			if page.Status < 400 || page.Status >= 600 {
				t.Fatalf("query %q: error page with status %d", query, page.Status)
			}
			return
		case q == nil:
			t.Fatalf("query %q: no request, no error", query)
		}
		c, ok := byID[v.Get("client_id")]
		if !ok || q.Client.ID != c.ID || len(v["client_id"]) != 1 {
			t.Fatalf("query %q: validated for client %q", query, q.Client.ID)
		}
		if !exactlyRegistered(c.RedirectURIs, q.RedirectURI) {
			t.Fatalf("query %q: redirect URI %q is not registered for %s", query, q.RedirectURI, c.ID)
		}
		if oauthErr != nil {
			if oauthErr.Code == "" || oauthErr.Status != 400 {
				t.Fatalf("query %q: redirect error %+v", query, oauthErr)
			}
			return
		}
		// Accepted.
		for name, vs := range v {
			if len(vs) != 1 {
				t.Fatalf("query %q: accepted with %q repeated", query, name)
			}
		}
		if raw := v.Get("redirect_uri"); raw != "" && raw != q.RedirectURI {
			t.Fatalf("query %q: redirect_uri %q became %q", query, raw, q.RedirectURI)
		}
		wantGrant := GrantImplicit
		switch q.ResponseType {
		case ResponseTypeCode:
			wantGrant = GrantAuthorizationCode
		case ResponseTypeToken, ResponseTypeIDToken, ResponseTypeIDTokenToken:
		default:
			t.Fatalf("query %q: accepted response_type %q", query, q.ResponseType)
		}
		if !hasGrant(c, wantGrant) {
			t.Fatalf("query %q: response_type %q accepted for client %s without the %s grant", query, q.ResponseType, c.ID, wantGrant)
		}
		switch {
		case q.Challenge == "" && q.Method == "":
			if q.ResponseType == ResponseTypeCode && isPublic(c) {
				t.Fatalf("query %q: public client without PKCE accepted", query)
			}
		case q.Method != PKCEMethodS256 || !pkceSyntax.MatchString(q.Challenge) || q.ResponseType != ResponseTypeCode:
			t.Fatalf("query %q: accepted challenge %q method %q for %q", query, q.Challenge, q.Method, q.ResponseType)
		}
		if q.Challenge != v.Get("code_challenge") {
			t.Fatalf("query %q: challenge %q is not the one sent", query, q.Challenge)
		}
		for _, sc := range strings.Fields(q.Scope) {
			if !slices.Contains(c.Scopes, sc) {
				t.Fatalf("query %q: scope %q granted to %s", query, sc, c.ID)
			}
		}
		switch q.Mode {
		case ModeQuery:
			if isImplicit(q.ResponseType) {
				t.Fatalf("query %q: tokens in the query", query)
			}
		case ModeFragment, ModeFormPost:
		default:
			t.Fatalf("query %q: response mode %q", query, q.Mode)
		}
	})
}
