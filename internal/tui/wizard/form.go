// Package wizard asks questions on a terminal, one at a time, with the
// answers so far listed above the current one: the `oauthkit flow` wizard
// (grant, server, client, secret, scopes) and the question whether to save
// the answers as a profile. It is drawn on standard error; secrets are
// masked on the screen and in the list of answers.
package wizard

import (
	"slices"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// Kind is what a field asks for.
type Kind int

// The kinds of field.
const (
	Select Kind = iota // one of Options
	Text               // a line of text
	Secret             // a line of text, masked
)

// Values are the answers so far, by field ID.
type Values map[string]string

// Option is one choice of a Select field.
type Option struct {
	Value string
	Label string
	Note  string // shown dim after the label
}

// Field is one question.
type Field struct {
	ID    string
	Kind  Kind
	Label string // short name in the list of answers ("": not listed)
	Title string // the question
	// Note is help under the question (may depend on earlier answers). A
	// note with line breaks is shown line by line as given, not re-wrapped.
	Note func(Values) string
	// Options of a Select field.
	Options func(Values) []Option
	// Default is the value a field starts with when it is reached and was
	// not answered yet (a Select: the Value of the option to preselect).
	Default     func(Values) string
	Placeholder string
	// Validate refuses an answer with a message shown under the input.
	Validate func(v string, vals Values) error
	// Skip leaves the field out, given the answers so far.
	Skip func(Values) bool
	// Back: choosing this value of a Select goes back to the field before
	// (e.g. "choose another name").
	Back string
}

// Model is the Bubble Tea model of a form.
type Model struct {
	title  string
	fields []Field
	styles theme.Styles

	cur      int   // index of the current field
	visited  []int // the fields answered before the current one, in order
	vals     Values
	answered map[string]bool
	input    textinput.Model
	reveal   bool // the current secret is shown in clear (ctrl+r)
	options  []Option
	sel      int
	err      error

	width, height   int
	done, cancelled bool
}

// Default size until the terminal tells its own.
const (
	DefaultWidth  = 80
	DefaultHeight = 24
)

// New returns a form asking fields in order, starting with initial
// answers (which count as not yet answered: they are defaults).
func New(title string, fields []Field, styles theme.Styles) Model {
	in := textinput.New()
	in.Prompt = "> "
	in.Cursor.SetMode(cursor.CursorStatic)
	in.EchoCharacter = '•'
	in.PromptStyle = styles.Renderer.NewStyle()
	in.TextStyle = styles.Renderer.NewStyle()
	in.PlaceholderStyle = styles.Dim
	in.Cursor.Style = styles.Renderer.NewStyle().Reverse(true)
	in.Cursor.TextStyle = styles.Renderer.NewStyle()
	m := Model{title: title, fields: fields, styles: styles, vals: Values{}, answered: map[string]bool{},
		input: in, width: DefaultWidth, height: DefaultHeight, cur: -1}
	if !m.advance() {
		m.done = true // nothing to ask
	}
	return m
}

// Init ends at once a form with nothing to ask.
func (m Model) Init() tea.Cmd {
	if m.done {
		return tea.Quit
	}
	return nil
}

// Update handles keys and resizes.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 20), max(msg.Height, 6)
		m.input.Width = max(m.width-4, 10)
		return m, nil
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.done {
		return m, nil
	}
	switch k.String() {
	case "ctrl+c":
		m.cancelled, m.done = true, true
		return m, tea.Quit
	case "esc", "shift+tab":
		if len(m.visited) == 0 {
			if k.String() == "esc" {
				m.cancelled, m.done = true, true
				return m, tea.Quit
			}
			return m, nil
		}
		m.goBack()
		return m, nil
	case "enter", "tab":
		return m.submit()
	}
	f := m.fields[m.cur]
	if f.Kind == Select {
		switch k.String() {
		case "up", "k":
			m.sel = (m.sel + len(m.options) - 1) % len(m.options)
		case "down", "j":
			m.sel = (m.sel + 1) % len(m.options)
		default:
			if r := k.Runes; len(r) == 1 && r[0] >= '1' && r[0] <= '9' && int(r[0]-'1') < len(m.options) {
				m.sel = int(r[0] - '1')
				return m.submit()
			}
		}
		return m, nil
	}
	if f.Kind == Secret && k.String() == "ctrl+r" {
		m.reveal = !m.reveal
		m.setEcho()
		return m, nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	m.err = nil
	return m, cmd
}

// submit checks the current answer and moves on; after the last field the
// form is done.
func (m Model) submit() (tea.Model, tea.Cmd) {
	f := m.fields[m.cur]
	v := m.input.Value()
	if f.Kind == Select {
		v = m.options[m.sel].Value
	}
	if f.Validate != nil {
		if err := f.Validate(v, m.vals); err != nil {
			m.err = err
			return m, nil
		}
	}
	m.err = nil
	if prev, ok := m.vals[f.ID]; ok && prev != v {
		// A changed answer (another profile) renews the defaults after
		// it: a later answer that was still its default follows the new
		// default; one the person typed is kept.
		before := Values{}
		for _, later := range m.fields[m.cur+1:] {
			if later.Default != nil {
				before[later.ID] = later.Default(m.vals)
			}
		}
		for id, old := range before {
			if m.answered[id] && m.vals[id] == old {
				delete(m.answered, id)
			}
		}
	}
	m.vals[f.ID], m.answered[f.ID] = v, true
	if f.Kind == Select && f.Back != "" && v == f.Back && len(m.visited) > 0 {
		delete(m.answered, f.ID)
		m.goBack()
		return m, nil
	}
	m.visited = append(m.visited, m.cur)
	if !m.advance() {
		m.done = true
		return m, tea.Quit
	}
	return m, nil
}

// advance moves to the next field not skipped; false after the last.
func (m *Model) advance() bool {
	for i := m.cur + 1; i < len(m.fields); i++ {
		if skip := m.fields[i].Skip; skip != nil && skip(m.vals) {
			continue
		}
		m.enter(i)
		return true
	}
	return false
}

// goBack returns to the field answered last.
func (m *Model) goBack() {
	prev := m.visited[len(m.visited)-1]
	m.visited = m.visited[:len(m.visited)-1]
	m.enter(prev)
}

// enter makes field i current, with its answer or its default.
func (m *Model) enter(i int) {
	m.cur, m.err, m.reveal = i, nil, false
	f := m.fields[i]
	v, ok := m.vals[f.ID]
	if !m.answered[f.ID] || !ok {
		v = ""
		if f.Default != nil {
			v = f.Default(m.vals)
		}
	}
	if f.Kind == Select {
		m.options = f.Options(m.vals)
		m.sel = max(slices.IndexFunc(m.options, func(o Option) bool { return o.Value == v }), 0)
		return
	}
	m.input.SetValue(v)
	m.input.CursorEnd()
	m.input.Placeholder = f.Placeholder
	m.setEcho()
	m.input.Focus()
}

func (m *Model) setEcho() {
	if m.fields[m.cur].Kind == Secret && !m.reveal {
		m.input.EchoMode = textinput.EchoPassword
	} else {
		m.input.EchoMode = textinput.EchoNormal
	}
}

// Values returns the answers of the fields that were asked (skipped
// fields are left out, even if answered before going back).
func (m Model) Values() Values {
	out := Values{}
	for _, i := range m.visited {
		f := m.fields[i]
		out[f.ID] = m.vals[f.ID]
	}
	return out
}

// Cancelled reports whether the person left the form (ctrl+c, or esc on
// the first question).
func (m Model) Cancelled() bool { return m.cancelled }

// Done reports whether the form is over, answered or cancelled.
func (m Model) Done() bool { return m.done }

// Current is the ID of the field being asked ("" once done).
func (m Model) Current() string {
	if m.done || m.cur < 0 {
		return ""
	}
	return m.fields[m.cur].ID
}
