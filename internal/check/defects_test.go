package check_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oauthkit/oauthkit/internal/check"
)

// TestCleanServerPassesEverything: against the real authserver with every
// client, strict, every check of the catalogue passes; none is skipped
// and none sends more than MaxRequestsPerCheck requests.
func TestCleanServerPassesEverything(t *testing.T) {
	s := startServer(t, nil)
	reports := runAll(t, s.config())
	if len(reports) != len(check.Catalogue()) {
		t.Fatalf("%d reports for %d checks", len(reports), len(check.Catalogue()))
	}
	for _, r := range reports {
		if r.Result != check.Pass || r.Warning != "" {
			t.Errorf("%s: %s %s%s\n%s", r.ID, r.Result, r.Reason, r.Warning, r.Evidence)
		}
		// A check that reads what an earlier one fetched sends none.
		if r.Requests > check.MaxRequestsPerCheck {
			t.Errorf("%s sent %d requests, more than %d", r.ID, r.Requests, check.MaxRequestsPerCheck)
		}
	}
}

// Each planted defect breaks one rule; the run reports exactly the check
// of that rule failing, with evidence.
func TestPlantedDefects(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap wrapper
		want string
	}{
		{"reusable code", reusableCode(), "authz.code-single-use"},
		{"prefix-matched redirect URI", prefixRedirect, "authz.redirect-exact"},
		{"plain PKCE accepted", plainPKCE, "authz.pkce-plain"},
		{"refresh without rotation", noRotation(), "refresh.rotation"},
		{"no Cache-Control: no-store", noStore, "token.no-store"},
		{"alg none access token", algNone(), "jwt.no-alg-none"},
		{"no WWW-Authenticate on 401", noChallenge, "token.invalid-client-basic"},
		{"no iss in the authorization response", noIss, "authz.response"},
		{"wrong issuer in the metadata", wrongIssuer, "discovery.issuer-exact"},
		{"a refresh grants a wider scope", widerScope, "refresh.scope-no-widen"},
		{"another client redeems the code", asApp("authorization_code", "/token"), "authz.code-bound-client"},
		{"another client revokes the token", asApp("", "/revoke"), "revoke.other-client"},
		{"a rotated-out refresh token accepted", reuseAccepted(), "refresh.reuse-detected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, tc.wrap)
			reports := runAll(t, s.config())
			failed := ids(reports, check.Fail)
			if !slices.Equal(failed, []string{tc.want}) {
				t.Fatalf("failed: %q, want exactly [%s]", failed, tc.want)
			}
			for _, r := range reports {
				if strings.Contains(r.Evidence, appSecret) || strings.Contains(r.Evidence, otherSecret) || strings.Contains(r.Evidence, `"access_token":"ey`) {
					t.Errorf("%s: the evidence shows a secret or a token:\n%s", r.ID, r.Evidence)
				}
				if r.ID == tc.want && (r.Reason == "" || !strings.Contains(r.Evidence, "> ")) {
					t.Errorf("%s failed without a reason or evidence: %q\n%s", r.ID, r.Reason, r.Evidence)
				}
			}
		})
	}
}

// A SHOULD not met is a warning without --strict: result pass, the
// warning set, nothing failed.
func TestShouldIsWarningUnlessStrict(t *testing.T) {
	s := startServer(t, noRotation())
	cfg := s.config()
	cfg.Strict = false
	reports := runAll(t, cfg)
	if failed := ids(reports, check.Fail); len(failed) != 0 {
		t.Fatalf("failed without --strict: %q", failed)
	}
	for _, r := range reports {
		if r.ID == "refresh.rotation" && (r.Result != check.Pass || !strings.Contains(r.Warning, "no new refresh token")) {
			t.Errorf("refresh.rotation: result %s, warning %q; want pass with the warning", r.Result, r.Warning)
		}
	}
}

func isPath(r *http.Request, method, path string) bool {
	return r.Method == method && r.URL.Path == path
}

