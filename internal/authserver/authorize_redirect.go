package authserver

import "strings"

// Redirect URI matching (docs/security.md rule 1): the requested URI must equal a
// registered one as a string — no case folding, no normalising of ports,
// slashes, dot segments, query or percent-encodings (RFC 9700 §2.1,
// RFC 6749 §3.1.2.3). The one exception is a registered loopback IP
// literal, http://127.0.0.1 or http://[::1], where any port is accepted and
// nothing else may differ (RFC 8252 §7.3). The comparison is on strings, so
// no URL parser can be fooled into seeing another host.

// The registered prefixes whose port may vary.
const (
	loopbackV4 = "http://127.0.0.1"
	loopbackV6 = "http://[::1]"
)

// matchRedirectURI reports whether requested matches one of registered.
func matchRedirectURI(registered []string, requested string) bool {
	for _, reg := range registered {
		if reg == requested {
			return true
		}
		if loopbackMatch(reg, requested) {
			return true
		}
	}
	return false
}

// loopbackMatch: reg is http://127.0.0.1[:port]REST or http://[::1][:port]REST,
// and requested is the same prefix, an optional port of its own, and the
// identical REST.
func loopbackMatch(reg, requested string) bool {
	for _, prefix := range [...]string{loopbackV4, loopbackV6} {
		regRest, ok := strings.CutPrefix(reg, prefix)
		if !ok {
			continue
		}
		regRest, ok = cutPort(regRest)
		if !ok || !startsPathQueryOrEnd(regRest) {
			return false
		}
		reqRest, ok := strings.CutPrefix(requested, prefix)
		if !ok {
			return false
		}
		reqRest, ok = cutPort(reqRest)
		return ok && reqRest == regRest
	}
	return false
}

// cutPort removes a leading ":PORT" (1–65535, no leading zero); a string
// without one is returned unchanged. ok is false for a malformed port.
func cutPort(s string) (rest string, ok bool) {
	if !strings.HasPrefix(s, ":") {
		return s, true
	}
	i := 1
	port := 0
	for i < len(s) && i <= 6 && '0' <= s[i] && s[i] <= '9' {
		port = port*10 + int(s[i]-'0')
		i++
	}
	digits := s[1:i]
	if digits == "" || digits[0] == '0' || port > 65535 {
		return "", false
	}
	return s[i:], true
}

// startsPathQueryOrEnd: what follows the authority of a registered loopback
// URI must be a path, a query or nothing — never "@evil" or ".evil".
func startsPathQueryOrEnd(rest string) bool {
	return rest == "" || rest[0] == '/' || rest[0] == '?'
}
