package flowprogress

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/oauthkit/oauthkit/internal/termtext"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/internal/tui/jwtview"
)

// step marks.
const (
	markDone    = "✓"
	markFailed  = "✗"
	markPending = "·"
)

// body renders the steps and, once done, the summary.
func (m Model) body() string {
	if m.cfg.Device {
		return m.deviceBody()
	}
	st := m.cfg.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render(m.cfg.Title) + "\n\n")
	line := func(mark, name, text string) {
		b.WriteString(strings.TrimRight(fmt.Sprintf(" %s %-14s %s", mark, name, m.wrap(text, 18)), " ") + "\n")
	}
	failed := m.done && m.err != nil
	// failedAt marks the step an error stopped, the first not reached.
	failedAt := ""
	if failed {
		switch {
		case !m.discovered:
			failedAt = "discovery"
		case m.redirectURI == "":
			failedAt = "catcher"
		case !m.callback:
			failedAt = "waiting"
		case m.cfg.Implicit:
			failedAt = "tokens"
		default:
			failedAt = "code exchange"
		}
	}
	mark := func(name string, ok bool) string {
		switch {
		case ok:
			return st.OK.Render(markDone)
		case failedAt == name:
			return st.Bad.Render(markFailed)
		}
		return st.Dim.Render(markPending)
	}
	errText := func(name, fallback string) string {
		if failedAt == name {
			return st.Bad.Render(oneLine(m.err.Error()))
		}
		return fallback
	}

	disc := "endpoints from the flags"
	if m.issuer != "" {
		disc = m.issuer
	}
	if !m.discovered {
		disc = ""
	}
	line(mark("discovery", m.discovered), "discovery", errText("discovery", disc))
	catcher := ""
	if m.redirectURI != "" {
		catcher = "listening on " + st.URL.Render(m.redirectURI)
	}
	line(mark("catcher", m.redirectURI != ""), "catcher", errText("catcher", catcher))
	m.browserLine(line)
	switch {
	case m.callback:
		line(st.OK.Render(markDone), "callback", "authorization response received")
	case failedAt == "waiting":
		line(st.Bad.Render(markFailed), "callback", st.Bad.Render(oneLine(m.err.Error())))
	case m.waiting && !m.done:
		left := m.deadline.Sub(m.cfg.Now()).Round(time.Second)
		line(m.spin.View(), "waiting", "for the authorization response · "+token.HumanDuration(max(left, 0))+" left")
	default:
		line(st.Dim.Render(markPending), "callback", "")
	}
	if m.cfg.Implicit {
		// The tokens are in the response; what is left is checking them.
		got := m.callback && m.done && m.err == nil
		line(mark("tokens", got), "tokens", errText("tokens", map[bool]string{true: "in the redirect (implicit grant: no code exchange)"}[got]))
	} else {
		line(mark("code exchange", m.exchanged), "code exchange", errText("code exchange", map[bool]string{true: "tokens received"}[m.exchanged]))
	}
	if m.done && m.err == nil && m.token != nil {
		b.WriteString("\n" + m.summary())
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (m Model) browserLine(line func(mark, name, text string)) {
	st := m.cfg.Styles
	switch m.browser {
	case browserOpened:
		text := "opened (the URL is printed above)"
		if m.reopened > 0 {
			text = fmt.Sprintf("opened again (%d)", m.reopened)
		}
		line(st.OK.Render(markDone), "browser", text)
	case browserFailed:
		line(st.Warn.Render("!"), "browser", st.Warn.Render("could not open: "+oneLine(m.browserErr.Error()))+" · open the URL above yourself")
	case browserManual:
		line(st.Dim.Render(markPending), "browser", "open the URL above in a browser")
	case browserHeadless:
		line(st.OK.Render(markDone), "browser", "none (--headless: oauthkit follows the redirects)")
	default:
		line(st.Dim.Render(markPending), "browser", "")
	}
}

// summary shows the tokens: type, scopes, expiry countdown, refresh token
// and the claims of a JWT access token and of the ID token.
func (m Model) summary() string {
	st, tr, now := m.cfg.Styles, m.token, m.cfg.Now()
	var b strings.Builder
	b.WriteString(st.Section.Render("Token") + "\n")
	kv := func(k, v string) { b.WriteString(fmt.Sprintf("  %-8s %s", k, m.wrap(v, 11)) + "\n") }
	kv("type", orNone(tr.TokenType))
	kv("scopes", orNone(tr.Scope))
	switch {
	case tr.ExpiresAt.IsZero():
		kv("expires", st.Dim.Render("not said (no expires_in)"))
	case !tr.ExpiresAt.After(now):
		kv("expires", st.Bad.Render("expired "+token.Relative(tr.ExpiresAt, now)))
	default:
		kv("expires", st.OK.Render("in "+token.HumanDuration(tr.ExpiresAt.Sub(now).Round(time.Second)))+" "+
			st.Dim.Render("("+tr.ExpiresAt.UTC().Format(time.RFC3339)+")"))
	}
	kv("refresh", map[bool]string{true: "yes", false: "no"}[tr.RefreshToken != ""])
	if d, err := token.Decode(tr.AccessToken); err == nil {
		if es, err := jwtview.ClaimEntries(d.RawClaims); err == nil {
			b.WriteString("\n" + st.Section.Render("Access token claims") + st.Dim.Render(" (a JWT; not verified here)") + "\n")
			b.WriteString(jwtview.Entries(es, now, st, m.width) + "\n")
		}
	}
	if tr.IDTokenClaims != nil {
		if es, err := jwtview.ClaimEntries(tr.IDTokenClaims); err == nil {
			b.WriteString("\n" + st.Section.Render("ID token claims") + st.Dim.Render(" (verified)") + "\n")
			b.WriteString(jwtview.Entries(es, now, st, m.width) + "\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// wrap breaks s, which starts at column indent, to fit the screen width;
// continuation lines are indented to that column.
func (m Model) wrap(s string, indent int) string {
	if m.width <= indent+10 {
		return s
	}
	return strings.ReplaceAll(ansi.Wrap(s, m.width-indent, ""), "\n", "\n"+strings.Repeat(" ", indent))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return termtext.Clean(s)
}

// oneLine keeps the first line of an error message.
func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return termtext.Clean(first)
}
