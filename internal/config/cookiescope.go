package config

import (
	"github.com/oauthkit/oauthkit/internal/cookiescope"
)

// placedURI is a redirect URI of the file and where it is written.
type placedURI struct {
	uri  string
	path string
	line int
}

// cookieScope records every client redirect URI with its line and, when
// the file names the issuer, refuses those the server's session cookie
// could reach (docs/security.md rule 39).
func (v *validator) cookieScope(cfg *Config, p keyPath, fcs []fileClient) {
	for i := range fcs {
		for j, uri := range fcs[i].RedirectURIs {
			rp := p.idx(i).key("redirect_uris").idx(j)
			cfg.redirects = append(cfg.redirects, placedURI{uri: uri, path: rp.String(), line: lineOf(v.doc, rp)})
		}
	}
	if cfg.Issuer == "" {
		return
	}
	v.errs = append(v.errs, cfg.cookieScopeErrors(cfg.Issuer, v.file)...)
}

// CheckCookieScope refuses a redirect URI that the session cookie of a
// server with this issuer would be sent to: the issuer's host (any port)
// and a path under the cookie's path (docs/security.md rule 39). Serve calls
// it when the issuer does not come from the file; the error is of type
// Errors, with the file and line of each such URI.
func (c *Config) CheckCookieScope(issuer string) error {
	if errs := c.cookieScopeErrors(issuer, c.File); len(errs) > 0 {
		return errs
	}
	return nil
}

func (c *Config) cookieScopeErrors(issuer, file string) Errors {
	var errs Errors
	for _, r := range c.redirects {
		if cookiescope.Reaches(issuer, r.uri) {
			errs = append(errs, &Error{File: file, Line: r.line, Path: r.path,
				Msg: "\"" + r.uri + "\" is on the issuer's host (" + issuer + ") under " + cookiescope.Path(issuer) +
					", where the browser would send it the server's session cookie (cookies ignore the port, RFC 6265 §8.5); " +
					"use another path, such as /callback (docs/security.md rule 39)"})
		}
	}
	return errs
}
