package authserver

import (
	"crypto/rand"
	"strings"
)

// User codes (RFC 8628 §6.1): 8 characters of 20 consonants, without
// vowels (no words) and without the letters people confuse with digits or
// with each other (no A E I O U Y; I, O, U, Y are not in it): 20^8, about
// 2^34.6 codes, shown as XXXX-XXXX. Guessing is throttled
// (docs/security.md rule 79), and a code lives DeviceCodeTTL.
const (
	userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"
	userCodeLength   = 8
)

// newUserCode draws a user code, normalized (no dash).
func newUserCode() string {
	b := make([]byte, userCodeLength)
	var buf [1]byte
	for i := 0; i < len(b); {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
		// 240 = 12*20: reject the top bytes so each letter is equally likely.
		if buf[0] < 240 {
			b[i] = userCodeAlphabet[buf[0]%20]
			i++
		}
	}
	return string(b)
}

// formatUserCode shows a normalized user code as XXXX-XXXX.
func formatUserCode(code string) string {
	if len(code) != userCodeLength {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// NormalizeUserCode turns what a person typed into the stored form: case
// and the dash, spaces and dots between groups do not matter (RFC 8628
// §6.1). ok is false unless the result is 8 letters of the alphabet.
func NormalizeUserCode(typed string) (code string, ok bool) {
	if len(typed) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, c := range typed {
		switch {
		case c == '-' || c == ' ' || c == '.' || c == '\t':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		if c > 0x7f || !strings.ContainsRune(userCodeAlphabet, c) {
			return "", false
		}
		b.WriteRune(c)
	}
	if b.Len() != userCodeLength {
		return "", false
	}
	return b.String(), true
}

// userCodeHash is what the store keeps of a normalized user code.
func (s *Server) userCodeHashes(code string) []string {
	return s.hasher.Candidates("user_code:" + code)
}
