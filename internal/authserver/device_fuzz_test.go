package authserver

import (
	"strings"
	"testing"
)

// FuzzNormalizeUserCode: whatever a person types, NormalizeUserCode never
// panics, accepts only 8 letters of the alphabet, and accepts a code in
// every spelling the page promises (case, dash, spaces).
func FuzzNormalizeUserCode(f *testing.F) {
	for _, s := range []string{"WDJB-MJHT", "wdjbmjht", " wdjb mjht ", "WDJB-MJH", "WDJB-MJHTX", "AEIO-UY01", "", "----", "ωdjb-mjht", strings.Repeat("B", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		code, ok := NormalizeUserCode(typed)
		if !ok {
			if code != "" {
				t.Fatalf("refused %q but returned %q", typed, code)
			}
			return
		}
		if len(code) != userCodeLength {
			t.Fatalf("%q normalized to %q, not %d characters", typed, code, userCodeLength)
		}
		for _, c := range code {
			if !strings.ContainsRune(userCodeAlphabet, c) {
				t.Fatalf("%q normalized to %q, with %q outside the alphabet", typed, code, c)
			}
		}
		for _, spelling := range []string{formatUserCode(code), strings.ToLower(code), code[:4] + " " + strings.ToLower(code[4:])} {
			if again, ok := NormalizeUserCode(spelling); !ok || again != code {
				t.Fatalf("%q (of %q) normalized to %q, %v; want %q", spelling, typed, again, ok, code)
			}
		}
	})
}

func TestNewUserCode(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		c := newUserCode()
		if n, ok := NormalizeUserCode(c); !ok || n != c {
			t.Fatalf("newUserCode() = %q does not normalize to itself", c)
		}
		seen[c] = true
	}
	if len(seen) < 1999 {
		t.Fatalf("%d distinct codes of 2000 draws", len(seen))
	}
	if !userCodeRe.MatchString(formatUserCode(newUserCode())) {
		t.Fatal("formatUserCode does not give XXXX-XXXX")
	}
}
