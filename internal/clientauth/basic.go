// Package clientauth implements OAuth 2.0 client authentication (RFC 6749
// §2.3): the HTTP Basic encoding of client credentials on the client side
// and the recognition of client_secret_basic, client_secret_post and none on
// the server side.
package clientauth

import (
	"encoding/base64"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Scheme is the HTTP authentication scheme of client_secret_basic.
const Scheme = "Basic"

// Encode returns the base64 value of HTTP Basic credentials for a client.
//
// By default it follows RFC 6749 §2.3.1: the client_id and the secret are
// each application/x-www-form-urlencoded first (space becomes '+', every
// byte outside A-Z a-z 0-9 - . _ ~ becomes %XX), then "id:secret" is encoded
// in standard base64 with padding. With raw the form-encoding is skipped,
// which is what `curl -u id:secret` sends (RFC 7617). Call Validate first:
// Encode does not refuse anything.
func Encode(id, secret string, raw bool) string {
	if !raw {
		id, secret = url.QueryEscape(id), url.QueryEscape(secret)
	}
	return base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
}

// Header returns the value of the Authorization header for an encoded value.
func Header(value string) string { return Scheme + " " + value }

// Validate reports whether id and secret can be encoded so that Decode gives
// them back: a non-empty client_id, valid UTF-8 without control characters,
// and, with raw, no colon in the client_id.
func Validate(id, secret string, raw bool) error {
	if id == "" {
		return requestf(ErrEmptyID, "client_id is empty (RFC 6749 §2.3.1)")
	}
	for _, f := range []struct{ name, v string }{{"client_id", id}, {"client_secret", secret}} {
		if !utf8.ValidString(f.v) {
			return requestf(ErrNotUTF8, "%s is not valid UTF-8", f.name)
		}
		if i := controlIndex(f.v); i >= 0 {
			return requestf(ErrControlChar, "%s contains a control character (%U at byte %d); RFC 6749 Appendix A allows none", f.name, []rune(f.v[i:])[0], i)
		}
	}
	if raw && strings.Contains(id, ":") {
		return requestf(ErrColonInRawID, "client_id contains a ':', which raw HTTP Basic cannot carry (RFC 7617 §2); the RFC 6749 §2.3.1 form-encoding can")
	}
	return nil
}

// Decode parses HTTP Basic client credentials. value is the bare base64
// value or the whole header ("Basic xxx", "Authorization: Basic xxx"; the
// scheme is case-insensitive, extra white space is ignored). Missing base64
// padding is tolerated. The decoded text is split at the FIRST colon, and
// each part is form-decoded ('+' is a space, %XX a byte) unless raw.
//
// Every error matches ErrMalformed and one of the specific kinds (ErrEmpty,
// ErrWrongScheme, ErrNotBase64, ErrNotUTF8, ErrControlChar, ErrNoColon,
// ErrBadEncoding, ErrEmptyID); its text never contains the secret.
func Decode(value string, raw bool) (id, secret string, err error) {
	b64, err := credentialsField(value)
	if err != nil {
		return "", "", err
	}
	decoded, err := decodeBase64(b64)
	if err != nil {
		return "", "", err
	}
	if !utf8.ValidString(decoded) {
		return "", "", malformedf(ErrNotUTF8, "decoded credentials are not valid UTF-8 text (RFC 7617 §2.1)")
	}
	if i := controlIndex(decoded); i >= 0 {
		return "", "", malformedf(ErrControlChar, "decoded credentials contain a control character (%U at byte %d); RFC 7617 §2 forbids them", []rune(decoded[i:])[0], i)
	}
	colon := strings.IndexByte(decoded, ':')
	if colon < 0 {
		return "", "", malformedf(ErrNoColon, "decoded credentials have no ':' between client_id and client_secret (RFC 7617 §2)")
	}
	id, secret = decoded[:colon], decoded[colon+1:]
	if !raw {
		if id, err = formDecode("client_id", id); err != nil {
			return "", "", err
		}
		if secret, err = formDecode("client_secret", secret); err != nil {
			return "", "", err
		}
	}
	if id == "" {
		return "", "", malformedf(ErrEmptyID, "client_id is empty (RFC 6749 §2.3.1)")
	}
	return id, secret, nil
}

// credentialsField extracts the base64 token from a header line or value.
func credentialsField(value string) (string, error) {
	s := strings.TrimSpace(value)
	const prefix = "authorization:"
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		s = s[len(prefix):]
	}
	fields := strings.Fields(s)
	switch {
	case len(fields) == 0:
		return "", malformedf(ErrEmpty, "no credentials: the value is empty")
	case len(fields) == 1 && strings.EqualFold(fields[0], Scheme):
		return "", malformedf(ErrEmpty, "no credentials after %q", fields[0])
	case len(fields) == 1:
		return fields[0], nil
	case !strings.EqualFold(fields[0], Scheme):
		return "", malformedf(ErrWrongScheme, "authorization scheme is %q, not \"Basic\" (RFC 7617 §2)", shorten(fields[0]))
	case len(fields) > 2:
		return "", malformedf(ErrNotBase64, "unexpected text after the Basic credentials (RFC 7617 §2 allows one token)")
	}
	return fields[1], nil
}

func decodeBase64(s string) (string, error) {
	enc := base64.StdEncoding
	if len(s)%4 != 0 && !strings.Contains(s, "=") {
		enc = base64.RawStdEncoding // tolerate missing padding
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		msg := "credentials are not valid base64 (RFC 7617 §2)"
		if strings.Contains(s, ":") {
			msg += "; the value contains a ':', was it given before encoding?"
		} else if strings.ContainsAny(s, "-_") {
			msg += "; they look like base64url, Basic uses the standard alphabet with + and /"
		}
		return "", malformedf(ErrNotBase64, "%s", msg)
	}
	return string(b), nil
}

// formDecode undoes application/x-www-form-urlencoded, reporting a bad
// %-escape by position without echoing the value.
func formDecode(name, s string) (string, error) {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && (i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2])) {
			return "", malformedf(ErrBadEncoding, "%s is not form-urlencoded as RFC 6749 §2.3.1 requires: the '%%' at byte %d is not followed by two hex digits", name, i)
		}
	}
	out, err := url.QueryUnescape(s)
	if err != nil { // unreachable after the check above; kept for safety
		return "", malformedf(ErrBadEncoding, "%s is not form-urlencoded as RFC 6749 §2.3.1 requires", name)
	}
	if !utf8.ValidString(out) {
		return "", malformedf(ErrNotUTF8, "%s is not valid UTF-8 after form-decoding", name)
	}
	if i := controlIndex(out); i >= 0 {
		return "", malformedf(ErrControlChar, "%s contains a control character after form-decoding (%U at byte %d); RFC 6749 Appendix A allows none", name, []rune(out[i:])[0], i)
	}
	return out, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// controlIndex returns the byte index of the first control character in a
// valid UTF-8 string, or -1.
func controlIndex(s string) int {
	for i, r := range s {
		if unicode.IsControl(r) {
			return i
		}
	}
	return -1
}

func shorten(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
