package conformance

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// Rules 59–61: what `oauthkit flow` prints and follows when the server is
// hostile, and which credentials in argv it warns about.

func codeCallback(q url.Values, iss string) string {
	return callback(q, url.Values{"code": {"c1"}, "state": {q.Get("state")}, "iss": {iss}})
}

func TestRule59_TokenCharactersChecked(t *testing.T) {
	cases := []struct {
		name, body, output, field string
	}{
		{"CRLF header injection", `{"access_token":"at\r\nX-Injected: 1","token_type":"Bearer"}`, "header", "access_token with byte 0x0d"},
		{"terminal escape", `{"access_token":"at\u001b]0;pwned\u0007","token_type":"Bearer"}`, "token", "access_token with byte 0x1b"},
		{"space", `{"access_token":"a b","token_type":"Bearer"}`, "token", "access_token with byte 0x20"},
		{"escape in the refresh token", `{"access_token":"at","token_type":"Bearer","refresh_token":"r\u001b[2J"}`, "json", "refresh_token with byte 0x1b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAS(t, codeCallback)
			f.mu.Lock()
			f.tokenBody = tc.body // JSON escapes: the decoded token has the raw bytes
			f.mu.Unlock()
			code, out, stderr := runFlow(t, "--issuer", f.srv.URL, "--headless", "-o", tc.output)
			if code != 3 || out != "" {
				t.Errorf("exit %d, stdout %q; want exit 3 and nothing on stdout\n%s", code, out, stderr)
			}
			if !strings.Contains(stderr, tc.field) || strings.ContainsAny(stderr, "\r\x1b\x07") {
				t.Errorf("stderr does not name %q plainly:\n%q", tc.field, stderr)
			}
		})
	}
	t.Run("RFC 6750 token characters pass", func(t *testing.T) {
		f := newFakeAS(t, codeCallback)
		f.mu.Lock()
		f.tokenBody = `{"access_token":"aZ09-._~+/==","token_type":"Bearer"}`
		f.mu.Unlock()
		code, out, stderr := runFlow(t, "--issuer", f.srv.URL, "--headless", "-o", "header")
		if code != 0 || out != "Authorization: Bearer aZ09-._~+/==\n" {
			t.Errorf("exit %d, stdout %q\n%s", code, out, stderr)
		}
	})
}

func TestRule60_HeadlessRedirectsStayInOrigin(t *testing.T) {
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(elsewhere.Close)
	f := newFakeAS(t, func(q url.Values, iss string) string { return elsewhere.URL + "/internal/admin?x=1" })
	code, out, stderr := runFlow(t, "--issuer", f.srv.URL, "--headless", "--timeout", "10s")
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q; want exit 1\n%s", code, out, stderr)
	}
	if !strings.Contains(stderr, elsewhere.URL+"/internal/admin") {
		t.Errorf("stderr does not name the location %s:\n%s", elsewhere.URL, stderr)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
	if n, _, _ := f.snap(); n != 0 {
		t.Errorf("the token endpoint was called %d times", n)
	}
	t.Run("same origin then the catcher", func(t *testing.T) {
		// iss is the fake server's own URL (newFakeAS passes it), so the
		// handler reads nothing the test goroutine writes.
		g := newFakeAS(t, func(q url.Values, iss string) string {
			if q.Get("step") == "" {
				return iss + "/authorize?" + q.Encode() + "&step=2"
			}
			return codeCallback(q, iss)
		})
		if code, out, stderr := runFlow(t, "--issuer", g.srv.URL, "--headless", "-o", "token"); code != 0 || out != "at-123\n" {
			t.Errorf("exit %d, stdout %q\n%s", code, out, stderr)
		}
	})
}

func TestRule61_RefreshTokenInArgvWarns(t *testing.T) {
	f := newFakeAS(t, codeCallback)
	const warn = "warning: --refresh-token is visible to other users of this machine"
	base := []string{"flow", "refresh", "--issuer", f.srv.URL, "--client-id", "cli", "-o", "token"}
	code, out, stderr := runCLI(t, append(base, "--refresh-token", "rt-1")...)
	if code != 0 || out != "at-123\n" || !strings.Contains(stderr, warn) || !strings.Contains(stderr, "--refresh-token-file") {
		t.Errorf("--refresh-token: exit %d, stdout %q, stderr %q; want the warning", code, out, stderr)
	}
	if strings.Contains(stderr, "rt-1") {
		t.Errorf("the warning repeats the token: %q", stderr)
	}
	rt := t.TempDir() + "/rt.txt"
	writeFile(t, rt, "rt-1\n")
	code, _, stderr = runCLI(t, append(base, "--refresh-token-file", rt)...)
	if code != 0 || strings.Contains(stderr, "warning") {
		t.Errorf("--refresh-token-file: exit %d, stderr %q; want no warning", code, stderr)
	}
}