// reusableCode answers a second redemption of a code with the first answer.
func reusableCode() wrapper {
	var mu sync.Mutex
	seen := map[string]*recorder{}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !isPath(r, http.MethodPost, "/token") {
				next.ServeHTTP(w, r)
				return
			}
			form, _ := url.ParseQuery(string(formOf(r)))
			code := form.Get("code")
			mu.Lock()
			prev := seen[code]
			mu.Unlock()
			if form.Get("grant_type") == "authorization_code" && prev != nil {
				prev.send(w, prev.body.Bytes())
				return
			}
			rec := serve(next, r)
			if form.Get("grant_type") == "authorization_code" && rec.status == http.StatusOK {
				mu.Lock()
				seen[code] = rec
				mu.Unlock()
			}
			rec.send(w, rec.body.Bytes())
		})
	}
}

// prefixRedirect accepts any redirect_uri that starts with a registered one.
func prefixRedirect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		asked := q.Get("redirect_uri")
		if r.URL.Path != "/authorize" || asked == redirectURI || !strings.HasPrefix(asked, redirectURI) {
			next.ServeHTTP(w, r)
			return
		}
		q.Set("redirect_uri", redirectURI)
		r.URL.RawQuery = q.Encode()
		rec := serve(next, r)
		if loc := rec.header.Get("Location"); strings.HasPrefix(loc, redirectURI) {
			rest := strings.TrimPrefix(loc, redirectURI)
			base, _, _ := strings.Cut(asked, "#")
			if strings.Contains(base, "?") {
				rest = "&" + strings.TrimPrefix(rest, "?")
			}
			rec.header.Set("Location", base+rest)
		}
		rec.send(w, rec.body.Bytes())
	})
}

// plainPKCE turns a plain challenge into the S256 one of the same
// verifier, so the server accepts plain.
func plainPKCE(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path == "/authorize" && q.Get("code_challenge_method") == "plain" {
			sum := sha256.Sum256([]byte(q.Get("code_challenge")))
			q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
			q.Set("code_challenge_method", "S256")
			r.URL.RawQuery = q.Encode()
		}
		next.ServeHTTP(w, r)
	})
}

// noRotation hands the client back the refresh token it presented and
// keeps the server's new one to itself.
func noRotation() wrapper {
	var mu sync.Mutex
	latest := map[string]string{} // as the client knows it -> the server's current one
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !isPath(r, http.MethodPost, "/token") {
				next.ServeHTTP(w, r)
				return
			}
			form, _ := url.ParseQuery(string(formOf(r)))
			presented := form.Get("refresh_token")
			if form.Get("grant_type") != "refresh_token" {
				next.ServeHTTP(w, r)
				return
			}
			mu.Lock()
			if cur, ok := latest[presented]; ok {
				form.Set("refresh_token", cur)
			}
			mu.Unlock()
			body := form.Encode()
			r.Body = readCloser(body)
			r.ContentLength = int64(len(body))
			rec := serve(next, r)
			var obj map[string]any
			if rec.status == http.StatusOK && json.Unmarshal(rec.body.Bytes(), &obj) == nil {
				if next, ok := obj["refresh_token"].(string); ok {
					mu.Lock()
					latest[presented] = next
					mu.Unlock()
					obj["refresh_token"] = presented
					out, _ := json.Marshal(obj)
					rec.send(w, out)
					return
				}
			}
			rec.send(w, rec.body.Bytes())
		})
	}
}

// noStore drops Cache-Control from token responses.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isPath(r, http.MethodPost, "/token") {
			next.ServeHTTP(w, r)
			return
		}
		rec := serve(next, r)
		rec.header.Del("Cache-Control")
		rec.header.Del("Pragma")
		rec.send(w, rec.body.Bytes())
	})
}

// algNone replaces the access token of the first client credentials
// answer (the one the jwt checks read) with an unsigned copy (alg none).
func algNone() wrapper {
	var once sync.Once
	return func(next http.Handler) http.Handler {
		return algNoneOnce(next, &once)
	}
}

