// Package theme holds the lipgloss styles the oauthkit screens share:
// restrained (bold titles, a dim help line, green/yellow/red only for
// status) and readable in 80x24. Without colour (NO_COLOR, a pipe, tests)
// the same styles render as plain text.
package theme

import (
	"io"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles are the styles of one renderer (one output stream).
type Styles struct {
	Renderer *lipgloss.Renderer
	Title    lipgloss.Style // screen title
	Section  lipgloss.Style // "Header", "Claims", …
	Key      lipgloss.Style // claim names
	Value    lipgloss.Style
	Dim      lipgloss.Style // relative times, help line
	OK       lipgloss.Style // ✓
	Warn     lipgloss.Style // about to expire, warnings
	Bad      lipgloss.Style // ✗, expired
	URL      lipgloss.Style // URLs shown in full
}

// New returns the styles for w. With color false the renderer uses the
// ASCII profile: no escape sequence is ever written.
func New(w io.Writer, color bool) Styles {
	r := lipgloss.NewRenderer(w)
	if !color {
		r.SetColorProfile(termenv.Ascii)
	}
	return FromRenderer(r)
}

// Plain returns styles that render no escape sequences (plain text, tests).
func Plain() Styles { return New(io.Discard, false) }

// FromRenderer builds the styles on r.
func FromRenderer(r *lipgloss.Renderer) Styles {
	return Styles{
		Renderer: r,
		Title:    r.NewStyle().Bold(true),
		Section:  r.NewStyle().Bold(true).Underline(true),
		Key:      r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "25", Dark: "117"}),
		Value:    r.NewStyle(),
		Dim:      r.NewStyle().Faint(true),
		OK:       r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "28", Dark: "42"}),
		Warn:     r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "130", Dark: "214"}),
		Bad:      r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "124", Dark: "203"}).Bold(true),
		URL:      r.NewStyle().Underline(true),
	}
}
