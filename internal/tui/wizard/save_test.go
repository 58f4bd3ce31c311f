package wizard

import (
	"slices"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

func newSave(secret bool, exists ...string) Model {
	return NewSave(SaveConfig{Grant: "client-credentials", Existing: map[string]bool{"demo": true}, DefaultName: "127.0.0.1-8080",
		Secret: secret, Dir: "/home/me/.config/oauthkit", Styles: theme.Plain(),
		Exists: func(p string) bool { return slices.Contains(exists, p) }})
}

func TestSaveNo(t *testing.T) {
	m := newSave(true)
	if !strings.Contains(m.View(), "next time: oauthkit flow client-credentials --profile NAME") {
		t.Errorf("no hint:\n%s", m.View())
	}
	m, cmd := press(m, "2")
	if !isQuit(cmd) || SaveAnswersOf(m.Values()).Save {
		t.Errorf("no: %+v", SaveAnswersOf(m.Values()))
	}
}

func TestSaveWithEnvironmentVariable(t *testing.T) {
	m, _ := press(newSave(true), "1")
	if !strings.Contains(m.View(), "> 127.0.0.1-8080") {
		t.Fatalf("name not offered:\n%s", m.View())
	}
	m, _ = press(m, "enter", "1")
	if !strings.Contains(m.View(), "> OAUTHKIT_127_0_0_1_8080_CLIENT_SECRET") {
		t.Fatalf("variable not offered:\n%s", m.View())
	}
	m, cmd := press(m, "enter")
	got := SaveAnswersOf(m.Values())
	want := SaveAnswers{Save: true, Name: "127.0.0.1-8080", Secret: SecretEnv, SecretEnv: "OAUTHKIT_127_0_0_1_8080_CLIENT_SECRET"}
	if !isQuit(cmd) || got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestSaveWithFile(t *testing.T) {
	m, _ := press(newSave(true, "/home/me/.config/oauthkit/ci.secret"), "1", "ctrl+u")
	m, _ = asked(t, m, "ci")
	m, _ = press(m, "2")
	if !strings.Contains(m.View(), "> /home/me/.config/oauthkit/ci.secret") {
		t.Fatalf("file not offered:\n%s", m.View())
	}
	m, _ = press(m, "enter")
	if !strings.Contains(m.View(), "✗ /home/me/.config/oauthkit/ci.secret exists; it is not overwritten") || m.Done() {
		t.Fatalf("an existing file was accepted:\n%s", m.View())
	}
	for range len("ci.secret") {
		m, _ = press(m, "backspace")
	}
	m, cmd := press(m, "ci2.secret", "enter")
	got := SaveAnswersOf(m.Values())
	if !isQuit(cmd) || got.Secret != SecretFile || got.SecretFile != "/home/me/.config/oauthkit/ci2.secret" || got.Name != "ci" {
		t.Errorf("got %+v", got)
	}
}

// Without a typed secret there is nothing to place; an existing name is
// replaced only when confirmed.
func TestSaveExistingName(t *testing.T) {
	m, _ := press(newSave(false), "1", "ctrl+u", "demo", "enter")
	if m.Current() != "replace" || !strings.Contains(m.View(), "1. replace demo") {
		t.Fatalf("no replace question:\n%s", m.View())
	}
	m, _ = press(m, "2")
	if m.Current() != "name" {
		t.Fatalf("choose another name: current %q", m.Current())
	}
	m, cmd := press(m, "2", "enter")
	if !isQuit(cmd) || SaveAnswersOf(m.Values()).Name != "demo2" || SaveAnswersOf(m.Values()).Secret != "" {
		t.Errorf("got %+v", SaveAnswersOf(m.Values()))
	}
	m, _ = press(newSave(false), "1", "ctrl+u", "demo", "enter", "1")
	if got := SaveAnswersOf(m.Values()); !m.Done() || got.Name != "demo" {
		t.Errorf("replace: %+v", got)
	}
}

func TestSaveRefusesNames(t *testing.T) {
	for _, name := range []string{"", "a b", "-x", "x:y", "ü", strings.Repeat("a", 65)} {
		m, _ := press(newSave(false), "1", "ctrl+u")
		if name != "" {
			m, _ = press(m, name)
		}
		m, _ = press(m, "enter")
		if m.Current() != "name" || !strings.Contains(m.View(), "profile name is 1 to 64 letters") {
			t.Errorf("%q accepted:\n%s", name, m.View())
		}
	}
	m, _ := press(newSave(true), "1", "enter", "1", "ctrl+u", "9X", "enter")
	if m.Current() != "secret_env" || !strings.Contains(m.View(), "not starting with a digit") {
		t.Errorf("variable 9X accepted:\n%s", m.View())
	}
}

func TestEnvNameFor(t *testing.T) {
	for in, want := range map[string]string{"demo": "OAUTHKIT_DEMO_CLIENT_SECRET", "my-ci.v2": "OAUTHKIT_MY_CI_V2_CLIENT_SECRET", "": "OAUTHKIT_CLIENT_SECRET"} {
		if got := EnvNameFor(in); got != want {
			t.Errorf("EnvNameFor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidEnvName(t *testing.T) {
	for _, s := range []string{"X", "_", "OAUTHKIT_DEMO_CLIENT_SECRET", "a1", strings.Repeat("A", 128)} {
		if !validEnvName(s) {
			t.Errorf("validEnvName(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", "9X", "A-B", "A B", "A.B", "É", strings.Repeat("A", 129)} {
		if validEnvName(s) {
			t.Errorf("validEnvName(%q) = true, want false", s)
		}
	}
}
