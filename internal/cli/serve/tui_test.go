package serve

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
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
