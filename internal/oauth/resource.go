package oauth

import (
	"errors"
	"net/url"
	"strings"
)

// MaxResourceLength bounds one resource indicator.
const MaxResourceLength = 2048

// CheckResourceIndicator checks the syntax of a resource indicator (RFC 8707
// §2): an absolute URI with a host, without a fragment, of printable ASCII
// without spaces (so a list of them joins with spaces). The error says which
// rule is broken; the server, the configuration and flow all use it.
func CheckResourceIndicator(s string) error {
	switch {
	case s == "":
		return errors.New("is empty (RFC 8707 §2)")
	case len(s) > MaxResourceLength:
		return errors.New("is longer than 2048 bytes (RFC 8707 §2)")
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return errors.New("must be a URI of printable ASCII without spaces (RFC 3986 §2)")
		}
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("is not a valid URI (RFC 3986)")
	case !u.IsAbs() || u.Host == "":
		return errors.New("must be an absolute URI with a host, like https://api.example/ (RFC 8707 §2)")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return errors.New("must not include a fragment (RFC 8707 §2)")
	}
	return nil
}
