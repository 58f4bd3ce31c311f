package tuitest

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func TestKey(t *testing.T) {
	for s, want := range map[string]string{"enter": "enter", "ctrl+c": "ctrl+c", "shift+tab": "shift+tab", "q": "q", "abc": "abc", "ctrl+u": "ctrl+u"} {
		if got := Key(s).String(); got != want {
			t.Errorf("Key(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestIsQuit(t *testing.T) {
	if IsQuit(nil) || IsQuit(func() tea.Msg { return nil }) || !IsQuit(tea.Quit) {
		t.Error("IsQuit")
	}
}
