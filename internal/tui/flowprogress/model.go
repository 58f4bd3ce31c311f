// Package flowprogress is the live progress view of `oauthkit flow
// authcode`, `oauthkit flow implicit` and `oauthkit flow device` (device.go) on a terminal: discovery, the
// catcher, the browser, the wait for the authorization response (spinner and
// time left) and the code exchange (authcode) or the token taken from the
// redirect (implicit), then a summary of the tokens with an expiry countdown. It is drawn on
// standard error; the command's result still goes to standard output.
package flowprogress

import (
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// Config is what the view needs from the command.
type Config struct {
	// Title heads the screen, e.g. "oauthkit flow authcode".
	Title string
	// Now is the clock (time left, expiry countdown).
	Now    func() time.Time
	Styles theme.Styles
	// Cancel stops the flow (q, Ctrl-C while it runs).
	Cancel func()
	// Open opens the authorization URL again (key o); nil disables the key.
	Open func(url string) error
	// Manual: no browser is opened; the person opens the printed URL.
	Manual bool
	// CloseWhenDone closes the view as soon as the token is there, instead
	// of keeping the summary open until a key: for TOKEN=$(oauthkit …),
	// where standard output is read by the shell and must not wait.
	CloseWhenDone bool
	// Implicit: the tokens come in the redirect itself (implicit grant);
	// there is no code exchange step.
	Implicit bool
	// Headless: oauthkit follows the authorization URL itself; nobody is
	// asked to open it.
	Headless bool
	// Device: the device authorization grant (device.go): no catcher, a
	// user code to type on another device, polling.
	Device bool
}

// Messages the command sends to the program.
type (
	// DiscoveredMsg: the server's endpoints are known (Issuer "" when they
	// were given as flags).
	DiscoveredMsg struct{ Issuer string }
	// EventMsg is a step reported by flow.BrowserFlow.Progress.
	EventMsg flow.Event
	// DoneMsg ends the flow: a token or an error.
	DoneMsg struct {
		Token *flow.TokenResponse
		Err   error
	}
	// TickMsg redraws with the clock's time.
	TickMsg struct{}
	// openedMsg is the result of key o.
	openedMsg struct{ err error }
)

// browser states.
const (
	browserPending = iota
	browserOpened
	browserFailed
	browserManual
	browserHeadless
)

// Model is the Bubble Tea model of the progress view.
type Model struct {
	cfg     Config
	spin    spinner.Model
	vp      viewport.Model
	width   int
	height  int
	started bool

	discovered  bool
	issuer      string
	redirectURI string
	authURL     string
	browser     int
	browserErr  error
	reopened    int
	waiting     bool
	deadline    time.Time
	callback    bool
	exchanged   bool
	done        bool
	token       *flow.TokenResponse
	err         error
	cancelled   bool
	quitting    bool
	dev         deviceState
}

// Default size until the terminal tells its own.
const (
	DefaultWidth  = 80
	DefaultHeight = 24
)

// New returns the view.
func New(cfg Config) Model {
	m := Model{cfg: cfg, spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
	m.spin.Style = cfg.Styles.Renderer.NewStyle()
	if cfg.Manual {
		m.browser = browserManual
	}
	m.vp = viewport.New(DefaultWidth, DefaultHeight-1)
	m.resize(DefaultWidth, DefaultHeight)
	return m
}

// Init starts the spinner and the clock.
func (m Model) Init() tea.Cmd { return tea.Batch(m.spin.Tick, tick()) }

func tick() tea.Cmd { return tea.Tick(time.Second, func(time.Time) tea.Msg { return TickMsg{} }) }

// Update handles the flow's messages, keys, resizes and ticks.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.KeyMsg:
		cmd = m.key(msg)
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
	case DiscoveredMsg:
		m.discovered, m.issuer = true, msg.Issuer
	case EventMsg:
		cmd = m.event(flow.Event(msg))
	case DeviceAuthorizedMsg:
		cmd = m.deviceAuthorized(msg.Auth)
	case DevicePollMsg:
		m.devicePolled(flow.DeviceEvent(msg))
	case DoneMsg:
		m.token, m.err = msg.Token, msg.Err
		m.done = true
		if msg.Err != nil || m.cfg.CloseWhenDone {
			m.quitting = true
			cmd = tea.Quit
		}
	case openedMsg:
		if msg.err != nil {
			m.browser, m.browserErr = browserFailed, msg.err
		} else {
			m.browser, m.browserErr = browserOpened, nil
			m.reopened++
		}
	case TickMsg:
		if !m.quitting {
			cmd = tick()
		}
	case spinner.TickMsg:
		if !m.quitting && !m.done {
			m.spin, cmd = m.spin.Update(msg)
		}
	}
	m.refresh()
	return m, cmd
}

