package jwtview

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// TestScreen runs the screen in a Bubble Tea program at a fixed size, clock
// and colour profile (ASCII) and compares its final frame with
// testdata/TestScreen/<size>.golden (go test -update rewrites them).
func TestScreen(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			c := &clock{start.Add(90 * time.Second)}
			info := sampleInfo(t, sampleClaims)
			info.Verify = Verification{Checked: true, OK: true, Detail: "ES256 signature by key k1"}
			tm := teatest.NewTestModel(t, New(info, c.now, theme.Plain()), teatest.WithInitialTermSize(size[0], size[1]))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("expires in 10m30s")) },
				teatest.WithDuration(5*time.Second))
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
			m, ok := fm.(Model)
			if !ok || !m.Quitting() {
				t.Fatalf("final model %T did not quit", fm)
			}
			teatest.RequireEqualOutput(t, []byte(m.View()))
		})
	}
}
