package serve

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
	"github.com/oauthkit/oauthkit/internal/tui/dashboard"
)

func TestTUIFlagNeedsTerminal(t *testing.T) {
	tests := []struct {
		name      string
		stderrTTY bool
		wantErr   string
	}{
		{"pipe", false, "--tui needs a terminal"},
		{"terminal", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			ios.SetTTY(false, false, tt.stderrTTY)
			var got *Options
			cmd := NewCmdServe(cmdutil.NewFactory(ios, func(string) string { return "" }), func(o *Options) error { got = o; return nil })
			cmd.SetArgs([]string{"--tui", "--store", "memory"})
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || cmdutil.ExitCode(err) != 2 {
					t.Fatalf("err %v (exit %d), want %q exit 2", err, cmdutil.ExitCode(err), tt.wantErr)
				}
				return
			}
			if err != nil || got == nil || !got.TUI {
				t.Fatalf("err %v, options %+v", err, got)
			}
		})
	}
}

// steppingClock advances 12 ms per reading.
type steppingClock struct{ t time.Time }

func (c *steppingClock) now() time.Time { c.t = c.t.Add(12 * time.Millisecond); return c.t }

func TestRecordRequests(t *testing.T) {
	big := "grant_type=client_credentials&pad=" + strings.Repeat("x", recordBodyLimit)
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name                           string
		method, target, body, ctype    string
		basic                          [2]string
		status                         int
		respBody, location             string
		wantClient, wantGrant, wantErr string
	}{
		{name: "basic client_credentials", method: "POST", target: "/token", ctype: form,
			body: "grant_type=client_credentials&scope=read", basic: [2]string{"oauthkit-demo", "TopSecret1"}, status: 200,
			respBody:   `{"access_token":"AccessTok1","token_type":"Bearer"}`,
			wantClient: "oauthkit-demo", wantGrant: "client_credentials"},
		{name: "form client and code", method: "POST", target: "/token", ctype: form,
			body: "grant_type=authorization_code&client_id=pub&code=TheCode1&code_verifier=Verif1", status: 200,
			wantClient: "pub", wantGrant: "authorization_code"},
		{name: "basic username form-encoded", method: "POST", target: "/introspect", ctype: form,
			body: "token=AccessTok1", basic: [2]string{"my%20client", "TopSecret1"}, status: 200, wantClient: "my client"},
		{name: "grant_type only for /token", method: "POST", target: "/revoke", ctype: form,
			body: "grant_type=password&client_id=c1&token=AccessTok1", status: 200, wantClient: "c1"},
		{name: "authorize query", method: "GET", target: "/authorize?client_id=web&code_challenge=Chal1&state=St1", status: 302,
			location: "http://127.0.0.1:9/cb?code=TheCode1&state=St1", wantClient: "web"},
		{name: "authorize error redirect", method: "GET", target: "/authorize?client_id=web", status: 302,
			location: "http://127.0.0.1:9/cb?error=access_denied&state=St1", wantClient: "web", wantErr: "access_denied"},
		{name: "implicit error in fragment", method: "GET", target: "/authorize?client_id=web", status: 302,
			location: "http://127.0.0.1:9/cb#error=unsupported_response_type", wantClient: "web", wantErr: "unsupported_response_type"},
		{name: "json error", method: "POST", target: "/token", ctype: form, body: "grant_type=password&username=u&password=Passw0rd1",
			basic: [2]string{"c2", "TopSecret1"}, status: 401, respBody: `{"error":"invalid_client","error_description":"bad"}`,
			wantClient: "c2", wantGrant: "password", wantErr: "invalid_client"},
		{name: "plain error", method: "GET", target: "/jwks.json", status: 500, respBody: "boom", wantErr: "http_500"},
		{name: "not a form", method: "POST", target: "/token", ctype: "application/json", body: `{"grant_type":"password"}`, status: 400,
			respBody: `{"error":"invalid_request"}`, wantErr: "invalid_request"},
		{name: "body over 64 KiB", method: "POST", target: "/token", ctype: form, body: big, status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Body != nil {
					b, _ := io.ReadAll(r.Body)
					seen = string(b)
				}
				if tt.location != "" {
					w.Header().Set("Location", tt.location)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.respBody)
			})
			var got []dashboard.Request
			c := &steppingClock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
			rh := recordRequests(h, c.now, func(r dashboard.Request) { got = append(got, r) })
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			if tt.basic[0] != "" {
				req.SetBasicAuth(tt.basic[0], tt.basic[1])
			}
			rr := httptest.NewRecorder()
			rh.ServeHTTP(rr, req)
			if seen != tt.body {
				t.Errorf("handler read %d bytes of the body, want all %d", len(seen), len(tt.body))
			}
			if rr.Code != tt.status || rr.Body.String() != tt.respBody {
				t.Errorf("response %d %q, want %d %q", rr.Code, rr.Body.String(), tt.status, tt.respBody)
			}
			if len(got) != 1 {
				t.Fatalf("%d events, want 1", len(got))
			}
			want := dashboard.Request{Time: time.Date(2026, 11, 23, 10, 0, 0, 12e6, time.UTC), Method: tt.method,
				Path: strings.SplitN(tt.target, "?", 2)[0], ClientID: tt.wantClient, GrantType: tt.wantGrant,
				Status: tt.status, Latency: 12 * time.Millisecond, Error: tt.wantErr}
			if got[0] != want {
				t.Errorf("event\n got %+v\nwant %+v", got[0], want)
			}
			if s := fmt.Sprintf("%+v", got[0]); regexp.MustCompile(`TopSecret1|TheCode1|AccessTok1|Passw0rd1|Verif1|Chal1|St1`).MatchString(s) {
				t.Errorf("event records a secret: %s", s)
			}
		})
	}
}

