package flow

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// syncBuffer is a bytes.Buffer safe for the program's writer and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func (s *syncBuffer) waitFor(t *testing.T, sub string) bool {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.String(), sub) {
		if time.Now().After(deadline) {
			// Errorf, not Fatalf: this may run in a goroutine of the test.
			t.Errorf("%q never appeared in:\n%s", sub, s.String())
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// approvingAS redirects every authorization request back with a code
// (approve) or never answers it (a person who does not come back).
func approvingAS(t *testing.T, approve bool) *flow.Client {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if !approve {
			<-r.Context().Done()
			return
		}
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {"C"}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"AT","token_type":"Bearer","expires_in":60,"scope":"read"}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &flow.Client{HTTP: srv.Client(), Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
		ClientID: "cli", AuthMethod: flow.AuthNone,
		Endpoints: flow.Endpoints{Issuer: srv.URL, Authorization: srv.URL + "/authorize", Token: srv.URL + "/token"}}
}

func progressEnv(t *testing.T) (*clientopts.CommonOptions, *syncBuffer) {
	f, _, _ := testFactory(nil)
	errOut := &syncBuffer{}
	f.IOStreams.ErrOut = errOut
	f.IOStreams.SetTTY(false, false, true)
	return &clientopts.CommonOptions{Factory: f, Timeout: 10 * time.Second}, errOut
}

// enterOnSummary makes standard output a terminal too, so the summary
// waits for a key, and presses enter once it is drawn; wait returns when
// the key was typed.
func enterOnSummary(t *testing.T, o *clientopts.CommonOptions, errOut *syncBuffer) (keys io.Reader, wait func()) {
	o.Factory.IOStreams.SetTTY(false, true, true)
	keys, typeKey := io.Pipe()
	typed := make(chan struct{})
	go func() {
		defer close(typed)
		errOut.waitFor(t, "q/enter done")
		_, _ = typeKey.Write([]byte("\r"))
	}()
	return keys, func() {
		<-typed
		typeKey.Close()
	}
}

func TestRunWithProgressHeadless(t *testing.T) {
	o, errOut := progressEnv(t)
	c := approvingAS(t, true)
	keys, wait := enterOnSummary(t, o, errOut)
	defer wait()
	bf := flow.BrowserFlow{Request: flow.AuthRequest{ResponseType: "code", State: flow.NewState(), CodeVerifier: flow.NewCodeVerifier()},
		Headless: true, Timeout: 5 * time.Second, Status: o.Factory.IOStreams.ErrOut}
	tr, err := runWithProgress(context.Background(), o, c, bf, "oauthkit flow authcode", keys, runTeaProgram)
	if err != nil {
		t.Fatal(err)
	}
	if tr.AccessToken != "AT" {
		t.Errorf("token %+v", tr)
	}
	screen := errOut.String()
	if strings.Contains(errOut.String(), "Open this URL") {
		t.Errorf("--headless asks a person to open the URL:\n%s", errOut.String())
	}
	for _, want := range []string{"Following the authorization URL without a browser (--headless):", c.Endpoints.Authorization + "?client_id=cli&",
		"✓ code exchange  tokens received", "scopes   read", "expires  in 1m"} {
		if !strings.Contains(screen, want) {
			t.Errorf("%q not on the screen:\n%s", want, screen)
		}
	}
	// The flow's plain status lines are not written under the view.
	if strings.Contains(screen, "(oauthkit waits on") {
		t.Errorf("plain status text under the view:\n%s", screen)
	}
}

