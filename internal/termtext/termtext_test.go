package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ASCII", "invalid_grant: code expired", "invalid_grant: code expired"},
		{"accents and CJK stay", "café 東京 ✓ §4.1", "café 東京 ✓ §4.1"},
		{"ESC of a colour sequence", "a\x1b[31mb", `a\u001b[31mb`},
		{"OSC title with BEL", "/\x1b]0;pwned\x07x", `/\u001b]0;pwned\u0007x`},
		{"newline, CR and tab", "a\nb\rc\td", `a\u000ab\u000dc\u0009d`},
		{"DEL and C1 CSI", "a\x7fb\u009b2J", `a\u007fb\u009b2J`},
		{"right-to-left override", "user\u202Egnp.exe", `user\u202egnp.exe`},
		{"bidi isolates and marks", "\u2066a\u2069\u200e\u200f\u061c", `\u2066a\u2069\u200e\u200f\u061c`},
		{"zero-width space, joiners, BOM", "ad\u200bmin\u200c\u200d\u2060\ufeff", `ad\u200bmin\u200c\u200d\u2060\ufeff`},
		{"Hangul filler counted as a letter", "a\u3164b", `a\u3164b`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"tag character above the BMP", "x\U000E0041", `x\U000e0041`},
		{"emoji above the BMP stays", "ok 😀", "ok 😀"},
		{"invalid UTF-8 bytes", "a\xffb\xc3", `a\xffb\xc3`},
		{"NUL", "a\x00b", `a\u0000b`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits exactly", "abcde", 5, "abcde"},
		{"one over", "abcdef", 5, "abcd…"},
		{"runes, not bytes", "ééééé", 5, "ééééé"},
		{"cut before an escape that would not fit", "abc\u202ed", 6, "abc…"},
		{"escape counts in full", "a\u202e", 7, `a\u202e`},
		{"cap of one", "abc", 1, "…"},
		{"cap of zero", "abc", 0, ""},
		{"no cap", strings.Repeat("x", 5000), -1, strings.Repeat("x", 5000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Cut(tt.in, tt.max); got != tt.want {
				t.Errorf("Cut(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

// FuzzCut: whatever comes in, nothing unsafe comes out and the cap holds.
func FuzzCut(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x1b[2Jb", "\u202eevil", "ad\u200bmin", "\xff\xfe", "é\u0301", "\U000E0041", "\u2028"} {
		f.Add(s, 10)
		f.Add(s, -1)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max > 1<<16 {
			max = 1 << 16
		}
		got := Cut(s, max)
		if !utf8.ValidString(got) {
			t.Fatalf("Cut(%q, %d) = %q: invalid UTF-8", s, max, got)
		}
		for _, r := range got {
			if Unsafe(r) || IsBidiControl(r) || IsInvisible(r) {
				t.Fatalf("Cut(%q, %d) = %q: contains %U", s, max, got, r)
			}
		}
		if max >= 0 && utf8.RuneCountInString(got) > max {
			t.Fatalf("Cut(%q, %d) = %q: %d runes, over the cap", s, max, got, utf8.RuneCountInString(got))
		}
		if max < 0 && isSafe(s) && got != s {
			t.Fatalf("Clean changed safe text %q to %q", s, got)
		}
	})
}
