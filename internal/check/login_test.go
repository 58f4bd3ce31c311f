package check_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/check"
)

// A server that shows its sign-in page: without --login, the checks that
// need an approved authorization skip with "needs a person"; those that
// must be refused before any login still run and pass; nothing fails.
func TestNeedsAPersonSkips(t *testing.T) {
	s := startServerWith(t, nil, false)
	reports := runAll(t, s.config())
	if failed := ids(reports, check.Fail); len(failed) != 0 {
		t.Fatalf("failed: %q", failed)
	}
	byID := map[string]check.Report{}
	for _, r := range reports {
		byID[r.ID] = r
	}
	for _, id := range []string{"authz.response", "authz.code-single-use", "refresh.rotation", "oidc.id-token"} {
		if r := byID[id]; r.Result != check.Skip || !strings.Contains(r.Reason, "needs a person") {
			t.Errorf("%s: %s %q, want skip: needs a person", id, r.Result, r.Reason)
		}
	}
	for _, id := range []string{"authz.redirect-exact", "authz.unknown-client", "token.no-store", "jwt.signature"} {
		if r := byID[id]; r.Result != check.Pass {
			t.Errorf("%s: %s %q, want pass", id, r.Result, r.Reason)
		}
	}
}

// The --login contract: the program gets the URL as its argument and in
// OAUTHKIT_AUTHORIZATION_URL, the redirect URI in OAUTHKIT_REDIRECT_URI,
// and its last non-empty line of output is the answer; a failing or
// silent program is an error.
func TestScriptLoginContract(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o700); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := write("ok", `echo "working on $1" >&2
echo ignored
echo "$OAUTHKIT_REDIRECT_URI?code=c1&from=$(echo "$OAUTHKIT_AUTHORIZATION_URL" | cut -c1-5)"
echo
`)
	l := &check.ScriptLogin{Path: ok, RedirectURI: "http://127.0.0.1/cb", Stderr: io.Discard, Timeout: 10 * time.Second}
	got, err := l.Complete(context.Background(), "https://as.example/authorize?x=1")
	if err != nil || got != "http://127.0.0.1/cb?code=c1&from=https" {
		t.Fatalf("Complete: %q, %v", got, err)
	}
	for name, body := range map[string]string{"fails": "echo http://x/cb; exit 7\n", "silent": "exit 0\n", "slow": "sleep 5\n"} {
		l.Path = write(name, body)
		l.Timeout = time.Second
		if got, err := l.Complete(context.Background(), "https://as.example/authorize"); err == nil {
			t.Errorf("%s: %q without an error", name, got)
		}
	}
}

// Every token the run obtained is revoked at the end, by the client it was
// issued to.
func TestRunRevokesWhatItObtained(t *testing.T) {
	var mu sync.Mutex
	var issued, revoked []string
	record := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case isPath(r, http.MethodPost, "/revoke"):
				form, _ := url.ParseQuery(string(formOf(r)))
				mu.Lock()
				revoked = append(revoked, form.Get("token"))
				mu.Unlock()
			case isPath(r, http.MethodPost, "/token"):
				rec := serve(next, r)
				var obj map[string]any
				if rec.status == http.StatusOK && json.Unmarshal(rec.body.Bytes(), &obj) == nil {
					mu.Lock()
					for _, k := range []string{"access_token", "refresh_token"} {
						if v, ok := obj[k].(string); ok {
							issued = append(issued, v)
						}
					}
					mu.Unlock()
				}
				rec.send(w, rec.body.Bytes())
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	s := startServer(t, record)
	runAll(t, s.config())
	mu.Lock()
	defer mu.Unlock()
	if len(issued) < 20 {
		t.Fatalf("only %d tokens issued in a whole run", len(issued))
	}
	for _, tok := range issued {
		if !slices.Contains(revoked, tok) {
			t.Errorf("a token issued during the run was not revoked at the end (%d issued, %d revocations)", len(issued), len(revoked))
			break
		}
	}
}
