package jwtview

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
	"github.com/oauthkit/oauthkit/internal/tui/tuitest"
)

// start is the fixed clock of these tests.
var start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// sampleInfo decodes an unsigned test token expiring 12m after start.
func sampleInfo(t *testing.T, claims string) Info {
	t.Helper()
	tok := seg(`{"alg":"ES256","kid":"k1","typ":"JWT"}`) + "." + seg(claims) + ".c2ln"
	d, err := token.Decode(tok)
	if err != nil {
		t.Fatal(err)
	}
	info, err := FromDecoded(d)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

const sampleClaims = `{"iss":"http://127.0.0.1:8080","sub":"alice","aud":["api","web"],"exp":1795428720,"iat":1795428000,"scope":"read write"}`

func key(s string) tea.KeyMsg { return tuitest.Key(s) }

func TestUpdateKeys(t *testing.T) {
	tests := []struct {
		key  string
		quit bool
	}{
		{"q", true}, {"esc", true}, {"ctrl+c", true}, {"x", false}, {"down", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			c := &clock{start}
			m := New(sampleInfo(t, sampleClaims), c.now, theme.Plain())
			next, cmd := m.Update(key(tt.key))
			got := next.(Model)
			if got.Quitting() != tt.quit {
				t.Errorf("quitting = %v, want %v", got.Quitting(), tt.quit)
			}
			isQuit := cmd != nil && isQuitMsg(cmd())
			if isQuit != tt.quit {
				t.Errorf("tea.Quit returned = %v, want %v", isQuit, tt.quit)
			}
		})
	}
}

func isQuitMsg(msg tea.Msg) bool { _, ok := msg.(tea.QuitMsg); return ok }

func TestTickCountsDown(t *testing.T) {
	c := &clock{start}
	var m tea.Model = New(sampleInfo(t, sampleClaims), c.now, theme.Plain())
	if !strings.Contains(m.View(), "expires in 12m (2026-11-23T10:12:00Z)") {
		t.Fatalf("first frame:\n%s", m.View())
	}
	tests := []struct {
		at   time.Duration
		want string
	}{
		{1 * time.Second, "expires in 11m59s (2026-11-23T10:12:00Z)"},
		{11*time.Minute + 30*time.Second, "expires in 30s (2026-11-23T10:12:00Z)"},
		{12 * time.Minute, "expired now (2026-11-23T10:12:00Z)"},
		{15 * time.Minute, "expired 3m ago (2026-11-23T10:12:00Z)"},
	}
	for _, tt := range tests {
		c.t = start.Add(tt.at)
		var cmd tea.Cmd
		m, cmd = m.Update(TickMsg{})
		if cmd == nil {
			t.Fatalf("at +%s: the tick did not schedule the next one", tt.at)
		}
		if !strings.Contains(m.View(), tt.want) {
			t.Errorf("at +%s: want %q in\n%s", tt.at, tt.want, m.View())
		}
	}
	// The exp claim's own line follows the clock too.
	if !strings.Contains(m.View(), "exp    1795428720  2026-11-23T10:12:00Z (3m ago)") {
		t.Errorf("exp line not updated:\n%s", m.View())
	}
}

func TestTickAfterQuitStops(t *testing.T) {
	c := &clock{start}
	m, _ := New(sampleInfo(t, sampleClaims), c.now, theme.Plain()).Update(key("q"))
	if _, cmd := m.Update(TickMsg{}); cmd != nil {
		t.Error("a tick after quitting scheduled another tick")
	}
}

func TestResize(t *testing.T) {
	long := `{"exp":1795428720,"scope":"` + strings.Repeat("scope:x ", 40) + `"}`
	for _, size := range [][2]int{{80, 24}, {120, 40}, {40, 10}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			c := &clock{start}
			m, _ := New(sampleInfo(t, long), c.now, theme.Plain()).Update(tea.WindowSizeMsg{Width: w, Height: h})
			gw, gh := m.(Model).Size()
			if gw != w || gh != h {
				t.Fatalf("size = %dx%d, want %dx%d", gw, gh, w, h)
			}
			lines := strings.Split(m.View(), "\n")
			if len(lines) != h {
				t.Errorf("%d lines, want %d:\n%s", len(lines), h, m.View())
			}
			for i, l := range lines {
				if n := ansi.StringWidth(l); n > w {
					t.Errorf("line %d is %d columns wide (> %d): %q", i+1, n, w, l)
				}
			}
		})
	}
}

func TestScrollShowsHelp(t *testing.T) {
	c := &clock{start}
	long := `{"exp":1795428720,"scope":"` + strings.Repeat("scope:x ", 60) + `"}`
	var m tea.Model = New(sampleInfo(t, long), c.now, theme.Plain())
	m, _ = m.Update(tea.WindowSizeMsg{Width: 80, Height: 10})
	if !strings.HasSuffix(m.View(), "↑/↓ scroll · q quit") {
		t.Fatalf("help line of a long body:\n%s", m.View())
	}
	first := strings.Split(m.View(), "\n")[0]
	m, _ = m.Update(key("down"))
	if got := strings.Split(m.View(), "\n")[0]; got == first {
		t.Errorf("down did not scroll: first line still %q", got)
	}
}

func decodeInfo(t *testing.T, tok string) Info {
	t.Helper()
	d, err := token.Decode(tok)
	if err != nil {
		t.Fatal(err)
	}
	info, err := FromDecoded(d)
	if err != nil {
		t.Fatal(err)
	}
	return info
}
