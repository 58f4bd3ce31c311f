package wizard

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/oauthkit/oauthkit/internal/tui/theme"
	"github.com/oauthkit/oauthkit/internal/tui/tuitest"
)

func key(s string) tea.KeyMsg { return tuitest.Key(s) }

// press applies keys in order; it returns the model and the last command.
func press(m tea.Model, keys ...string) (Model, tea.Cmd) {
	var cmd tea.Cmd
	for _, k := range keys {
		m, cmd = m.Update(key(k))
	}
	return m.(Model), cmd
}

func isQuit(cmd tea.Cmd) bool { return tuitest.IsQuit(cmd) }

// testForm: a choice, a text that depends on it, a secret, a text with a default.
func testForm() Model {
	return New("test", []Field{
		{ID: "kind", Kind: Select, Label: "kind", Title: "Kind?", Options: func(Values) []Option {
			return []Option{{Value: "a", Label: "alpha"}, {Value: "b", Label: "beta"}}
		}},
		{ID: "only_b", Kind: Text, Label: "only b", Title: "Only for beta", Skip: func(v Values) bool { return v["kind"] != "b" }},
		{ID: "pw", Kind: Secret, Label: "pw", Title: "Secret",
			Validate: func(s string, _ Values) error {
				if s == "" {
					return errors.New("the secret is required")
				}
				return nil
			}},
		{ID: "name", Kind: Text, Label: "name", Title: "Name", Default: func(v Values) string { return "def-" + v["kind"] }},
	}, theme.Plain())
}

func TestFormAnswersInOrder(t *testing.T) {
	m, cmd := press(testForm(), "enter", "s3cret", "enter")
	if m.Current() != "name" {
		t.Fatalf("after kind and secret, current = %q, want name (only_b skipped)", m.Current())
	}
	if !strings.Contains(m.View(), "> def-a") {
		t.Errorf("the default is not in the input:\n%s", m.View())
	}
	m, cmd = press(m, "enter")
	if !isQuit(cmd) || !m.Done() || m.Cancelled() {
		t.Fatalf("the last answer does not end the form (done %v, cancelled %v)", m.Done(), m.Cancelled())
	}
	got := m.Values()
	want := Values{"kind": "a", "pw": "s3cret", "name": "def-a"}
	if len(got) != len(want) {
		t.Fatalf("values %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestFormSelectKeys(t *testing.T) {
	m, _ := press(testForm(), "down", "enter")
	if m.Current() != "only_b" {
		t.Fatalf("down+enter: current %q, want only_b", m.Current())
	}
	m, _ = press(testForm(), "down", "down", "up", "enter")
	if m.Values()["kind"] != "b" {
		t.Errorf("down down up wraps to beta, got %q", m.Values()["kind"])
	}
	m, _ = press(testForm(), "2")
	if m.Values()["kind"] != "b" || m.Current() != "only_b" {
		t.Errorf("digit 2 picks beta at once: %v, current %q", m.Values(), m.Current())
	}
	m, _ = press(testForm(), "9")
	if m.Current() != "kind" {
		t.Errorf("a digit past the options picked something: current %q", m.Current())
	}
}

func TestFormValidation(t *testing.T) {
	m, cmd := press(testForm(), "enter", "enter")
	if m.Current() != "pw" || cmd != nil {
		t.Fatalf("an empty secret was accepted: current %q", m.Current())
	}
	if !strings.Contains(m.View(), "✗ the secret is required") {
		t.Errorf("no error under the input:\n%s", m.View())
	}
	m, _ = press(m, "x")
	if strings.Contains(m.View(), "✗") {
		t.Errorf("the error stays while typing:\n%s", m.View())
	}
}

// A secret is masked while typed and in the list of answers; ctrl+r shows it.
func TestFormSecretMasked(t *testing.T) {
	m, _ := press(testForm(), "enter", "hunter2")
	if v := m.View(); strings.Contains(v, "hunter2") || !strings.Contains(v, "> •••••••") {
		t.Errorf("the secret is not masked while typed:\n%s", v)
	}
	m, _ = press(m, "ctrl+r")
	if !strings.Contains(m.View(), "> hunter2") {
		t.Errorf("ctrl+r does not show it:\n%s", m.View())
	}
	m, _ = press(m, "ctrl+r", "enter")
	v := m.View()
	if strings.Contains(v, "hunter2") || !strings.Contains(v, "pw    "+masked) {
		t.Errorf("the list of answers shows the secret or not its mask:\n%s", v)
	}
	m, _ = press(m, "enter")
	if v := m.View(); strings.Contains(v, "hunter2") || !strings.Contains(v, masked) {
		t.Errorf("the final screen shows the secret:\n%s", v)
	}
}

// esc goes back with the answer kept; a changed earlier answer renews the
// defaults after it; the skipped field's old answer is not returned.
func TestFormBack(t *testing.T) {
	m, _ := press(testForm(), "2", "only", "enter", "pw", "enter")
	if m.Current() != "name" || !strings.Contains(m.View(), "> def-b") {
		t.Fatalf("current %q:\n%s", m.Current(), m.View())
	}
	m, _ = press(m, "esc")
	if m.Current() != "pw" {
		t.Fatalf("esc: current %q, want pw", m.Current())
	}
	m, _ = press(m, "esc", "esc")
	if m.Current() != "kind" {
		t.Fatalf("esc esc: current %q, want kind", m.Current())
	}
	m, _ = press(m, "up", "enter") // alpha now
	if m.Current() != "pw" {
		t.Fatalf("alpha skips only_b: current %q", m.Current())
	}
	if !strings.Contains(m.View(), "> ••") {
		t.Errorf("the typed secret was lost going back:\n%s", m.View())
	}
	m, _ = press(m, "enter")
	if !strings.Contains(m.View(), "> def-a") {
		t.Errorf("the default did not follow the new answer:\n%s", m.View())
	}
	m, _ = press(m, "enter")
	if _, ok := m.Values()["only_b"]; ok {
		t.Errorf("a skipped field's old answer is returned: %v", m.Values())
	}
}

func TestFormCancel(t *testing.T) {
	m, cmd := press(testForm(), "enter", "ctrl+c")
	if !isQuit(cmd) || !m.Cancelled() {
		t.Error("ctrl+c does not cancel")
	}
	if v := m.View(); v != "" {
		t.Errorf("cancelled view %q, want nothing left on the screen", v)
	}
	m, cmd = press(testForm(), "esc")
	if !isQuit(cmd) || !m.Cancelled() {
		t.Error("esc on the first question does not cancel")
	}
	m, _ = press(testForm(), "enter", "shift+tab")
	if m.Cancelled() {
		t.Error("shift+tab cancelled")
	}
}

// A Select option marked Back returns to the question before.
func TestFormBackOption(t *testing.T) {
	f := New("t", []Field{
		{ID: "name", Kind: Text, Label: "name", Title: "Name"},
		{ID: "sure", Kind: Select, Label: "sure", Title: "Sure?", Back: "no", Options: func(Values) []Option {
			return []Option{{Value: "yes", Label: "yes"}, {Value: "no", Label: "no, another"}}
		}},
	}, theme.Plain())
	m, cmd := press(f, "x", "enter", "2")
	if m.Current() != "name" || cmd != nil || m.Done() {
		t.Fatalf("the back option: current %q, done %v", m.Current(), m.Done())
	}
	m, cmd = press(m, "y", "enter", "1")
	if !isQuit(cmd) || m.Values()["name"] != "xy" || m.Values()["sure"] != "yes" {
		t.Errorf("values %v", m.Values())
	}
}

// On a short screen the question stays whole and the oldest answers give way.
func TestFormShortScreen(t *testing.T) {
	var fields []Field
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		fields = append(fields, Field{ID: id, Kind: Text, Label: id, Title: "Question " + id})
	}
	m := tea.Model(New("t", fields, theme.Plain()))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 40, Height: 8})
	for range 7 {
		m, _ = m.Update(key("v"))
		m, _ = m.Update(key("enter"))
	}
	v := m.View()
	lines := strings.Split(v, "\n")
	if len(lines) > 8 {
		t.Errorf("%d lines on an 8-line screen:\n%s", len(lines), v)
	}
	for _, want := range []string{"? Question h", "… ", "  g  v"} {
		if !strings.Contains(v, want) {
			t.Errorf("%q not in:\n%s", want, v)
		}
	}
}

