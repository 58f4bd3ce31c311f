package flowprogress

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/testutil/fakeclock"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
	"github.com/oauthkit/oauthkit/internal/tui/tuitest"
)

var start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

const (
	redirect = "http://127.0.0.1:43121/callback"
	authURL  = "http://127.0.0.1:8080/authorize?client_id=cli&code_challenge=abc&code_challenge_method=S256&redirect_uri=http%3A%2F%2F127.0.0.1%3A43121%2Fcallback&response_type=code&scope=openid+read&state=xyz"
)

func seg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// testToken is a response with a JWT access token and ID token claims.
func testToken() *flow.TokenResponse {
	at := seg(`{"alg":"RS256","kid":"k1"}`) + "." + seg(`{"iss":"http://127.0.0.1:8080","sub":"alice","exp":1795429800,"scope":"openid read"}`) + ".c2ln"
	return &flow.TokenResponse{AccessToken: at, TokenType: "Bearer", Scope: "openid read", RefreshToken: "RT",
		ExpiresAt: start.Add(30 * time.Minute), IDTokenClaims: []byte(`{"sub":"alice","aud":"cli","nonce":"n1","auth_time":1795428000}`)}
}

type harness struct {
	c         *fakeclock.Clock // the Bubble Tea program reads it in its own goroutine
	cancelled int
	opened    []string
	openErr   error
}

func (h *harness) model(headless, manual bool) tea.Model {
	cfg := Config{Title: "oauthkit flow authcode", Now: h.c.Now, Styles: theme.Plain(), Cancel: func() { h.cancelled++ }, Manual: manual,
		Open: func(u string) error { h.opened = append(h.opened, u); return h.openErr }}
	if headless {
		cfg.Open = nil
	}
	return New(cfg)
}

func newHarness() *harness { return &harness{c: fakeclock.New(start)} }

// send applies msgs in order and returns the model and the last command.
func send(m tea.Model, msgs ...tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	for _, msg := range msgs {
		m, cmd = m.Update(msg)
	}
	return m, cmd
}

func runningMsgs() []tea.Msg {
	return []tea.Msg{
		DiscoveredMsg{Issuer: "http://127.0.0.1:8080"},
		EventMsg{Step: flow.StepListening, URL: redirect},
		EventMsg{Step: flow.StepAuthorizationURL, URL: authURL},
		EventMsg{Step: flow.StepWaiting, Deadline: start.Add(5 * time.Minute)},
		EventMsg{Step: flow.StepBrowserOpened},
	}
}

func key(s string) tea.KeyMsg { return tuitest.Key(s) }

func isQuit(cmd tea.Cmd) bool { return tuitest.IsQuit(cmd) }

func TestStepsWhileWaiting(t *testing.T) {
	h := newHarness()
	m, _ := send(h.model(false, false), runningMsgs()...)
	h.c.Set(start.Add(8 * time.Second))
	m, cmd := m.Update(TickMsg{})
	if cmd == nil {
		t.Error("the tick did not schedule the next one")
	}
	want := []string{
		" ✓ discovery      http://127.0.0.1:8080",
		" ✓ catcher        listening on " + redirect,
		" ✓ browser        opened (the URL is printed above)",
		"waiting        for the authorization response · 4m52s left",
		" · code exchange",
		"o open the browser again · q cancel",
	}
	for _, w := range want {
		if !strings.Contains(m.View(), w) {
			t.Errorf("want %q in\n%s", w, m.View())
		}
	}
}

func TestAuthorizationURLIsPrintedWhole(t *testing.T) {
	h := newHarness()
	_, cmd := send(h.model(false, false), EventMsg{Step: flow.StepAuthorizationURL, URL: authURL})
	if cmd == nil {
		t.Fatal("no command to print the URL")
	}
	// tea.Println's message type is unexported; its text is in its fields.
	if got := fmt.Sprintf("%+v", cmd()); !strings.Contains(got, "\n\n"+authURL+"\n") {
		t.Errorf("print message %q lacks the whole URL", got)
	}
}

