package jwtview

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/oauthkit/oauthkit/internal/termtext"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// maxKeyWidth caps the name column so one long claim name does not push
// every value off an 80-column screen.
const maxKeyWidth = 12

// Title is the one-line summary: "JWT · RS256 · kid k1 · typ JWT".
func Title(info Info) string {
	parts := []string{"JWT"}
	if info.Alg != "" {
		parts = append(parts, termtext.Clean(info.Alg))
	}
	if info.KeyID != "" {
		parts = append(parts, "kid "+termtext.Clean(info.KeyID))
	}
	if info.Type != "" {
		parts = append(parts, "typ "+termtext.Clean(info.Type))
	}
	return strings.Join(parts, " · ")
}

// Status is the expiry line: "expires in 11m59s (2026-11-23T10:12:00Z)",
// "expired 3m ago (…)" or "no exp claim: never expires".
func Status(info Info, now time.Time, st theme.Styles) string {
	if !info.HasExp {
		return st.Warn.Render("no exp claim: the token never expires")
	}
	at := info.Exp.UTC().Format(time.RFC3339)
	left := info.Exp.Sub(now).Round(time.Second)
	switch {
	case left <= 0:
		return st.Bad.Render("expired "+token.Relative(info.Exp, now)) + " " + st.Dim.Render("("+at+")")
	case left < time.Minute:
		return st.Warn.Render("expires in "+token.HumanDuration(left)) + " " + st.Dim.Render("("+at+")")
	}
	return st.OK.Render("expires in "+token.HumanDuration(left)) + " " + st.Dim.Render("("+at+")")
}

// VerifyLine is the verification result.
func VerifyLine(v Verification, st theme.Styles) string {
	switch {
	case !v.Checked:
		return st.Dim.Render("signature not verified (give --key or --jwks to check it)")
	case v.OK:
		return st.OK.Render("✓ verified: " + termtext.Clean(v.Detail))
	}
	return st.Bad.Render("✗ invalid: " + termtext.Clean(v.Detail))
}

// Body renders the title, expiry, verification, header and claims at now.
// width > 0 wraps long values to it; 0 leaves lines as they are.
func Body(info Info, now time.Time, st theme.Styles, width int) string {
	var b strings.Builder
	b.WriteString(st.Title.Render(Title(info)) + "\n")
	b.WriteString(Status(info, now, st) + "\n")
	b.WriteString(VerifyLine(info.Verify, st) + "\n")
	b.WriteString("\n" + st.Section.Render("Header") + "\n")
	writeEntries(&b, info.Header, now, st, width)
	b.WriteString("\n" + st.Section.Render("Claims") + "\n")
	writeEntries(&b, info.Claims, now, st, width)
	return strings.TrimSuffix(b.String(), "\n")
}

// Entries renders name/value lines, time claims with their date and
// relative time at now; width > 0 wraps long values.
func Entries(es []Entry, now time.Time, st theme.Styles, width int) string {
	var b strings.Builder
	writeEntries(&b, es, now, st, width)
	return strings.TrimSuffix(b.String(), "\n")
}

func writeEntries(b *strings.Builder, es []Entry, now time.Time, st theme.Styles, width int) {
	if len(es) == 0 {
		b.WriteString("  " + st.Dim.Render("(empty)") + "\n")
		return
	}
	kw := 0
	for _, e := range es {
		kw = max(kw, len([]rune(termtext.Clean(e.Name))))
	}
	kw = min(kw, maxKeyWidth)
	indent := 2 + kw + 2
	for _, e := range es {
		name := termtext.Clean(e.Name)
		pad := max(kw-len([]rune(name)), 0)
		value := termtext.Clean(e.Value)
		switch {
		case e.HasTime:
			value += "  " + st.Dim.Render(token.FormatTime(e.Time, now))
		case e.TimeErr != "":
			value += "  " + st.Warn.Render(termtext.Clean(e.TimeErr))
		}
		if width > indent+10 {
			value = strings.ReplaceAll(ansi.Wrap(value, width-indent, ","), "\n", "\n"+strings.Repeat(" ", indent))
		}
		line := "  " + st.Key.Render(name) + strings.Repeat(" ", pad) + "  " + value
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}
