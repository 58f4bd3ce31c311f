package flowprogress

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// TestScreen drives the view in a Bubble Tea program (fixed size, clock
// and ASCII colour profile) through a whole flow: the authorization URL is
// printed whole above the view, the time left follows the injected clock,
// and the final summary frame equals testdata/TestScreen/<size>.golden
// (-update rewrites them).
func TestScreen(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := newHarness()
			tm := teatest.NewTestModel(t, h.model(false, false), teatest.WithInitialTermSize(size[0], size[1]))
			for _, msg := range runningMsgs() {
				tm.Send(msg)
			}
			wait(t, tm, "http://127.0.0.1:8080/authorize?client_id=cli&code_challenge=abc&code_challenge_method=S256&redirect_uri=http%3A%2F%2F127.0.0.1%3A43121%2Fcallback&response_type=code&scope=openid+read&state=xyz\r\n")
			wait(t, tm, "for the authorization response · 5m left")
			h.c.Set(start.Add(61 * time.Second))
			tm.Send(TickMsg{})
			wait(t, tm, "3m59s left")
			tm.Send(EventMsg{Step: flow.StepCallback})
			tm.Send(EventMsg{Step: flow.StepExchanged})
			tm.Send(DoneMsg{Token: testToken()})
			wait(t, tm, "done")
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
			if final.Cancelled() {
				t.Error("enter on the summary counted as a cancel")
			}
			if v := final.View(); v != "" {
				t.Errorf("the closed view still draws a frame:\n%s", v)
			}
			teatest.RequireEqualOutput(t, []byte(final.Final()))
		})
	}
}

func wait(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) }, teatest.WithDuration(5*time.Second))
}

// TestScreenImplicit is the summary frame of `flow implicit`: the last step
// is the tokens from the redirect, not a code exchange.
func TestScreenImplicit(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := newHarness()
			cfg := Config{Title: "oauthkit flow implicit", Now: h.c.Now, Styles: theme.Plain(), Cancel: func() {}, Implicit: true,
				Open: func(string) error { return nil }}
			tm := teatest.NewTestModel(t, New(cfg), teatest.WithInitialTermSize(size[0], size[1]))
			for _, msg := range runningMsgs() {
				tm.Send(msg)
			}
			wait(t, tm, "5m left")
			tm.Send(EventMsg{Step: flow.StepCallback})
			tm.Send(DoneMsg{Token: testToken()})
			wait(t, tm, "done")
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
			if v := final.View(); v != "" {
				t.Errorf("the closed view still draws a frame:\n%s", v)
			}
			teatest.RequireEqualOutput(t, []byte(final.Final()))
		})
	}
}