func TestBrowserStates(t *testing.T) {
	tests := []struct {
		name             string
		headless, manual bool
		msgs             []tea.Msg
		want             string
	}{
		{"manual", false, true, nil, " · browser        open the URL above in a browser"},
		{"headless", true, false, []tea.Msg{EventMsg{Step: flow.StepHeadless}}, " ✓ browser        none (--headless: oauthkit follows the redirects)"},
		{"failed", false, false, []tea.Msg{EventMsg{Step: flow.StepBrowserFailed, Err: errors.New("no display")}},
			" ! browser        could not open: no display · open the URL above yourself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness()
			m, _ := send(h.model(tt.headless, tt.manual), tt.msgs...)
			if !strings.Contains(m.View(), tt.want) {
				t.Errorf("want %q in\n%s", tt.want, m.View())
			}
		})
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name      string
		done      bool
		key       string
		quit      bool
		cancelled bool
	}{
		{"q cancels the running flow", false, "q", true, true},
		{"ctrl+c cancels", false, "ctrl+c", true, true},
		{"esc cancels", false, "esc", true, true},
		{"enter does nothing while running", false, "enter", false, false},
		{"q after the summary just quits", true, "q", true, false},
		{"enter after the summary quits", true, "enter", true, false},
		{"x is ignored", false, "x", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness()
			msgs := runningMsgs()
			if tt.done {
				msgs = append(msgs, DoneMsg{Token: testToken()})
			}
			m, _ := send(h.model(false, false), msgs...)
			m, cmd := m.Update(key(tt.key))
			if isQuit(cmd) != tt.quit {
				t.Errorf("quit = %v, want %v", isQuit(cmd), tt.quit)
			}
			if got := m.(Model).Cancelled(); got != tt.cancelled {
				t.Errorf("Cancelled() = %v, want %v", got, tt.cancelled)
			}
			if want := map[bool]int{true: 1}[tt.cancelled]; h.cancelled != want {
				t.Errorf("Cancel called %d times, want %d", h.cancelled, want)
			}
		})
	}
}

// A cancelled view leaves nothing behind: no frozen spinner, no help line,
// no second "cancelled" (the command's error line is the one line).
func TestCancelLeavesNoFrame(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c", "esc"} {
		t.Run(k, func(t *testing.T) {
			h := newHarness()
			m, _ := send(h.model(false, false), runningMsgs()...)
			if !strings.Contains(m.View(), "for the authorization response") {
				t.Fatalf("not waiting:\n%s", m.View())
			}
			m, _ = m.Update(key(k))
			if v := m.View(); v != "" {
				t.Errorf("after %s the view still draws:\n%s", k, v)
			}
			if f := m.(Model).Final(); f != "" {
				t.Errorf("after %s Final = %q, want nothing to print", k, f)
			}
		})
	}
}

// tallToken has an access token with more claims than an 80x24 screen
// has lines.
func tallToken() *flow.TokenResponse {
	tr := testToken()
	var claims []string
	for i := range 30 {
		claims = append(claims, fmt.Sprintf(`"claim%02d":"value %d"`, i, i))
	}
	tr.AccessToken = seg(`{"alg":"RS256"}`) + "." + seg(`{"sub":"alice",`+strings.Join(claims, ",")+`}`) + ".c2ln"
	return tr
}

// The summary after exit is whole, however tall: Final has every line the
// live view could only show a screenful of.
func TestFinalIsTheWholeSummary(t *testing.T) {
	for _, closeWhenDone := range []bool{true, false} {
		t.Run(fmt.Sprintf("CloseWhenDone=%v", closeWhenDone), func(t *testing.T) {
			h := newHarness()
			cfg := Config{Title: "oauthkit flow authcode", Now: h.c.Now, Styles: theme.Plain(), Cancel: func() {}, CloseWhenDone: closeWhenDone}
			m, _ := send(New(cfg), append([]tea.Msg{tea.WindowSizeMsg{Width: 80, Height: 24}}, runningMsgs()...)...)
			m, cmd := send(m, EventMsg{Step: flow.StepCallback}, EventMsg{Step: flow.StepExchanged}, DoneMsg{Token: tallToken()})
			if !closeWhenDone {
				if isQuit(cmd) {
					t.Fatal("the summary closed without a key")
				}
				if n := strings.Count(m.View(), "\n") + 1; n > 24 {
					t.Errorf("the live view is %d lines on a 24-line screen", n)
				}
				m, cmd = m.Update(key("enter"))
			}
			if !isQuit(cmd) {
				t.Fatal("the view did not close")
			}
			if v := m.View(); v != "" {
				t.Errorf("the closed view still draws:\n%s", v)
			}
			final := m.(Model).Final()
			lines := strings.Split(final, "\n")
			if len(lines) <= 24 {
				t.Errorf("Final is %d lines; the test needs a summary taller than the screen", len(lines))
			}
			want := []string{" ✓ discovery      http://127.0.0.1:8080", " ✓ code exchange  tokens received", "  refresh  yes",
				`  claim00  "value 0"`, `  claim29  "value 29"`, "ID token claims (verified)", "  auth_time  1795428000  2026-11-23T10:00:00Z (now)"}
			for _, w := range want {
				if !hasLine(final, w) {
					t.Errorf("no line %q in Final:\n%s", w, final)
				}
			}
		})
	}
}

