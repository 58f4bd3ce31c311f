package flow

import "fmt"

// MalformedTokenError is a token response whose tokens carry characters a
// token cannot have. Printed as it came, such a token would inject headers
// into `curl -H "$(oauthkit flow … -o header)"` or escape sequences into the
// terminal, so none of the response is printed.
type MalformedTokenError struct {
	Where string // "token endpoint", "authorization response"
	Field string // access_token, refresh_token, …
	Rule  string // what the field may contain
	Index int    // byte offset of the first bad character
	Char  byte
}

func (e *MalformedTokenError) Error() string {
	return fmt.Sprintf("%s answered %s with byte 0x%02x at offset %d, which %s; nothing is printed (it could inject HTTP headers or terminal escapes)",
		e.Where, e.Field, e.Char, e.Index, e.Rule)
}

// isB64TokenChar: the b64token characters of RFC 6750 §2.1 (ALPHA, DIGIT,
// "-" "." "_" "~" "+" "/"; "=" only as trailing padding).
func isB64TokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', '+', '/':
		return true
	}
	return false
}

// checkB64Token returns the offset of the first byte of s outside the
// RFC 6750 §2.1 b64token syntax, or -1.
func checkB64Token(s string) int {
	i := 0
	for i < len(s) && isB64TokenChar(s[i]) {
		i++
	}
	if i == 0 && len(s) > 0 {
		return 0
	}
	for i < len(s) && s[i] == '=' {
		i++
	}
	if i < len(s) {
		return i
	}
	return -1
}

// checkVSChar returns the offset of the first byte of s outside printable
// ASCII (VSCHAR, %x20-7E, RFC 6749 Appendix A), or -1.
func checkVSChar(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return i
		}
	}
	return -1
}

// checkTokenChars refuses a response whose access token is not an RFC 6750
// §2.1 b64token, or whose token type, refresh token, ID token or scope is
// not printable ASCII (docs/security.md rule 59).
func checkTokenChars(where string, tr *TokenResponse) error {
	if i := checkB64Token(tr.AccessToken); i >= 0 {
		return &MalformedTokenError{Where: where, Field: "access_token", Index: i, Char: tr.AccessToken[i],
			Rule: "is not allowed in an access token (RFC 6750 §2.1: letters, digits, -._~+/ and trailing =)"}
	}
	for _, f := range []struct{ name, v string }{
		{"token_type", tr.TokenType}, {"refresh_token", tr.RefreshToken}, {"id_token", tr.IDToken}, {"scope", tr.Scope},
	} {
		if i := checkVSChar(f.v); i >= 0 {
			return &MalformedTokenError{Where: where, Field: f.name, Index: i, Char: f.v[i],
				Rule: "is not printable ASCII (RFC 6749 Appendix A)"}
		}
	}
	return nil
}
