// Package cookiescope is the one home of the rule that keeps the browser
// session cookie of `oauthkit serve` away from the clients' redirect URIs
// (docs/security.md rule 39).
//
// Browsers do not isolate cookies by port (RFC 6265 §8.5): a cookie set by
// http://127.0.0.1:8080 is also sent to http://127.0.0.1:53124/callback, a
// loopback client's redirect URI (RFC 8252 §7.3). So the server scopes its
// cookies by Path to PagesPrefix under the issuer's path, where every page
// that needs the session lives, and the configuration refuses a redirect
// URI that the cookie could still reach: the issuer's host (a host-only
// cookie knows no port) and a path under the cookie's path.
package cookiescope

import (
	"net/url"
	"path"
	"strings"
)

// PagesPrefix is the path, under the issuer's, of the authorization
// endpoint; the login, consent and logout pages live below it.
const PagesPrefix = "/authorize"

// Path is the Path attribute of the server's cookies for issuer.
func Path(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil {
		return PagesPrefix
	}
	return strings.TrimSuffix(u.EscapedPath(), "/") + PagesPrefix
}

// Reaches reports whether a host-only cookie that issuer sets with Path(issuer)
// would be sent by a browser to uri: same host (compared without the port,
// case-insensitively; 127.0.0.1, localhost and [::1] are three hosts) and a
// path that path-matches the cookie's (RFC 6265 §5.1.4). Paths are compared
// as written, percent-decoded and with dot segments removed, so that no
// spelling of a path under the cookie's slips through.
func Reaches(issuer, uri string) bool {
	iu, err := url.Parse(issuer)
	if err != nil {
		return false
	}
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	if !strings.EqualFold(strings.TrimSuffix(iu.Hostname(), "."), strings.TrimSuffix(u.Hostname(), ".")) {
		return false
	}
	cookiePath := Path(issuer)
	for _, p := range []string{u.EscapedPath(), u.Path} {
		if p == "" {
			p = "/"
		}
		if pathMatch(p, cookiePath) || pathMatch(path.Clean(p), cookiePath) {
			return true
		}
	}
	return false
}

// pathMatch is the path-match of RFC 6265 §5.1.4.
func pathMatch(requestPath, cookiePath string) bool {
	if requestPath == cookiePath {
		return true
	}
	if !strings.HasPrefix(requestPath, cookiePath) {
		return false
	}
	return strings.HasSuffix(cookiePath, "/") || requestPath[len(cookiePath)] == '/'
}
