package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Rules 30–34: `oauthkit flow authcode --headless` against a test
// authorization server whose /authorize answers as each case needs.

type fakeAS struct {
	srv       *httptest.Server
	mu        sync.Mutex
	tokenHits int
	authQ     []url.Values
	verifiers []string
	redirect  func(q url.Values, issuer string) string // Location for /authorize
	mdIssuer  string                                   // "" = the server's URL
	tokenBody string                                   // "" = a plain Bearer token answer
	tokenForm []url.Values
}

func newFakeAS(t *testing.T, redirect func(q url.Values, issuer string) string) *fakeAS {
	t.Helper()
	f := &fakeAS{redirect: redirect}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		iss := f.srv.URL
		f.mu.Lock()
		if f.mdIssuer != "" {
			iss = f.mdIssuer
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": iss, "authorization_endpoint": f.srv.URL + "/authorize", "token_endpoint": f.srv.URL + "/token",
			"response_types_supported": []string{"code"}, "code_challenge_methods_supported": []string{"S256"},
			"authorization_response_iss_parameter_supported": true,
		})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.authQ = append(f.authQ, r.URL.Query())
		f.mu.Unlock()
		http.Redirect(w, r, f.redirect(r.URL.Query(), f.srv.URL), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		f.tokenHits++
		f.verifiers = append(f.verifiers, r.PostForm.Get("code_verifier"))
		f.tokenForm = append(f.tokenForm, r.PostForm)
		body := f.tokenBody
		f.mu.Unlock()
		if body == "" {
			body = `{"access_token":"at-123","token_type":"Bearer","expires_in":60}`
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte(body))
	})
	f.srv = httptest.NewUnstartedServer(mux)
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

// snap returns copies of what the server saw, under its lock.
func (f *fakeAS) snap() (tokenHits int, authQ []url.Values, verifiers []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenHits, append([]url.Values(nil), f.authQ...), append([]string(nil), f.verifiers...)
}

// callback builds the redirect back to the catcher with the given params.
func callback(q url.Values, params url.Values) string {
	return q.Get("redirect_uri") + "?" + params.Encode()
}

// runFlow runs oauthkit flow authcode and returns exit code, stdout, stderr.
func runFlow(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLI(t, append([]string{"flow", "authcode", "--client-id", "cli"}, args...)...)
}

// runCLI runs the oauthkit binary with args and returns exit code, stdout,
// stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, suite.bin, args...)
	cmd.Env = append(cmd.Environ(), "BROWSER=true", "OAUTHKIT_CLIENT_SECRET=", "NO_COLOR=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errb.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errb.String()
	default:
		t.Fatalf("oauthkit flow: %v", err)
		return 0, "", ""
	}
}

func TestRule30_CatcherLoopbackOneResponseTimeout(t *testing.T) {
	f := newFakeAS(t, func(q url.Values, iss string) string {
		return callback(q, url.Values{"code": {"c1"}, "state": {q.Get("state")}, "iss": {iss}})
	})
	code, out, stderr := runFlow(t, "--issuer", f.srv.URL, "--headless", "-o", "token")
	if code != 0 || strings.TrimSpace(out) != "at-123" {
		t.Fatalf("flow: exit %d stdout %q\n%s", code, out, stderr)
	}
	_, authQ, _ := f.snap()
	ru, err := url.Parse(authQ[0].Get("redirect_uri"))
	if err != nil || ru.Scheme != "http" || ru.Hostname() != "127.0.0.1" || ru.Port() == "" || ru.Port() == "0" {
		t.Errorf("redirect_uri %q, want http://127.0.0.1:<ephemeral port>/…", authQ[0].Get("redirect_uri"))
	}
	t.Run("timeout is exit 5", func(t *testing.T) {
		code, _, stderr := runFlow(t, "--issuer", f.srv.URL, "--no-browser", "--timeout", "1s")
		if code != 5 {
			t.Errorf("exit %d, want 5\n%s", code, stderr)
		}
	})
}

