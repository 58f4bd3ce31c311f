package authserver

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

// FuzzAuthorizeRedirectTarget sends arbitrary query strings to /authorize
// (auto-approve on, so every path through the endpoint is reachable
// without pages) and checks the open-redirect rule: a response either has
// no Location, or one that goes to this server's login/consent pages or to
// a redirect URI registered for the client (docs/security.md rules 1–2). A page
// is HTML with the rule 8 headers; nothing panics.
func FuzzAuthorizeRedirectTarget(f *testing.F) {
	for _, s := range []string{
		"response_type=code&client_id=web&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcb&state=x",
		"response_type=code&client_id=web&redirect_uri=http%3A%2F%2F127.0.0.1%3A999%2Fcallback",
		"response_type=code&client_id=web&redirect_uri=http%3A%2F%2F127.0.0.1%40evil%2Fcallback",
		"response_type=token&client_id=spa&redirect_uri=https%3A%2F%2Fspa.example.test%2Fcb&response_mode=form_post",
		"client_id=web&client_id=spa",
		"response_type=code&client_id=web&redirect_uri=https%3A%2F%2Fapp.example.test%2Fq%3Ftenant%3D1&prompt=none",
		"%zz",
	} {
		f.Add(s)
	}
	st := memory.New()
	defer st.Close()
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		f.Fatal(err)
	}
	ks, _ := NewKeySet(key)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	srv, err := New(Settings{Issuer: "https://as.example.test", AccessTokenTTL: time.Minute, RefreshTokenTTL: time.Hour,
		CodeTTL: time.Minute, AutoApproveUser: "u"}, Options{Store: st, Keys: ks, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	clients := map[string][]string{
		"web": {"https://app.example.test/cb", "http://127.0.0.1/callback", "https://app.example.test/q?tenant=1"},
		"spa": {"https://spa.example.test/cb"},
	}
	for id, uris := range clients {
		_ = st.Clients().Put(ctx, store.Client{ID: id, AuthMethod: "none", RedirectURIs: uris, Scopes: []string{"a"},
			GrantTypes: []string{GrantAuthorizationCode, GrantImplicit}})
	}
	_ = st.Users().Put(ctx, store.User{Username: "u", Subject: "u"})
	h := srv.Handler()

	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/authorize", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		loc := rec.Header().Get("Location")
		if loc == "" {
			if _, action, ok := strings.Cut(rec.Body.String(), `<form method="post" action="`); ok {
				action, _, _ = strings.Cut(action, `"`)
				action = html.UnescapeString(action)
				for _, uris := range clients {
					if matchRedirectURI(uris, action) {
						return
					}
				}
				t.Fatalf("query %q: form_post to %q", query, action)
			}
			if rec.Header().Get("X-Frame-Options") != "DENY" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("page without the rule 8 headers: %d %v", rec.Code, rec.Header())
			}
			return
		}
		if rec.Code != http.StatusFound {
			t.Fatalf("redirect with status %d", rec.Code)
		}
		base := loc
		if i := strings.IndexAny(base, "?#"); i >= 0 {
			base = base[:i]
		}
		for _, uris := range clients {
			for _, reg := range uris {
				if strings.HasPrefix(loc, reg) && len(loc) > len(reg) && strings.ContainsRune("?&#", rune(loc[len(reg)])) {
					return
				}
			}
			if matchRedirectURI(uris, base) {
				return
			}
		}
		t.Fatalf("query %q redirected to %q", query, loc)
	})
}
