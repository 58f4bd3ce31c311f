package dashboard

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/oauthkit/oauthkit/internal/termtext"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// mask stands for a secret not shown.
const mask = "••••••••"

// Fixed column widths of the request table.
const (
	colTime   = 8
	colMethod = 6
	colStatus = 6
	colMS     = 6
	maxGrant  = 18
	maxClient = 20
	colGap    = 1
)

// View draws the header, the counters, as many requests as fit and the
// key help, never more lines than the terminal has.
func (m Model) View() string {
	top := m.header()
	top = append(top, "")
	top = append(top, m.counters()...)
	top = append(top, "")
	help := m.cfg.Styles.Dim.Render(m.help())

	cols := m.columns()
	rows := max(m.height-len(top)-2, 0) // table header + help line
	lines := append([]string{}, top...)
	lines = append(lines, m.cfg.Styles.Section.Render(cols.row("TIME", "METHOD", "PATH", "CLIENT", "GRANT", "STATUS", "MS")))
	switch {
	case len(m.requests) == 0 && rows > 0:
		lines = append(lines, m.cfg.Styles.Dim.Render("waiting for requests…"))
	default:
		for i := 0; i < len(m.requests) && i < rows; i++ {
			lines = append(lines, m.requestLine(cols, m.requests[i]))
		}
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	if len(lines) > m.height-1 {
		lines = lines[:max(m.height-1, 0)]
	}
	lines = append(lines, help)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.width, "…")
	}
	return strings.Join(lines, "\n")
}

func (m Model) header() []string {
	st := m.cfg.Styles
	title := st.Title.Render("oauthkit serve") + " · " + st.URL.Render(termtext.Clean(m.cfg.Issuer))
	if m.cfg.Now != nil && !m.cfg.Started.IsZero() {
		title += st.Dim.Render(" · up " + uptime(m.cfg.Now().Sub(m.cfg.Started)))
	}
	lines := []string{title, label(st, "store") + termtext.Clean(m.cfg.Store)}
	if m.cfg.Source != "" {
		lines = append(lines, label(st, "clients")+termtext.Clean(m.cfg.Source))
	}
	if d := m.cfg.Demo; d != nil {
		secret, password := mask, mask
		if m.showSecret {
			secret, password = d.ClientSecret, d.Password
		}
		lines = append(lines,
			label(st, "demo")+termtext.Clean(d.ClientID)+"  secret "+termtext.Clean(secret),
			label(st, "")+termtext.Clean(d.PublicClientID)+" (public) · user "+termtext.Clean(d.Username)+"  password "+termtext.Clean(password))
	}
	return lines
}

func (m Model) counters() []string {
	st := m.cfg.Styles
	grants, errs := "none", "none"
	if gs := m.Grants(); len(gs) > 0 {
		parts := make([]string, len(gs))
		for i, c := range gs {
			parts[i] = fmt.Sprintf("%s %d", termtext.Clean(c.Name), c.N)
		}
		grants = strings.Join(parts, " · ")
	}
	if es := m.Errors(); len(es) > 0 {
		parts := make([]string, len(es))
		for i, c := range es {
			parts[i] = st.Bad.Render(termtext.Clean(c.Name)) + fmt.Sprintf(" %d", c.N)
		}
		errs = strings.Join(parts, " · ")
	}
	return []string{label(st, "requests") + fmt.Sprint(m.total), label(st, "grants") + grants, label(st, "errors") + errs}
}

// label is a header key padded to one column.
func label(st theme.Styles, s string) string { return st.Key.Render(pad(s, 8)) + " " }

func (m Model) help() string {
	switch {
	case m.quitting:
		return "stopping: in-flight requests finish first"
	case m.cfg.Demo != nil && m.showSecret:
		return "s hide secrets · q stop the server"
	case m.cfg.Demo != nil:
		return "s show secrets · q stop the server"
	}
	return "q stop the server"
}

// columns are the widths of the flexible columns at the model's width.
type columns struct{ path, client, grant int }

func (m Model) columns() columns {
	flex := max(m.width-colTime-colMethod-colStatus-colMS-6*colGap, 12)
	grant := min(maxGrant, flex*3/8)
	client := min(maxClient, (flex-grant)/2)
	return columns{path: flex - grant - client, client: client, grant: grant}
}

func (c columns) row(t, method, path, client, grant, status, ms string) string {
	return strings.Join([]string{
		pad(t, colTime), pad(method, colMethod), pad(path, c.path), pad(client, c.client),
		pad(grant, c.grant), pad(status, colStatus), padLeft(ms, colMS),
	}, strings.Repeat(" ", colGap))
}

func (m Model) requestLine(c columns, r Request) string {
	st := m.cfg.Styles
	status := pad(fmt.Sprint(r.Status), colStatus)
	switch {
	case r.Status >= 500:
		status = st.Bad.Render(status)
	case r.Status >= 400:
		status = st.Warn.Render(status)
	default:
		status = st.OK.Render(status)
	}
	ms := fmt.Sprintf("%.1f", float64(r.Latency.Microseconds())/1000)
	return strings.Join([]string{
		pad(r.Time.Format("15:04:05"), colTime), pad(termtext.Clean(r.Method), colMethod), pad(termtext.Clean(r.Path), c.path),
		pad(orDash(termtext.Clean(r.ClientID)), c.client), pad(orDash(termtext.Clean(r.GrantType)), c.grant), status, padLeft(ms, colMS),
	}, strings.Repeat(" ", colGap))
}

// pad cuts s to w cells (ending in …) or fills it with spaces.
func pad(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	return s + strings.Repeat(" ", max(w-lipgloss.Width(s), 0))
}

func padLeft(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	return strings.Repeat(" ", max(w-lipgloss.Width(s), 0)) + s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// uptime formats d to the second: 45s, 1m30s, 2h0m5s.
func uptime(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return d.Truncate(time.Second).String()
}
