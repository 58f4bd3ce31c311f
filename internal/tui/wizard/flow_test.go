package wizard

import (
	"slices"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

func testProfiles() map[string]*flow.Profile {
	return map[string]*flow.Profile{
		"staging": {Issuer: "https://staging.example", ClientID: "st"},
		"demo": {Issuer: "http://127.0.0.1:8080", ClientID: "oauthkit-demo", ClientSecretFile: "/home/me/demo.secret",
			Scopes: []string{"openid", "read"}},
	}
}

// commandOf records what the wizard shows as the command line.
func commandOf(a FlowAnswers) string {
	return "CMD " + a.Grant + " " + a.ClientID + " " + strings.Join(a.Scopes, ",")
}

func newFlow(profiles map[string]*flow.Profile) Model {
	return NewFlow(FlowConfig{Profiles: profiles, Styles: theme.Plain(), Command: commandOf})
}

// asked presses keys and returns the IDs of the questions on the way.
func asked(t *testing.T, m Model, steps ...string) (Model, []string) {
	t.Helper()
	var ids []string
	for _, s := range steps {
		ids = append(ids, m.Current())
		if s == "" {
			m, _ = press(m, "enter")
			continue
		}
		m, _ = press(m, s, "enter")
	}
	return m, ids
}

func TestFlowWizardClientCredentials(t *testing.T) {
	m, _ := press(newFlow(nil), "2") // no profiles: the grant comes first
	m, ids := asked(t, m, "http://127.0.0.1:8080", "oauthkit-demo", "s3cret", "openid read")
	if want := []string{"issuer", "client_id", "client_secret", "scopes"}; !slices.Equal(ids, want) {
		t.Errorf("asked %v, want %v", ids, want)
	}
	if m.Current() != "run" || !strings.Contains(m.View(), "the same as: CMD client-credentials oauthkit-demo openid,read") {
		t.Fatalf("the last question does not show the command:\n%s", m.View())
	}
	m, _ = press(m, "enter")
	a := FlowAnswersOf(m.Values())
	want := FlowAnswers{Grant: "client-credentials", Issuer: "http://127.0.0.1:8080", ClientID: "oauthkit-demo", ClientSecret: "s3cret",
		Scopes: []string{"openid", "read"}}
	if a.Grant != want.Grant || a.Issuer != want.Issuer || a.ClientID != want.ClientID || a.ClientSecret != want.ClientSecret ||
		!slices.Equal(a.Scopes, want.Scopes) || a.Profile != "" || a.TokenURL != "" {
		t.Errorf("answers %+v, want %+v", a, want)
	}
}

// Each grant asks its own questions; no issuer means endpoint URLs.
func TestFlowWizardQuestionsPerGrant(t *testing.T) {
	tests := []struct {
		grant string
		keys  []string
		want  []string
	}{
		{"1", []string{"", "http://127.0.0.1:8080/authorize", "http://127.0.0.1:8080/token", "cli", "", "openid"},
			[]string{"issuer", "authorize_url", "token_url", "client_id", "client_secret", "scopes"}},
		{"3", []string{"http://127.0.0.1:8080", "cli", "", "alice", "pw", ""},
			[]string{"issuer", "client_id", "client_secret", "username", "password", "scopes"}},
		{"4", []string{"", "http://127.0.0.1:8080/authorize", "spa", "read"},
			[]string{"issuer", "authorize_url", "client_id", "scopes"}},
		{"5", []string{"", "http://127.0.0.1:8080/token", "cli", "", "RT", ""},
			[]string{"issuer", "token_url", "client_id", "client_secret", "refresh_token", "scopes"}},
	}
	for _, tt := range tests {
		m, _ := press(newFlow(nil), tt.grant)
		m, ids := asked(t, m, tt.keys...)
		if !slices.Equal(ids, tt.want) {
			t.Errorf("grant %s: asked %v, want %v", tt.grant, ids, tt.want)
		}
		if m.Current() != "run" {
			t.Errorf("grant %s: ends at %q, not the run question", tt.grant, m.Current())
		}
	}
}

func TestFlowWizardRefusesBadAnswers(t *testing.T) {
	tests := []struct {
		keys []string
		want string
	}{
		{[]string{"2", "http://as.example.com"}, "plain http to a host that is not loopback"},
		{[]string{"2", "ftp://x"}, "is not an absolute http or https URL"},
		{[]string{"2", "", ""}, "the token endpoint is required when no issuer is given"},
		{[]string{"2", "http://127.0.0.1:1", ""}, "the client ID is required"},
		{[]string{"3", "http://127.0.0.1:1", "cli", "", ""}, "the username is required"},
		{[]string{"5", "http://127.0.0.1:1", "cli", "", ""}, "the refresh token is required"},
	}
	for _, tt := range tests {
		m, _ := press(newFlow(nil), tt.keys[0])
		before := ""
		for _, k := range tt.keys[1:] {
			before = m.Current()
			if k != "" {
				m, _ = press(m, k)
			}
			m, _ = press(m, "enter")
		}
		if m.Current() != before || !strings.Contains(m.View(), "✗ ") || !strings.Contains(m.View(), tt.want) {
			t.Errorf("%q: current %q (was %q):\n%s", tt.keys, m.Current(), before, m.View())
		}
	}
}

// A profile prefills the answers; the secret question names its source.
func TestFlowWizardFromProfile(t *testing.T) {
	m := newFlow(testProfiles())
	v := m.View()
	if m.Current() != "profile" || !strings.Contains(v, "1. (none)") || !strings.Contains(v, "2. demo     http://127.0.0.1:8080") ||
		!strings.Contains(v, "3. staging  https://staging.example") {
		t.Fatalf("profile question:\n%s", v)
	}
	m, _ = press(m, "2", "2")
	if !strings.Contains(m.View(), "> http://127.0.0.1:8080") {
		t.Errorf("issuer not prefilled:\n%s", m.View())
	}
	m, _ = press(m, "enter")
	if !strings.Contains(m.View(), "> oauthkit-demo") {
		t.Errorf("client id not prefilled:\n%s", m.View())
	}
	m, _ = press(m, "enter")
	if !strings.Contains(m.View(), "empty: the profile's file /home/me/demo.secret") {
		t.Errorf("the secret question does not name the profile's file:\n%s", m.View())
	}
	m, _ = press(m, "enter")
	if !strings.Contains(m.View(), "> openid read") {
		t.Errorf("scopes not prefilled:\n%s", m.View())
	}
	m, _ = press(m, "enter", "enter")
	a := FlowAnswersOf(m.Values())
	if a.Profile != "demo" || a.ClientID != "oauthkit-demo" || a.ClientSecret != "" || !slices.Equal(a.Scopes, []string{"openid", "read"}) {
		t.Errorf("answers %+v", a)
	}
}

// Going back to another profile brings its values, not the first one's.
func TestFlowWizardProfileChanged(t *testing.T) {
	m, _ := press(newFlow(testProfiles()), "2", "2", "enter")
	m, _ = press(m, "esc", "esc", "esc", "3", "2")
	if !strings.Contains(m.View(), "> https://staging.example") {
		t.Errorf("the issuer of the profile chosen second is not offered:\n%s", m.View())
	}
}

// "go back" on the last question returns to the scopes.
func TestFlowWizardGoBack(t *testing.T) {
	m, _ := press(newFlow(nil), "2")
	m, _ = asked(t, m, "http://127.0.0.1:8080", "cli", "", "read")
	m, cmd := press(m, "2")
	if m.Current() != "scopes" || cmd != nil {
		t.Fatalf("go back: current %q", m.Current())
	}
}
