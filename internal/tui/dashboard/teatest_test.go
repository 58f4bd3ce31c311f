package dashboard

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// TestScreen runs the dashboard in a Bubble Tea program at a fixed size,
// clock and colour profile (ASCII), feeds it requests, shows the secrets
// with s, stops it with q and compares the final frame with
// testdata/TestScreen/<size>.golden (go test -update rewrites them).
func TestScreen(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			c := &clock{start.Add(2*time.Minute + 5*time.Second)}
			tm := teatest.NewTestModel(t, New(testConfig(c)), teatest.WithInitialTermSize(size[0], size[1]))
			for _, msg := range requestMsgs(sampleRequests()) {
				tm.Send(msg)
			}
			wait(t, tm, "not_found 1")
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("s")})
			wait(t, tm, "S3cr3t-client")
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

func wait(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) }, teatest.WithDuration(5*time.Second))
}
