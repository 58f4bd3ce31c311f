// Package termtext makes text that came from outside (a server's error
// description, a token's claims, a request path) safe to show on a
// terminal. It is the one sanitizer of every screen and every plain-text
// line that shows such text: nothing it returns can move the cursor, change
// the terminal's state, reorder the line (bidi controls) or hide characters
// (zero-width runes). Such runes are escaped visibly, as \u202e, so a
// person sees that they were there.
package termtext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis ends text that was cut at its cap.
const Ellipsis = "…"

// Clean returns s with every rune that is not safe on a terminal escaped:
// control characters (C0, DEL, C1), format characters (which include the
// bidi controls U+202A–U+202E, U+2066–U+2069 and the zero-width U+200B–
// U+200D, U+2060, U+FEFF), line and paragraph separators, other
// non-printing runes, and invisible fillers. Runes below U+10000 become
// \uXXXX, others \UXXXXXXXX, and each byte of invalid UTF-8 \xXX. Safe
// text is returned as it is.
func Clean(s string) string {
	return Cut(s, -1)
}

// Cut is Clean with a cap: the result is at most max runes long (escapes
// included); text longer than that is cut before an escape or rune that
// would not fit and ends in Ellipsis, which counts towards max. A negative
// max means no cap; 0 gives "".
func Cut(s string, max int) string {
	if max < 0 && isSafe(s) {
		return s
	}
	var pieces []string
	total := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			pieces = append(pieces, fmt.Sprintf(`\x%02x`, s[i]))
		case Unsafe(r):
			pieces = append(pieces, escape(r))
		default:
			pieces = append(pieces, s[i:i+size])
		}
		total += utf8.RuneCountInString(pieces[len(pieces)-1])
		i += size
	}
	if max < 0 || total <= max {
		return strings.Join(pieces, "")
	}
	if max == 0 {
		return ""
	}
	var b strings.Builder
	n := 0
	for _, p := range pieces {
		w := utf8.RuneCountInString(p)
		if n+w > max-1 {
			break
		}
		b.WriteString(p)
		n += w
	}
	b.WriteString(Ellipsis)
	return b.String()
}

// Unsafe reports whether r must not reach a terminal as it is: it is not a
// graphic rune or the ASCII space (unicode.IsPrint), or it is a bidi
// control or an invisible rune that unicode.IsPrint lets through.
func Unsafe(r rune) bool {
	return !unicode.IsPrint(r) || IsBidiControl(r) || IsInvisible(r)
}

// IsBidiControl reports whether r is one of the Unicode bidirectional
// formatting characters (UAX #9 §2): they reorder what follows them, so
// text could read differently from what it is ("Trojan Source").
func IsBidiControl(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F:
		return true
	case r >= 0x202A && r <= 0x202E:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// IsInvisible reports whether r takes no visible space: the zero-width
// characters, the word joiner and BOM, and the Hangul fillers that
// unicode.IsPrint counts as letters.
func IsInvisible(r rune) bool {
	switch r {
	case 0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF,
		0x115F, 0x1160, 0x3164, 0xFFA0:
		return true
	}
	return false
}

func isSafe(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || Unsafe(r) {
			return false
		}
		i += size
	}
	return true
}

func escape(r rune) string {
	if r > 0xFFFF {
		return fmt.Sprintf(`\U%08x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}