func TestWrapKeepsQuotedWords(t *testing.T) {
	m := New("t", []Field{{ID: "a", Kind: Text}}, theme.Plain())
	m.width = 30
	got := m.wrap("oauthkit flow x --scope 'openid profile read' --client-id abc", 2)
	want := []string{"  oauthkit flow x --scope", "  'openid profile read'", "  --client-id abc"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	long := m.wrap(strings.Repeat("x", 60), 2)
	if len(long) != 3 || long[0] != "  "+strings.Repeat("x", 28) {
		t.Errorf("a long word: %q", long)
	}
}

// Fixing an earlier answer keeps what was typed after it; only answers
// that were still their default follow the new default.
func TestFormFixEarlierAnswerKeepsTyped(t *testing.T) {
	f := New("t", []Field{
		{ID: "issuer", Kind: Text, Label: "issuer", Title: "Issuer"},
		{ID: "client", Kind: Text, Label: "client", Title: "Client", Default: func(Values) string { return "" }},
		{ID: "derived", Kind: Text, Label: "derived", Title: "Derived", Default: func(v Values) string { return v["issuer"] + "/x" }},
		{ID: "end", Kind: Text, Label: "end", Title: "End"},
	}, theme.Plain())
	m, _ := press(f, "a", "enter", "myclient", "enter", "enter") // derived stays a/x
	m, _ = press(m, "esc", "esc", "esc", "b", "enter")
	if !strings.Contains(m.View(), "> myclient") {
		t.Errorf("the typed client id was dropped:\n%s", m.View())
	}
	m, _ = press(m, "enter")
	if !strings.Contains(m.View(), "> ab/x") {
		t.Errorf("the default answer did not follow the new issuer:\n%s", m.View())
	}
}

// A form whose every question is skipped is over before it starts.
func TestFormNothingToAsk(t *testing.T) {
	m := New("t", []Field{{ID: "a", Kind: Text, Skip: func(Values) bool { return true }}}, theme.Plain())
	if !m.Done() || m.Cancelled() || !isQuit(m.Init()) || m.Current() != "" || len(m.Values()) != 0 {
		t.Errorf("done %v, cancelled %v, current %q, values %v", m.Done(), m.Cancelled(), m.Current(), m.Values())
	}
	if m.View() != "t\n" {
		t.Errorf("view %q", m.View())
	}
}
