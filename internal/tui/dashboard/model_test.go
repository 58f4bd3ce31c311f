package dashboard

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/oauthkit/oauthkit/internal/tui/theme"
	"github.com/oauthkit/oauthkit/internal/tui/tuitest"
)

var start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func testConfig(c *clock) Config {
	return Config{Issuer: "http://127.0.0.1:8080", Store: "memory", Now: c.now, Started: start, Styles: theme.Plain(),
		Demo: &Demo{ClientID: "oauthkit-demo", ClientSecret: "S3cr3t-client", PublicClientID: "oauthkit-demo-public",
			Username: "demo", Password: "Pa55-word"}}
}

// sampleRequests are the requests the screen tests show, oldest first.
func sampleRequests() []Request {
	at := func(s int) time.Time { return start.Add(time.Duration(s) * time.Second) }
	return []Request{
		{Time: at(1), Method: "GET", Path: "/.well-known/oauth-authorization-server", Status: 200, Latency: 800 * time.Microsecond},
		{Time: at(2), Method: "POST", Path: "/token", ClientID: "oauthkit-demo", GrantType: "client_credentials", Status: 200, Latency: 12300 * time.Microsecond},
		{Time: at(3), Method: "POST", Path: "/token", ClientID: "oauthkit-demo", GrantType: "password", Status: 400, Latency: 95 * time.Millisecond, Error: "invalid_grant"},
		{Time: at(4), Method: "GET", Path: "/authorize", ClientID: "oauthkit-demo-public", Status: 302, Latency: 2 * time.Millisecond},
		{Time: at(5), Method: "POST", Path: "/token", ClientID: "oauthkit-demo-public", GrantType: "authorization_code", Status: 200, Latency: 7 * time.Millisecond},
		{Time: at(6), Method: "POST", Path: "/token", ClientID: "nobody", GrantType: "client_credentials", Status: 401, Latency: 90 * time.Millisecond, Error: "invalid_client"},
		{Time: at(7), Method: "GET", Path: "/nope", Status: 404, Latency: 100 * time.Microsecond, Error: "not_found"},
	}
}

func send(m tea.Model, msgs ...tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	for _, msg := range msgs {
		m, cmd = m.Update(msg)
	}
	return m, cmd
}

func requestMsgs(rs []Request) []tea.Msg {
	out := make([]tea.Msg, len(rs))
	for i, r := range rs {
		out[i] = RequestMsg(r)
	}
	return out
}

func key(s string) tea.KeyMsg { return tuitest.Key(s) }

func TestUpdateRequestsNewestFirst(t *testing.T) {
	m, _ := send(New(testConfig(&clock{start})), requestMsgs(sampleRequests())...)
	got := m.(Model).Requests()
	var paths []string
	for _, r := range got {
		paths = append(paths, r.Path)
	}
	want := []string{"/nope", "/token", "/token", "/authorize", "/token", "/token", "/.well-known/oauth-authorization-server"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("paths = %v, want %v", paths, want)
	}
	view := m.(Model).View()
	first := strings.Index(view, "10:00:07 GET")
	last := strings.Index(view, "10:00:01 GET")
	if first < 0 || last < 0 || first > last {
		t.Errorf("newest request not drawn first:\n%s", view)
	}
}

func TestUpdateKeepsLastRequests(t *testing.T) {
	var m tea.Model = New(testConfig(&clock{start}))
	for i := range MaxRequests + 5 {
		m, _ = send(m, RequestMsg{Time: start, Method: "GET", Path: fmt.Sprintf("/r%d", i), Status: 200})
	}
	got := m.(Model).Requests()
	if len(got) != MaxRequests {
		t.Fatalf("kept %d requests, want %d", len(got), MaxRequests)
	}
	if got[0].Path != fmt.Sprintf("/r%d", MaxRequests+4) || got[MaxRequests-1].Path != "/r5" {
		t.Errorf("kept %s … %s, want the newest /r%d … /r5", got[0].Path, got[MaxRequests-1].Path, MaxRequests+4)
	}
	if n := m.(Model).Total(); n != MaxRequests+5 {
		t.Errorf("total = %d, want %d", n, MaxRequests+5)
	}
}

func TestUpdateCounters(t *testing.T) {
	m, _ := send(New(testConfig(&clock{start})), requestMsgs(sampleRequests())...)
	dm := m.(Model)
	wantGrants := []Count{{"client_credentials", 2}, {"authorization_code", 1}, {"password", 1}}
	if !reflect.DeepEqual(dm.Grants(), wantGrants) {
		t.Errorf("grants = %v, want %v", dm.Grants(), wantGrants)
	}
	wantErrors := []Count{{"invalid_client", 1}, {"invalid_grant", 1}, {"not_found", 1}}
	if !reflect.DeepEqual(dm.Errors(), wantErrors) {
		t.Errorf("errors = %v, want %v", dm.Errors(), wantErrors)
	}
	view := dm.View()
	for _, line := range []string{
		"\nrequests 7\n",
		"\ngrants   client_credentials 2 · authorization_code 1 · password 1\n",
		"\nerrors   invalid_client 1 · invalid_grant 1 · not_found 1\n",
	} {
		if !strings.Contains(view, line) {
			t.Errorf("view lacks %q:\n%s", line, view)
		}
	}
}