func algNoneOnce(next http.Handler, once *sync.Once) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isPath(r, http.MethodPost, "/token") {
			next.ServeHTTP(w, r)
			return
		}
		form, _ := url.ParseQuery(string(formOf(r)))
		rec := serve(next, r)
		var obj map[string]any
		if form.Get("grant_type") == "client_credentials" && rec.status == http.StatusOK && json.Unmarshal(rec.body.Bytes(), &obj) == nil {
			changed := false
			once.Do(func() {
				parts := strings.Split(obj["access_token"].(string), ".")
				header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`))
				obj["access_token"] = header + "." + parts[1] + "."
				changed = true
			})
			if changed {
				out, _ := json.Marshal(obj)
				rec.send(w, out)
				return
			}
		}
		rec.send(w, rec.body.Bytes())
	})
}

// noChallenge drops WWW-Authenticate from the token endpoint's 401.
func noChallenge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isPath(r, http.MethodPost, "/token") {
			next.ServeHTTP(w, r)
			return
		}
		rec := serve(next, r)
		rec.header.Del("WWW-Authenticate")
		rec.send(w, rec.body.Bytes())
	})
}

// noIss drops iss from authorization responses (the metadata still
// advertises it).
func noIss(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/authorize" {
			next.ServeHTTP(w, r)
			return
		}
		rec := serve(next, r)
		if loc, err := url.Parse(rec.header.Get("Location")); err == nil && loc.Query().Has("iss") {
			q := loc.Query()
			q.Del("iss")
			loc.RawQuery = q.Encode()
			rec.header.Set("Location", loc.String())
		}
		rec.send(w, rec.body.Bytes())
	})
}

// wrongIssuer serves metadata whose issuer has a trailing slash added.
func wrongIssuer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/.well-known/") {
			next.ServeHTTP(w, r)
			return
		}
		rec := serve(next, r)
		var obj map[string]any
		if json.Unmarshal(rec.body.Bytes(), &obj) == nil {
			obj["issuer"] = obj["issuer"].(string) + "/"
			out, _ := json.Marshal(obj)
			rec.send(w, out)
			return
		}
		rec.send(w, rec.body.Bytes())
	})
}

// widerScope drops the scope of a refresh request and answers as if the
// scope asked for had been granted.
func widerScope(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isPath(r, http.MethodPost, "/token") {
			next.ServeHTTP(w, r)
			return
		}
		form, _ := url.ParseQuery(string(formOf(r)))
		asked := form.Get("scope")
		if form.Get("grant_type") != "refresh_token" || asked == "" {
			next.ServeHTTP(w, r)
			return
		}
		form.Del("scope")
		body := form.Encode()
		r.Body, r.ContentLength = readCloser(body), int64(len(body))
		rec := serve(next, r)
		var obj map[string]any
		if rec.status == http.StatusOK && json.Unmarshal(rec.body.Bytes(), &obj) == nil {
			obj["scope"] = asked
			out, _ := json.Marshal(obj)
			rec.send(w, out)
			return
		}
		rec.send(w, rec.body.Bytes())
	})
}

// asApp sends the other client's requests at path (of grant, when given)
// with the app's credentials, as if the server did not tell clients apart.
func asApp(grant, path string) wrapper {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if id, _, ok := r.BasicAuth(); ok && id == otherID && isPath(r, http.MethodPost, path) {
				form, _ := url.ParseQuery(string(formOf(r)))
				if grant == "" || form.Get("grant_type") == grant {
					r.SetBasicAuth(appID, appSecret)
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// reuseAccepted rotates, but a rotated-out refresh token still works: it
// is swapped for the newest one of its grant.
func reuseAccepted() wrapper {
	var mu sync.Mutex
	newest := map[string]string{} // every refresh token of a grant -> its newest
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !isPath(r, http.MethodPost, "/token") {
				next.ServeHTTP(w, r)
				return
			}
			form, _ := url.ParseQuery(string(formOf(r)))
			presented := form.Get("refresh_token")
			if form.Get("grant_type") != "refresh_token" {
				next.ServeHTTP(w, r)
				return
			}
			mu.Lock()
			if cur, ok := newest[presented]; ok && cur != presented {
				form.Set("refresh_token", cur)
			}
			mu.Unlock()
			body := form.Encode()
			r.Body, r.ContentLength = readCloser(body), int64(len(body))
			rec := serve(next, r)
			var obj map[string]any
			if rec.status == http.StatusOK && json.Unmarshal(rec.body.Bytes(), &obj) == nil {
				if rt, ok := obj["refresh_token"].(string); ok {
					mu.Lock()
					for old, cur := range newest {
						if cur == form.Get("refresh_token") {
							newest[old] = rt
						}
					}
					newest[presented] = rt
					newest[rt] = rt
					mu.Unlock()
				}
			}
			rec.send(w, rec.body.Bytes())
		})
	}
}
