package wizard

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

var sizes = [][2]int{{80, 24}, {120, 40}}

// TestScreens compares each kind of screen at 80x24 and 120x40 (ASCII
// colour profile) with testdata/TestScreens/<screen>/<size>.golden
// (go test -update rewrites them): the profile list, a masked secret with
// the answers above it, the command before running, and where to keep
// the secret of a saved profile.
func TestScreens(t *testing.T) {
	screens := []struct {
		name string
		m    func() tea.Model
		keys []string
	}{
		{"profile", func() tea.Model { return newFlow(testProfiles()) }, nil},
		{"secret", func() tea.Model { return newFlow(testProfiles()) }, []string{"2", "2", "enter", "enter", "hunter2"}},
		{"run", func() tea.Model { return NewFlow(FlowConfig{Styles: newFlow(nil).styles, Command: displayForTest}) },
			[]string{"3", "http://127.0.0.1:8080", "enter", "oauthkit-demo", "enter", "s3cret", "enter", "alice", "enter", "pw", "enter", "openid profile read", "enter"}},
		{"save-secret", func() tea.Model { return newSave(true) }, []string{"1", "ctrl+u", "ci", "enter"}},
	}
	for _, sc := range screens {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				m := sc.m()
				m, _ = m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				for _, k := range sc.keys {
					m, _ = m.Update(key(k))
				}
				teatest.RequireEqualOutput(t, []byte(m.View()))
			})
		}
	}
}

// displayForTest stands for the command's own rendering (flowcmd).
func displayForTest(a FlowAnswers) string {
	return fmt.Sprintf("OAUTHKIT_CLIENT_SECRET=… OAUTHKIT_PASSWORD=… oauthkit flow %s --issuer %s --client-id %s --username %s --scope 'openid profile read'",
		a.Grant, a.Issuer, a.ClientID, a.Username)
}

// TestProgram runs the flow wizard in a Bubble Tea program, keys in, and
// checks the questions it shows on the way and the answers it ends with;
// the final frame (the answers, the secret masked) is the golden file.
func TestProgram(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			tm := teatest.NewTestModel(t, newFlow(nil), teatest.WithInitialTermSize(size[0], size[1]))
			steps := []struct{ wait, typed string }{
				{"? Which grant?", "2"},
				{"? Issuer URL", "http://127.0.0.1:8080\r"},
				{"? Client ID", "oauthkit-demo\r"},
				{"? Client secret", "hunter2"},
				{"> •••••••", "\r"}, // masked while typed
				{"? Scopes", "read\r"},
				{"the same as: CMD client-credentials oauthkit-demo read", "\r"},
			}
			var drawn bytes.Buffer // everything drawn on the terminal
			for _, s := range steps {
				drawn.Write(waitFor(t, tm, s.wait))
				text, enter := strings.CutSuffix(s.typed, "\r")
				tm.Type(text)
				if enter {
					tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
				}
			}
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
			if final.Cancelled() || !final.Done() {
				t.Fatal("the wizard did not finish")
			}
			if a := FlowAnswersOf(final.Values()); a.ClientSecret != "hunter2" || a.Issuer != "http://127.0.0.1:8080" {
				t.Errorf("answers %+v", a)
			}
			rest, err := io.ReadAll(tm.FinalOutput(t))
			if err != nil {
				t.Fatal(err)
			}
			drawn.Write(rest)
			if bytes.Contains(drawn.Bytes(), []byte("hunter2")) || !bytes.Contains(drawn.Bytes(), []byte(masked)) {
				t.Error("the secret was drawn on the terminal, or its mask was not")
			}
			teatest.RequireEqualOutput(t, []byte(final.View()))
		})
	}
}

// waitFor waits until s is drawn and returns what was read meanwhile.
func waitFor(t *testing.T, tm *teatest.TestModel, s string) []byte {
	t.Helper()
	var seen []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen = b
		return bytes.Contains(b, []byte(s))
	}, teatest.WithDuration(5*time.Second))
	return seen
}
