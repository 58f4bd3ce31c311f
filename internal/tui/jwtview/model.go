package jwtview

import (
	"time"

	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// Default size until the terminal tells its own.
const (
	DefaultWidth  = 80
	DefaultHeight = 24
)

// TickMsg asks the screen to redraw with the clock's current time (the
// expiry countdown). The model reads the time from its injected clock, not
// from the message, so tests drive it with a fixed clock.
type TickMsg struct{}

// Model is the Bubble Tea model of the jwt inspect screen.
type Model struct {
	info     Info
	now      func() time.Time
	st       theme.Styles
	vp       viewport.Model
	width    int
	height   int
	interval time.Duration
	quitting bool
}

// New returns the screen for info; now is the clock, st the styles.
func New(info Info, now func() time.Time, st theme.Styles) Model {
	m := Model{info: info, now: now, st: st, interval: time.Second}
	m.vp = viewport.New(DefaultWidth, DefaultHeight-2)
	m.resize(DefaultWidth, DefaultHeight)
	return m
}

// Init starts the countdown.
func (m Model) Init() tea.Cmd { return m.tick() }

func (m Model) tick() tea.Cmd {
	return tea.Tick(m.interval, func(time.Time) tea.Msg { return TickMsg{} })
}

// Update handles keys (q, Esc, Ctrl-C quit; arrows and pages scroll),
// resizes and the countdown tick.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch msg.String() {
		case "q", "esc", "ctrl+c":
			m.quitting = true
			return m, tea.Quit
		}
		var cmd tea.Cmd
		m.vp, cmd = m.vp.Update(msg)
		return m, cmd
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case TickMsg:
		if m.quitting {
			return m, nil
		}
		m.refresh()
		return m, m.tick()
	}
	return m, nil
}

func (m *Model) resize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 4)
	m.vp.Width, m.vp.Height = m.width, m.height-1
	m.refresh()
}

// refresh re-renders the body at the clock's time, keeping the scroll.
func (m *Model) refresh() {
	off := m.vp.YOffset
	m.vp.SetContent(Body(m.info, m.now(), m.st, m.width))
	m.vp.SetYOffset(off)
}

// View draws the body and a help line.
func (m Model) View() string {
	help := "q quit"
	if !m.vp.AtTop() || !m.vp.AtBottom() {
		help = "↑/↓ scroll · q quit"
	}
	return m.vp.View() + "\n" + m.st.Dim.Render(help)
}

// Quitting reports whether a quit key was pressed.
func (m Model) Quitting() bool { return m.quitting }

// Size is the size the model draws at.
func (m Model) Size() (width, height int) { return m.width, m.height }