func TestRule31_StateAndIssChecks(t *testing.T) {
	cases := map[string]func(q url.Values, iss string) url.Values{
		"wrong state": func(q url.Values, iss string) url.Values {
			return url.Values{"code": {"c"}, "state": {q.Get("state") + "x"}, "iss": {iss}}
		},
		"missing state": func(q url.Values, iss string) url.Values { return url.Values{"code": {"c"}, "iss": {iss}} },
		"wrong iss": func(q url.Values, iss string) url.Values {
			return url.Values{"code": {"c"}, "state": {q.Get("state")}, "iss": {"http://evil.example"}}
		},
		"missing iss": func(q url.Values, iss string) url.Values { return url.Values{"code": {"c"}, "state": {q.Get("state")}} },
		"repeated code": func(q url.Values, iss string) url.Values {
			return url.Values{"code": {"c", "d"}, "state": {q.Get("state")}, "iss": {iss}}
		},
	}
	for name, params := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeAS(t, func(q url.Values, iss string) string { return callback(q, params(q, iss)) })
			code, _, stderr := runFlow(t, "--issuer", f.srv.URL, "--headless", "--timeout", "10s")
			if code != 1 {
				t.Errorf("exit %d, want 1\n%s", code, stderr)
			}
			if hits, _, _ := f.snap(); hits != 0 {
				t.Errorf("the token endpoint was called %d times", hits)
			}
		})
	}
	t.Run("discovery issuer differs", func(t *testing.T) {
		f := newFakeAS(t, func(q url.Values, iss string) string {
			return callback(q, url.Values{"code": {"c"}, "state": {q.Get("state")}, "iss": {iss}})
		})
		f.mu.Lock()
		f.mdIssuer = "http://evil.example"
		f.mu.Unlock()
		code, _, stderr := runFlow(t, "--issuer", f.srv.URL, "--headless", "--timeout", "10s")
		hits, authQ, _ := f.snap()
		if code != 1 || len(authQ) != 0 || hits != 0 {
			t.Errorf("exit %d, %d authorize and %d token requests; want exit 1 and none\n%s", code, len(authQ), hits, stderr)
		}
	})
}

func TestRule32_FreshS256VerifierEveryRun(t *testing.T) {
	f := newFakeAS(t, func(q url.Values, iss string) string {
		return callback(q, url.Values{"code": {"c"}, "state": {q.Get("state")}, "iss": {iss}})
	})
	for i := 0; i < 2; i++ {
		if code, _, stderr := runFlow(t, "--issuer", f.srv.URL, "--headless"); code != 0 {
			t.Fatalf("run %d: exit %d\n%s", i, code, stderr)
		}
	}
	_, authQ, verifiers := f.snap()
	for i, q := range authQ {
		if q.Get("code_challenge_method") != "S256" {
			t.Errorf("run %d: code_challenge_method %q", i, q.Get("code_challenge_method"))
		}
		if v := verifiers[i]; len(v) < 43 || s256(v) != q.Get("code_challenge") {
			t.Errorf("run %d: verifier %q (len %d) does not match the challenge", i, v, len(v))
		}
	}
	if verifiers[0] == verifiers[1] || authQ[0].Get("state") == authQ[1].Get("state") {
		t.Error("verifier or state reused across runs")
	}
}

func TestRule33_PlainHTTPToRemoteRefused(t *testing.T) {
	code, _, stderr := runFlow(t, "--issuer", "http://oauth.example.invalid", "--headless", "--timeout", "5s")
	if code != 2 {
		t.Errorf("exit %d, want 2\n%s", code, stderr)
	}
}

func TestRule34_ErrorResponseExit3(t *testing.T) {
	f := newFakeAS(t, func(q url.Values, iss string) string {
		return callback(q, url.Values{"error": {"access_denied"}, "error_description": {"<b>no</b> way"}, "state": {q.Get("state")}, "iss": {iss}})
	})
	code, _, stderr := runFlow(t, "--issuer", f.srv.URL, "--headless", "-o", "token")
	if code != 3 {
		t.Errorf("exit %d, want 3\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "access_denied") || !strings.Contains(stderr, "<b>no</b> way") {
		t.Errorf("stderr does not show the error plainly:\n%s", stderr)
	}
	if hits, _, _ := f.snap(); hits != 0 {
		t.Error("token endpoint called after an error response")
	}
}