func TestUpdateResize(t *testing.T) {
	tests := []struct {
		w, h         int
		wantW, wantH int
	}{
		{80, 24, 80, 24},
		{120, 40, 120, 40},
		{60, 12, 60, 12},
		{5, 1, 20, 4},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.w, tt.h), func(t *testing.T) {
			msgs := append(requestMsgs(sampleRequests()), tea.WindowSizeMsg{Width: tt.w, Height: tt.h})
			m, _ := send(New(testConfig(&clock{start})), msgs...)
			dm := m.(Model)
			if w, h := dm.Size(); w != tt.wantW || h != tt.wantH {
				t.Fatalf("size = %dx%d, want %dx%d", w, h, tt.wantW, tt.wantH)
			}
			lines := strings.Split(dm.View(), "\n")
			if len(lines) != tt.wantH {
				t.Errorf("view has %d lines, want %d", len(lines), tt.wantH)
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > tt.wantW {
					t.Errorf("line %d is %d cells wide, more than %d: %q", i, w, tt.wantW, l)
				}
			}
			if !strings.HasSuffix(dm.View(), "s show secrets · q stop the server") && tt.wantW >= 34 {
				t.Errorf("help line missing at the bottom:\n%s", dm.View())
			}
		})
	}
}

func TestUpdateKeys(t *testing.T) {
	tests := []struct {
		keys       []string
		wantQuit   bool
		wantSecret bool
	}{
		{keys: []string{"q"}, wantQuit: true},
		{keys: []string{"ctrl+c"}, wantQuit: true},
		{keys: []string{"s"}, wantSecret: true},
		{keys: []string{"s", "s"}},
		{keys: []string{"x"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, ","), func(t *testing.T) {
			var m tea.Model = New(testConfig(&clock{start}))
			var cmd tea.Cmd
			for _, k := range tt.keys {
				m, cmd = send(m, key(k))
			}
			dm := m.(Model)
			if dm.Quitting() != tt.wantQuit {
				t.Errorf("quitting = %v, want %v", dm.Quitting(), tt.wantQuit)
			}
			quitCmd := cmd != nil && fmt.Sprint(cmd()) == fmt.Sprint(tea.Quit())
			if quitCmd != tt.wantQuit {
				t.Errorf("returned tea.Quit = %v, want %v", quitCmd, tt.wantQuit)
			}
			view := dm.View()
			secretShown := strings.Contains(view, "secret S3cr3t-client") && strings.Contains(view, "password Pa55-word")
			masked := strings.Contains(view, "secret "+mask) && strings.Contains(view, "password "+mask)
			if secretShown != tt.wantSecret || masked == tt.wantSecret {
				t.Errorf("secret shown = %v, masked = %v, want shown %v:\n%s", secretShown, masked, tt.wantSecret, view)
			}
			if tt.wantQuit && !strings.HasSuffix(view, "stopping: in-flight requests finish first") {
				t.Errorf("quitting view does not say it stops:\n%s", view)
			}
		})
	}
}

func TestUptimeFollowsClock(t *testing.T) {
	c := &clock{start.Add(90 * time.Second)}
	m, cmd := send(New(testConfig(c)), TickMsg{})
	if cmd == nil {
		t.Error("tick did not schedule the next tick")
	}
	if v := m.(Model).View(); !strings.HasPrefix(v, "oauthkit serve · http://127.0.0.1:8080 · up 1m30s\n") {
		t.Errorf("first line wrong:\n%s", v)
	}
}

func TestViewCleansControlCharacters(t *testing.T) {
	m, _ := send(New(testConfig(&clock{start})),
		RequestMsg{Time: start, Method: "GET", Path: "/\x1b]0;pwned\x07x", ClientID: "c\x1b[2J", Status: 404},
		RequestMsg{Time: start, Method: "POST", Path: "/token", ClientID: "ad\u200bmin\u202eslc", GrantType: "pass\u2066word", Status: 400, Error: "invalid\u200b_client"})
	v := m.(Model).View()
	if strings.ContainsAny(v, "\x1b\x07\u200b\u202e\u2066") {
		t.Fatalf("view passes control, bidi or zero-width characters through: %q", v)
	}
	for _, want := range []string{`/\u001b]0;`, `c\u001b[2J`, `ad\u200bmin`, `pass\u2066word`, `invalid\u200b_client 1`} {
		if !strings.Contains(v, want) {
			t.Errorf("escaped text %s not shown:\n%s", want, v)
		}
	}
}

func TestViewWithoutDemo(t *testing.T) {
	cfg := testConfig(&clock{start})
	cfg.Demo, cfg.Source = nil, "config oauthkit.yaml (2 clients, 1 users)"
	m, _ := send(New(cfg), key("s"))
	v := m.(Model).View()
	if strings.Contains(v, "demo") || !strings.Contains(v, "clients  config oauthkit.yaml (2 clients, 1 users)") ||
		!strings.HasSuffix(v, "\nq stop the server") {
		t.Errorf("view without demo:\n%s", v)
	}
}

// A revealed secret of the real demo's length fits whole in 80 columns, so
// it can be copied from the screen.
func TestRevealedSecretFitsIn80Columns(t *testing.T) {
	cfg := testConfig(&clock{start})
	cfg.Demo.ClientSecret = strings.Repeat("s", 43) // randomString(32)
	cfg.Demo.Password = strings.Repeat("p", 16)     // randomString(12)
	m, _ := send(New(cfg), tea.WindowSizeMsg{Width: 80, Height: 24}, key("s"))
	v := m.(Model).View()
	if !strings.Contains(v, "secret "+cfg.Demo.ClientSecret+"\n") || !strings.Contains(v, "password "+cfg.Demo.Password+"\n") {
		t.Errorf("secrets cut at 80 columns:\n%s", v)
	}
}