func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	switch k.String() {
	case "ctrl+c", "q", "esc":
		m.quitting = true
		if !m.done {
			m.cancelled = true
			if m.cfg.Cancel != nil {
				m.cfg.Cancel()
			}
		}
		return tea.Quit
	case "enter":
		if m.done {
			m.quitting = true
			return tea.Quit
		}
	case "o":
		if m.cfg.Open != nil && m.authURL != "" && !m.done && m.browser != browserHeadless {
			open, u := m.cfg.Open, m.authURL
			return func() tea.Msg { return openedMsg{err: open(u)} }
		}
	}
	var cmd tea.Cmd
	m.vp, cmd = m.vp.Update(k)
	return cmd
}

func (m *Model) event(e flow.Event) tea.Cmd {
	switch e.Step {
	case flow.StepListening:
		m.redirectURI = e.URL
	case flow.StepAuthorizationURL:
		m.authURL = e.URL
		// Printed above the view, whole: a terminal wraps it softly, so it
		// can be selected and copied as one line.
		if m.cfg.Headless {
			return tea.Println("Following the authorization URL without a browser (--headless):\n\n" + e.URL + "\n")
		}
		return tea.Println("Open this URL in a browser to authorize:\n\n" + e.URL + "\n")
	case flow.StepHeadless:
		m.browser = browserHeadless
	case flow.StepBrowserOpened:
		m.browser = browserOpened
	case flow.StepBrowserFailed:
		m.browser, m.browserErr = browserFailed, e.Err
	case flow.StepWaiting:
		m.waiting, m.deadline = true, e.Deadline
	case flow.StepCallback:
		m.callback = true
	case flow.StepExchanged:
		m.exchanged = true
	}
	return nil
}

func (m *Model) resize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 4)
	m.vp.Width, m.vp.Height = m.width, m.height-1
	m.refresh()
}

// refresh re-renders the body, following the bottom while the flow runs.
func (m *Model) refresh() {
	off := m.vp.YOffset
	m.vp.SetContent(m.body())
	// No padding below a short body: the view then stays under the
	// authorization URL printed above it instead of pushing it off screen.
	m.vp.Height = min(m.height-1, max(m.vp.TotalLineCount(), 1))
	if m.done {
		m.vp.SetYOffset(off)
	} else {
		m.vp.GotoBottom()
	}
}

// View draws the body and the key help. Once the view closes it draws
// nothing: the live frame is cut to the terminal's height, so what stays is
// Final, printed by the command after the program ends.
func (m Model) View() string {
	if m.quitting {
		return ""
	}
	return m.vp.View() + "\n" + m.cfg.Styles.Dim.Render(m.help())
}

// Final is what stays on the terminal once the view is closed, for the
// command to print as plain lines: the steps and the whole summary however
// tall it is. It is "" when the person cancelled: the command's one
// "cancelled" line says all, and no frozen spinner is left behind.
func (m Model) Final() string {
	if m.cancelled {
		return ""
	}
	return m.body()
}

func (m Model) help() string {
	switch {
	case m.done && !(m.vp.AtTop() && m.vp.AtBottom()):
		return "↑/↓ scroll · q/enter done"
	case m.done:
		return "q/enter done"
	case m.cfg.Open != nil && m.authURL != "" && m.browser != browserHeadless:
		return "o open the browser again · q cancel"
	}
	return "q cancel"
}

// Cancelled reports whether the person cancelled the running flow.
func (m Model) Cancelled() bool { return m.cancelled }

// Size is the size the model draws at.
func (m Model) Size() (width, height int) { return m.width, m.height }
