package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// masked stands for a secret in the list of answers: never its length.
const masked = "•••••• (hidden)"

// View draws the answers so far, the current question and the key help.
// Once done it leaves only the answers on the screen (secrets masked); a
// cancelled form leaves nothing, so the command's one line says it.
func (m Model) View() string {
	st := m.styles
	if m.done {
		if m.cancelled {
			return ""
		}
		return strings.Join(append([]string{st.Title.Render(m.title)}, m.answers()...), "\n") + "\n"
	}
	var q []string
	f := m.fields[m.cur]
	q = append(q, "", st.Title.Render("? "+f.Title))
	if f.Note != nil {
		if note := f.Note(m.Values()); strings.Contains(note, "\n") {
			// laid out by the caller (a command line with \ continuations):
			// re-wrapping would break it inside an argument
			for _, l := range strings.Split(note, "\n") {
				q = append(q, st.Dim.Render("  "+l))
			}
		} else if note != "" {
			for _, l := range m.wrap(note, 2) {
				q = append(q, st.Dim.Render(l))
			}
		}
	}
	if f.Kind == Select {
		w := 0
		for _, o := range m.options {
			w = max(w, ansi.StringWidth(o.Label))
		}
		for i, o := range m.options {
			mark, label := "  ", o.Label
			if i == m.sel {
				mark, label = st.OK.Render("> "), st.Title.Render(o.Label)
			}
			line := fmt.Sprintf("%s%d. %s", mark, i+1, label)
			if o.Note != "" {
				line += strings.Repeat(" ", w-ansi.StringWidth(o.Label)+2) + st.Dim.Render(o.Note)
			}
			q = append(q, ansi.Truncate(line, m.width, "…"))
		}
	} else {
		q = append(q, m.input.View())
	}
	if m.err != nil {
		for _, l := range m.wrap("✗ "+termtext.Clean(m.err.Error()), 2) {
			q = append(q, st.Bad.Render(l))
		}
	}
	q = append(q, "", st.Dim.Render(m.help()))

	top := []string{st.Title.Render(m.title)}
	answers := m.answers()
	// Keep the question whole; the oldest answers give way on a short screen.
	if room := m.height - len(top) - len(q); len(answers) > room {
		room = max(room-1, 0)
		answers = append([]string{st.Dim.Render(fmt.Sprintf("  … %d more above", len(answers)-room))}, answers[len(answers)-room:]...)
	}
	return strings.Join(append(append(top, answers...), q...), "\n")
}

// answers lists the questions answered so far with their answers.
func (m Model) answers() []string {
	w := 0
	for _, i := range m.visited {
		w = max(w, len(m.fields[i].Label))
	}
	out := make([]string, 0, len(m.visited))
	for _, i := range m.visited {
		f := m.fields[i]
		if f.Label == "" {
			continue // a question whose answer is not worth listing (run it?)
		}
		line := fmt.Sprintf("  %-*s  %s", w, f.Label, m.shown(f, m.vals[f.ID]))
		out = append(out, ansi.Truncate(line, m.width, "…"))
	}
	return out
}

// shown is an answer as the list shows it.
func (m Model) shown(f Field, v string) string {
	st := m.styles
	switch {
	case f.Kind == Secret && v != "":
		return st.Dim.Render(masked)
	case f.Kind == Select:
		for _, o := range f.Options(m.vals) {
			if o.Value == v {
				return termtext.Clean(o.Label)
			}
		}
	case v == "":
		return st.Dim.Render("(none)")
	}
	return termtext.Clean(v)
}

func (m Model) help() string {
	back := "esc back"
	if len(m.visited) == 0 {
		back = "esc cancel"
	}
	switch m.fields[m.cur].Kind {
	case Select:
		return "↑/↓ choose · enter pick · " + back + " · ctrl+c cancel"
	case Secret:
		return "enter next · ctrl+r show/hide · " + back + " · ctrl+c cancel"
	}
	return "enter next · " + back + " · ctrl+c cancel"
}

// wrap breaks plain text s into lines of the screen width, at spaces only
// (a command line keeps its --flags whole), each line indented; a word
// longer than a line is cut.
func (m Model) wrap(s string, indent int) []string {
	pad := strings.Repeat(" ", indent)
	limit := max(m.width-indent, 10)
	var lines []string
	cur := ""
	for _, word := range words(s) {
		for ansi.StringWidth(word) > limit {
			if cur != "" {
				lines, cur = append(lines, pad+cur), ""
			}
			lines = append(lines, pad+ansi.Truncate(word, limit, ""))
			word = ansi.TruncateLeft(word, limit, "")
		}
		switch {
		case cur == "":
			cur = word
		case ansi.StringWidth(cur)+1+ansi.StringWidth(word) <= limit:
			cur += " " + word
		default:
			lines, cur = append(lines, pad+cur), word
		}
	}
	if cur != "" {
		lines = append(lines, pad+cur)
	}
	return lines
}

// words splits s at spaces, except inside single quotes: a shell-quoted
// argument stays on one line.
func words(s string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted = !quoted
			b.WriteRune(r)
		case r == ' ' && !quoted:
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}