// keyPipe feeds keys to the dashboard.
type keyPipe struct {
	r *io.PipeReader
	w *io.PipeWriter
}

// TestServeTUI runs the real server under the dashboard: the issuer is
// still the first stdout line, requests appear in the dashboard (not as log
// lines), s reveals the demo secret, and q stops the server with exit 0.
func TestServeTUI(t *testing.T) {
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	ios, _, _, _ := iostreams.Test()
	ios.Out, ios.ErrOut = out, errOut
	keys := func() keyPipe { r, w := io.Pipe(); return keyPipe{r, w} }()
	opts := &Options{Factory: cmdutil.NewFactory(ios, func(string) string { return "" }), Addr: "127.0.0.1:0",
		LogFormat: "text", Store: "memory", TUI: true, tuiInput: keys.r}
	done := make(chan error, 1)
	go func() { done <- run(context.Background(), opts) }()
	t.Cleanup(func() { keys.w.Close() })

	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("no %s; stderr:\n%s", what, errOut.String())
			}
			select {
			case err := <-done:
				t.Fatalf("serve stopped: %v\n%s", err, errOut.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	waitFor("issuer", func() bool { return strings.HasSuffix(out.String(), "\n") })
	issuer := strings.TrimSpace(out.String())
	if !strings.HasPrefix(issuer, "http://127.0.0.1:") || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("stdout %q, want only the issuer line", out.String())
	}
	req, _ := http.NewRequest("POST", issuer+"/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("oauthkit-demo", "WrongSecret9")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d", res.StatusCode)
	}
	row := regexp.MustCompile(`POST +/token +oauthkit-demo +client_credentials +401 `)
	waitFor("request row", func() bool { return row.MatchString(errOut.String()) })
	waitFor("error counter", func() bool { return strings.Contains(errOut.String(), "invalid_client 1") })
	if !strings.Contains(errOut.String(), "secret ••••••••") {
		t.Errorf("secret not masked at first:\n%s", errOut.String())
	}
	secretRE := regexp.MustCompile(`secret ([A-Za-z0-9_-]{20,})`)
	if _, err := io.WriteString(keys.w, "s"); err != nil {
		t.Fatal(err)
	}
	waitFor("revealed secret", func() bool { return secretRE.MatchString(errOut.String()) })
	for _, bad := range []string{"msg=request", "WrongSecret9", "oauthkit serve: issuer", "try:"} {
		if strings.Contains(errOut.String(), bad) {
			t.Errorf("stderr under the dashboard has %q:\n%s", bad, errOut.String())
		}
	}
	if _, err := io.WriteString(keys.w, "q"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("q did not stop the server")
	}
	if !strings.HasSuffix(errOut.String(), "shutting down (in-flight requests finish first)\n") {
		s := errOut.String()
		t.Errorf("stderr does not end with the shutdown line:\n%q", s[max(0, len(s)-200):])
	}
	if _, err := http.Get(issuer + "/healthz"); err == nil {
		t.Error("server still answers after q")
	}
}