func TestReopenBrowser(t *testing.T) {
	h := newHarness()
	m, _ := send(h.model(false, false), runningMsgs()...)
	m, cmd := m.Update(key("o"))
	if cmd == nil {
		t.Fatal("o did nothing")
	}
	m, _ = m.Update(cmd())
	if len(h.opened) != 1 || h.opened[0] != authURL {
		t.Fatalf("opened %q", h.opened)
	}
	if !strings.Contains(m.View(), " ✓ browser        opened again (1)") {
		t.Errorf("view:\n%s", m.View())
	}
	h.openErr = errors.New("xdg-open: not found")
	m, cmd = m.Update(key("o"))
	m, _ = m.Update(cmd())
	if !strings.Contains(m.View(), "could not open: xdg-open: not found") {
		t.Errorf("view:\n%s", m.View())
	}
	// Headless: no browser to reopen.
	hh := newHarness()
	m, _ = send(hh.model(true, false), append(runningMsgs(), EventMsg{Step: flow.StepHeadless})...)
	if _, cmd := m.Update(key("o")); cmd != nil {
		t.Error("o acted in headless mode")
	}
	if strings.Contains(m.View(), "o open") {
		t.Errorf("headless help offers o:\n%s", m.View())
	}
}

func TestFailureMarksTheStep(t *testing.T) {
	tests := []struct {
		name string
		msgs []tea.Msg
		want string
	}{
		{"at the callback", runningMsgs(), " ✗ callback       authorization response answered error=access_denied"},
		{"at the exchange", append(runningMsgs(), EventMsg{Step: flow.StepCallback}), " ✗ code exchange  authorization response answered error=access_denied"},
		{"before listening", []tea.Msg{DiscoveredMsg{}}, " ✗ catcher        authorization response answered error=access_denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness()
			m, _ := send(h.model(false, false), tt.msgs...)
			m, cmd := m.Update(DoneMsg{Err: errors.New("authorization response answered error=access_denied\nsecond line")})
			if !isQuit(cmd) {
				t.Error("a failed flow does not close the view")
			}
			if v := m.View(); v != "" {
				t.Errorf("the closed view still draws a frame:\n%s", v)
			}
			if f := m.(Model).Final(); !strings.Contains(f, tt.want) || strings.Contains(f, "second line") {
				t.Errorf("want %q in\n%s", tt.want, f)
			}
		})
	}
}

// With standard output read by a script, the view closes with the token;
// otherwise the summary stays until a key.
func TestCloseWhenDone(t *testing.T) {
	for _, closeWhenDone := range []bool{false, true} {
		h := newHarness()
		cfg := Config{Title: "t", Now: h.c.Now, Styles: theme.Plain(), Cancel: func() {}, CloseWhenDone: closeWhenDone}
		_, cmd := send(New(cfg), append(runningMsgs(), EventMsg{Step: flow.StepCallback}, EventMsg{Step: flow.StepExchanged}, DoneMsg{Token: testToken()})...)
		if isQuit(cmd) != closeWhenDone {
			t.Errorf("CloseWhenDone=%v: view closed = %v", closeWhenDone, isQuit(cmd))
		}
	}
}

func TestSummaryCountdown(t *testing.T) {
	h := newHarness()
	m, _ := send(h.model(false, false), append(runningMsgs(), tea.WindowSizeMsg{Width: 120, Height: 40}, EventMsg{Step: flow.StepCallback}, EventMsg{Step: flow.StepExchanged}, DoneMsg{Token: testToken()})...)
	if !strings.HasSuffix(m.View(), "\nq/enter done") {
		t.Errorf("help line at 120x40:\n%s", m.View())
	}
	for _, w := range []string{"  expires  in 30m (2026-11-23T10:30:00Z)", "  refresh  yes", "  scopes   openid read", `  sub    "alice"`, `  nonce      "n1"`} {
		if !strings.Contains(m.View(), w) {
			t.Errorf("want %q in\n%s", w, m.View())
		}
	}
	h.c.Set(start.Add(31 * time.Minute))
	m, _ = m.Update(TickMsg{})
	if !strings.Contains(m.View(), "  expires  expired 1m ago") {
		t.Errorf("countdown did not follow the clock:\n%s", m.View())
	}
}

