// Package dashboard is the live screen of `oauthkit serve --tui`: the
// issuer, the store and the demo credentials (secrets masked until s is
// pressed), the most recent requests newest first, and counters per grant
// type and per error code. It is drawn on standard error; q stops the
// server. The model never sees a secret of a request, only what Request
// carries.
package dashboard

import (
	"sort"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// MaxRequests is how many recent requests the dashboard keeps.
const MaxRequests = 200

// Default size until the terminal tells its own.
const (
	DefaultWidth  = 80
	DefaultHeight = 24
)

// Request is one answered HTTP request, as the server's recorder saw it.
// It holds no secret: no query string, no credentials, no token.
type Request struct {
	Time      time.Time
	Method    string
	Path      string
	ClientID  string // "" when unknown
	GrantType string // /token only
	Status    int
	Latency   time.Duration
	Error     string // OAuth error code of a failed request, e.g. invalid_client
}

// Demo are the zero-config demo registrations shown in the header.
type Demo struct {
	ClientID       string
	ClientSecret   string
	PublicClientID string
	Username       string
	Password       string
}

// Config is what the dashboard shows besides the requests.
type Config struct {
	Issuer string
	Store  string
	// Source describes where clients and users come from when there is
	// no demo, e.g. "config oauthkit.yaml (2 clients, 1 user)".
	Source string
	Demo   *Demo
	// Now is the clock; Started is when the server started (uptime).
	Now     func() time.Time
	Started time.Time
	Styles  theme.Styles
}

// Messages the command sends to the program.
type (
	// RequestMsg reports an answered request.
	RequestMsg Request
	// TickMsg redraws with the clock's time (uptime).
	TickMsg struct{}
)

// Count is one counter line entry.
type Count struct {
	Name string
	N    int
}

// Model is the Bubble Tea model of the dashboard.
type Model struct {
	cfg        Config
	width      int
	height     int
	requests   []Request // newest first, at most MaxRequests
	total      int
	grants     map[string]int
	errors     map[string]int
	showSecret bool
	quitting   bool
}

// New returns the dashboard.
func New(cfg Config) Model {
	return Model{cfg: cfg, width: DefaultWidth, height: DefaultHeight,
		grants: map[string]int{}, errors: map[string]int{}}
}

// Init starts the clock.
func (m Model) Init() tea.Cmd { return tick() }

func tick() tea.Cmd { return tea.Tick(time.Second, func(time.Time) tea.Msg { return TickMsg{} }) }

// Update handles requests, keys, resizes and ticks.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch msg.String() {
		case "q", "ctrl+c", "esc":
			m.quitting = true
			return m, tea.Quit
		case "s":
			m.showSecret = !m.showSecret
		}
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 20), max(msg.Height, 4)
	case RequestMsg:
		m.add(Request(msg))
	case TickMsg:
		if !m.quitting {
			return m, tick()
		}
	}
	return m, nil
}

// add records r: newest first, the oldest dropped past MaxRequests.
// Counters count every request, also those no longer listed.
func (m *Model) add(r Request) {
	m.total++
	if r.GrantType != "" {
		m.grants[r.GrantType]++
	}
	if r.Error != "" {
		m.errors[r.Error]++
	}
	n := min(len(m.requests)+1, MaxRequests)
	rs := make([]Request, n)
	rs[0] = r
	copy(rs[1:], m.requests)
	m.requests = rs
}

// Requests returns the kept requests, newest first.
func (m Model) Requests() []Request { return append([]Request(nil), m.requests...) }

// Total is the number of requests seen since the start.
func (m Model) Total() int { return m.total }

// Grants returns the /token requests per grant type, most first (then by name).
func (m Model) Grants() []Count { return sorted(m.grants) }

// Errors returns the failed requests per error code, most first (then by name).
func (m Model) Errors() []Count { return sorted(m.errors) }

// SecretShown reports whether the demo secrets are shown in clear.
func (m Model) SecretShown() bool { return m.showSecret }

// Quitting reports whether the person asked to stop the server.
func (m Model) Quitting() bool { return m.quitting }

// Size is the size the model draws at.
func (m Model) Size() (width, height int) { return m.width, m.height }

func sorted(c map[string]int) []Count {
	out := make([]Count, 0, len(c))
	for k, n := range c {
		out = append(out, Count{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Name < out[j].Name
	})
	return out
}
