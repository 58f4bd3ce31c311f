package flowprogress

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/mdp/qrterminal/v3"
	"rsc.io/qr"

	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/termtext"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// The device grant (RFC 8628, `oauthkit flow device`, Config.Device): the
// user code, the verification URL and a QR code of
// verification_uri_complete are printed above the view; the view shows the
// polling with the countdown to expires_in.

// Messages of the device grant.
type (
	// DeviceAuthorizedMsg: the device authorization response arrived.
	DeviceAuthorizedMsg struct{ Auth *flow.DeviceAuthorization }
	// DevicePollMsg is an answer that means "go on polling".
	DevicePollMsg flow.DeviceEvent
)

// deviceState is what the view knows of the device grant.
type deviceState struct {
	auth     *flow.DeviceAuthorization
	polls    int
	interval time.Duration
	slowDown int
}

func (m *Model) deviceAuthorized(d *flow.DeviceAuthorization) tea.Cmd {
	m.dev.auth, m.dev.interval = d, d.Interval
	m.authURL = d.BrowserURL()
	m.waiting, m.deadline = true, d.ExpiresAt
	return tea.Println(DeviceHeader(d, m.cfg.Styles))
}

func (m *Model) devicePolled(e flow.DeviceEvent) {
	m.dev.polls, m.dev.interval = e.Polls, e.Interval
	if e.Step == flow.DeviceSlowDown {
		m.dev.slowDown++
	}
}

// maxQRText bounds the text put in a QR code: a longer URL would not fit
// a terminal (nor, past about 2,900 bytes, a QR code at all).
const maxQRText = 300

// QR is the QR code of text drawn with half blocks (two modules a line),
// or "" when text is too long to draw usefully. Light modules are full
// blocks, so the code reads right on a dark terminal background.
func QR(text string) string {
	if len(text) > maxQRText {
		return ""
	}
	if _, err := qr.Encode(text, qr.L); err != nil {
		return ""
	}
	var b strings.Builder
	qrterminal.GenerateWithConfig(text, qrterminal.Config{
		Level: qrterminal.L, Writer: &b, HalfBlocks: true, QuietZone: 2,
		BlackChar: qrterminal.BLACK_BLACK, WhiteBlackChar: qrterminal.WHITE_BLACK,
		WhiteChar: qrterminal.WHITE_WHITE, BlackWhiteChar: qrterminal.BLACK_WHITE,
	})
	return strings.TrimRight(b.String(), "\n")
}

// DeviceHeader is what a person needs on another device: where to go, the
// code to type there, and a QR code that carries both. It is printed once
// above the live view, whole, so it stays in the scrollback.
func DeviceHeader(d *flow.DeviceAuthorization, st theme.Styles) string {
	var b strings.Builder
	fmt.Fprintf(&b, "On another device, open\n\n  %s\n\nand enter the code  %s\n", st.URL.Render(termtext.Clean(d.VerificationURI)), st.Title.Render(termtext.Clean(d.UserCode)))
	if d.VerificationURIComplete != "" {
		fmt.Fprintf(&b, "\nor open this URL, which carries the code:\n\n  %s\n", st.URL.Render(termtext.Clean(d.VerificationURIComplete)))
		if code := QR(d.VerificationURIComplete); code != "" {
			fmt.Fprintf(&b, "\nor scan it:\n\n%s\n", code)
		}
	}
	return b.String()
}

// deviceBody renders the steps of the device grant and, once done, the
// summary.
func (m Model) deviceBody() string {
	st := m.cfg.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render(m.cfg.Title) + "\n\n")
	line := func(mark, name, text string) {
		b.WriteString(strings.TrimRight(fmt.Sprintf(" %s %-14s %s", mark, name, m.wrap(text, 18)), " ") + "\n")
	}
	failedAt := ""
	if m.done && m.err != nil {
		switch {
		case !m.discovered:
			failedAt = "discovery"
		case m.dev.auth == nil:
			failedAt = "device code"
		default:
			failedAt = "approval"
		}
	}
	ok, bad, dim := st.OK.Render(markDone), st.Bad.Render(markFailed), st.Dim.Render(markPending)
	errLine := func(name string) { line(bad, name, st.Bad.Render(oneLine(m.err.Error()))) }

	switch {
	case failedAt == "discovery":
		errLine("discovery")
	case !m.discovered:
		line(dim, "discovery", "")
	case m.issuer != "":
		line(ok, "discovery", m.issuer)
	default:
		line(ok, "discovery", "endpoints from the flags")
	}
	switch {
	case failedAt == "device code":
		errLine("device code")
	case m.dev.auth == nil:
		line(dim, "device code", "")
	default:
		line(ok, "device code", "user code "+termtext.Clean(m.dev.auth.UserCode)+" (printed above)")
	}
	if m.dev.auth != nil {
		m.browserLine(line)
	}
	polls := fmt.Sprintf("poll %d · every %s", m.dev.polls, token.HumanDuration(m.dev.interval))
	if m.dev.polls == 0 {
		polls = "no poll yet · every " + token.HumanDuration(m.dev.interval)
	}
	if m.dev.slowDown > 0 {
		polls += fmt.Sprintf(" (slow_down ×%d)", m.dev.slowDown)
	}
	switch {
	case failedAt == "approval":
		errLine("approval")
	case m.done && m.err == nil:
		line(ok, "approval", fmt.Sprintf("approved (%d polls)", m.dev.polls+1))
	case m.dev.auth != nil:
		left := m.deadline.Sub(m.cfg.Now()).Round(time.Second)
		line(m.spin.View(), "waiting", polls+" · code expires in "+token.HumanDuration(max(left, 0)))
	default:
		line(dim, "approval", "")
	}
	if m.done && m.err == nil && m.token != nil {
		line(ok, "tokens", "received")
		b.WriteString("\n" + m.summary())
	} else {
		line(dim, "tokens", "")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