// While waiting, the view is as tall as its lines, so the authorization
// URL printed above it stays on an 80x24 screen.
func TestShortViewNotPadded(t *testing.T) {
	h := newHarness()
	m, _ := send(h.model(false, true), append(runningMsgs(), tea.WindowSizeMsg{Width: 80, Height: 24})...)
	lines := strings.Split(m.View(), "\n")
	if len(lines) > 12 {
		t.Errorf("waiting view is %d lines:\n%s", len(lines), m.View())
	}
	if lines[len(lines)-1] == "" || strings.TrimSpace(lines[len(lines)-2]) == "" {
		t.Errorf("blank padding at the end:\n%q", lines)
	}
}

func TestResize(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {50, 12}} {
		w, hgt := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, hgt), func(t *testing.T) {
			h := newHarness()
			m, _ := send(h.model(false, false), append(runningMsgs(), tea.WindowSizeMsg{Width: w, Height: hgt}, DoneMsg{Token: testToken()})...)
			gw, gh := m.(Model).Size()
			if gw != w || gh != hgt {
				t.Fatalf("size %dx%d", gw, gh)
			}
			lines := strings.Split(m.View(), "\n")
			if hgt < 30 && lines[len(lines)-1] != "↑/↓ scroll · q/enter done" {
				t.Errorf("help line %q", lines[len(lines)-1])
			}
			// A body longer than the screen fills it; a shorter one is not
			// padded (TestShortViewNotPadded).
			if (hgt < 30 && len(lines) != hgt) || len(lines) > hgt {
				t.Errorf("%d lines at height %d", len(lines), hgt)
			}
			for i, l := range lines {
				if n := ansi.StringWidth(l); n > w {
					t.Errorf("line %d is %d wide: %q", i+1, n, l)
				}
			}
		})
	}
}

// The implicit grant has no code exchange: its last step is the tokens taken
// from the redirect, marked only once they were checked (DoneMsg), and a
// failure after the callback (a bad ID token) is shown on that step.
func TestImplicitSteps(t *testing.T) {
	h := newHarness()
	cfg := Config{Title: "oauthkit flow implicit", Now: h.c.Now, Styles: theme.Plain(), Cancel: func() {}, Implicit: true}
	m, _ := send(New(cfg), runningMsgs()...)
	if v := m.View(); strings.Contains(v, "code exchange") || !hasLine(v, " · tokens") {
		t.Errorf("waiting implicit view:\n%s", v)
	}
	m, _ = send(m, EventMsg{Step: flow.StepCallback})
	if v := m.View(); !strings.Contains(v, " ✓ callback") || !hasLine(v, " · tokens") {
		t.Errorf("the tokens are marked before they were checked:\n%s", v)
	}
	ok, _ := send(m, DoneMsg{Token: testToken()})
	if v := ok.View(); !strings.Contains(v, " ✓ tokens         in the redirect (implicit grant: no code exchange)") || !strings.Contains(v, "ID token claims") {
		t.Errorf("done implicit view:\n%s", v)
	}
	bad, _ := send(m, DoneMsg{Err: errors.New("id_token: nonce does not match")})
	if v := bad.(Model).Final(); !strings.Contains(v, " ✗ tokens         id_token: nonce does not match") {
		t.Errorf("failed implicit view:\n%s", v)
	}
}

// hasLine: one line of view is want, padding aside.
func hasLine(view, want string) bool {
	for _, l := range strings.Split(view, "\n") {
		if strings.TrimRight(l, " ") == want {
			return true
		}
	}
	return false
}

// --headless: the URL printed above the view is not offered to a person.
func TestHeadlessURLLine(t *testing.T) {
	h := newHarness()
	cfg := Config{Title: "t", Now: h.c.Now, Styles: theme.Plain(), Cancel: func() {}, Headless: true}
	_, cmd := send(New(cfg), EventMsg{Step: flow.StepAuthorizationURL, URL: authURL})
	if cmd == nil {
		t.Fatal("the URL is not printed")
	}
	msg := fmt.Sprint(cmd())
	if !strings.Contains(msg, "Following the authorization URL without a browser (--headless):") || strings.Contains(msg, "Open this URL") || !strings.Contains(msg, authURL) {
		t.Errorf("printed %q", msg)
	}
}