// The implicit grant under the view: the token comes in the redirect's
// fragment, the last step says so and no code exchange is shown.
func TestRunWithProgressImplicit(t *testing.T) {
	o, errOut := progressEnv(t)
	mux := http.NewServeMux()
	tokenCalls := 0
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		frag := url.Values{"access_token": {"IT"}, "token_type": {"Bearer"}, "expires_in": {"120"}, "scope": {"read"}, "state": {q.Get("state")}}
		http.Redirect(w, r, q.Get("redirect_uri")+"#"+frag.Encode(), http.StatusFound)
	})
	mux.HandleFunc("/token", func(http.ResponseWriter, *http.Request) { tokenCalls++ })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := &flow.Client{HTTP: srv.Client(), Now: o.Factory.Now, ClientID: "spa", AuthMethod: flow.AuthNone,
		Endpoints: flow.Endpoints{Issuer: srv.URL, Authorization: srv.URL + "/authorize", Token: srv.URL + "/token"}}
	keys, wait := enterOnSummary(t, o, errOut)
	defer wait()
	bf := flow.BrowserFlow{Request: flow.AuthRequest{ResponseType: "token", State: flow.NewState()},
		Headless: true, Timeout: 5 * time.Second, Status: o.Factory.IOStreams.ErrOut}
	tr, err := runWithProgress(context.Background(), o, c, bf, "oauthkit flow implicit", keys, runTeaProgram)
	if err != nil {
		t.Fatal(err)
	}
	if tr.AccessToken != "IT" || tokenCalls != 0 {
		t.Errorf("token %+v, %d token requests", tr, tokenCalls)
	}
	screen := errOut.String()
	for _, want := range []string{"oauthkit flow implicit", "✓ tokens         in the redirect (implicit grant: no code exchange)", "expires  in 2m"} {
		if !strings.Contains(screen, want) {
			t.Errorf("%q not on the screen:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "code exchange ") {
		t.Errorf("a code exchange step in the implicit view:\n%s", screen)
	}
}

func TestRunWithProgressCancel(t *testing.T) {
	o, errOut := progressEnv(t)
	c := approvingAS(t, false)
	keys, typeKey := io.Pipe()
	defer typeKey.Close()
	go func() {
		errOut.waitFor(t, "left")
		_, _ = typeKey.Write([]byte("q"))
	}()
	bf := flow.BrowserFlow{Request: flow.AuthRequest{ResponseType: "code", State: flow.NewState()},
		Headless: true, Timeout: 5 * time.Second, Status: o.Factory.IOStreams.ErrOut}
	_, err := runWithProgress(context.Background(), o, c, bf, "t", keys, runTeaProgram)
	if !errors.Is(err, flow.ErrCancelled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
	if code := clientopts.MapError(err); code == nil || !strings.Contains(code.Error(), "cancelled") {
		t.Errorf("mapped %v", code)
	}
	// The command's error line is the one "cancelled" line: the view's
	// last frame draws nothing (no help line saying it, no spinner).
	if strings.Contains(errOut.String(), "cancelled") {
		t.Errorf("the view wrote its own \"cancelled\":\n%q", errOut.String())
	}
}

// A summary taller than the terminal is printed whole once the view has
// closed (stdout redirected: the view closes by itself), not cut at the
// screen's height.
func TestRunWithProgressTallSummary(t *testing.T) {
	o, errOut := progressEnv(t) // 80x24: the view's size without a terminal to ask
	var claims []string
	for i := range 30 {
		claims = append(claims, fmt.Sprintf(`"claim%02d":"value %d"`, i, i))
	}
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	at := seg(`{"alg":"RS256"}`) + "." + seg(`{"sub":"alice",`+strings.Join(claims, ",")+`}`) + ".c2ln"
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {"C"}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"` + at + `","token_type":"Bearer","expires_in":60}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := &flow.Client{HTTP: srv.Client(), Now: o.Factory.Now, ClientID: "cli", AuthMethod: flow.AuthNone,
		Endpoints: flow.Endpoints{Issuer: srv.URL, Authorization: srv.URL + "/authorize", Token: srv.URL + "/token"}}
	bf := flow.BrowserFlow{Request: flow.AuthRequest{ResponseType: "code", State: flow.NewState(), CodeVerifier: flow.NewCodeVerifier()},
		Headless: true, Timeout: 5 * time.Second}
	if _, err := runWithProgress(context.Background(), o, c, bf, "oauthkit flow authcode", strings.NewReader(""), runTeaProgram); err != nil {
		t.Fatal(err)
	}
	// After the program's last frame: the steps and every claim, as lines.
	out := errOut.String()
	i := strings.LastIndex(out, "oauthkit flow authcode\n")
	if i < 0 {
		t.Fatalf("no summary printed as lines after the view:\n%q", out)
	}
	tail := out[i:]
	if !strings.HasSuffix(tail, "\n") || strings.Contains(tail, "\x1b") {
		t.Errorf("the summary after the view is not plain lines:\n%q", tail)
	}
	if n := strings.Count(tail, "\n"); n <= 24 {
		t.Errorf("the summary is %d lines; the test needs more than the 24 of the screen", n)
	}
	for _, want := range []string{"✓ code exchange  tokens received\n", `  claim00  "value 0"` + "\n", `  claim29  "value 29"` + "\n"} {
		if !strings.Contains(tail, want) {
			t.Errorf("%q not in the summary printed after the view:\n%s", want, tail)
		}
	}
}

func TestRunWithProgressViewFails(t *testing.T) {
	o, _ := progressEnv(t)
	c := approvingAS(t, false)
	bf := flow.BrowserFlow{Request: flow.AuthRequest{ResponseType: "code", State: flow.NewState()},
		Headless: true, Timeout: 5 * time.Second}
	_, err := runWithProgress(context.Background(), o, c, bf, "t", strings.NewReader(""),
		func(*tea.Program) (tea.Model, error) { return nil, errors.New("no terminal") })
	if err == nil || err.Error() != "progress view: no terminal" {
		t.Fatalf("err = %v", err)
	}
}

func TestUseProgressTUI(t *testing.T) {
	tests := []struct {
		stderrTTY, noTUI, verbose, want bool
	}{
		{true, false, false, true},
		{false, false, false, false},
		{true, true, false, false},
		{true, false, true, false},
	}
	for _, tt := range tests {
		o, _ := progressEnv(t)
		o.Factory.IOStreams.SetTTY(false, true, tt.stderrTTY)
		o.Verbose = tt.verbose
		if got := useProgressTUI(o, tt.noTUI); got != tt.want {
			t.Errorf("%+v: got %v", tt, got)
		}
	}
}
