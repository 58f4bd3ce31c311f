package config

import (
	"bytes"
	"io"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/oauthkit/oauthkit/internal/cookiescope"
)

// cookieScope refuses, when the file names the issuer, the redirect URIs
// the server's session cookie could reach (docs/security.md rule 39).
func (v *validator) cookieScope(cfg *Config) {
	if cfg.Issuer != "" {
		v.errs = append(v.errs, cookieScopeErrors(cfg, cfg.Issuer, v.file, v.doc)...)
	}
}

// CheckCookieScope refuses a redirect URI that the session cookie of a
// server with this issuer would be sent to: the issuer's host (any port)
// and a path under the cookie's path (docs/security.md rule 39). Serve calls
// it when the issuer does not come from the file. The error is of type
// Errors, with the file and, when the file can still be read, the line of
// each such URI.
func (c *Config) CheckCookieScope(issuer string) error {
	if errs := cookieScopeErrors(c, issuer, c.File, c.document()); len(errs) > 0 {
		return errs
	}
	return nil
}

// document reads the file again for line numbers; nil when it cannot.
func (c *Config) document() *yaml.Node {
	f, err := os.Open(c.File)
	if err != nil {
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize))
	if err != nil {
		return nil
	}
	var root yaml.Node
	if yaml.NewDecoder(bytes.NewReader(data)).Decode(&root) != nil {
		return nil
	}
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		return root.Content[0]
	}
	return &root
}

// cookieScopeErrors lists the clients' redirect URIs the cookie of issuer
// reaches; cfg.Clients are in file order, one per clients[i].
func cookieScopeErrors(cfg *Config, issuer, file string, doc *yaml.Node) Errors {
	var errs Errors
	for i, cl := range cfg.Clients {
		for j, uri := range cl.RedirectURIs {
			if !cookiescope.Reaches(issuer, uri) {
				continue
			}
			p := keyPath{"clients", i, "redirect_uris", j}
			errs = append(errs, &Error{File: file, Line: lineOf(doc, p), Path: p.String(),
				Msg: "\"" + uri + "\" is on the issuer's host (" + issuer + ") under " + cookiescope.Path(issuer) +
					", where the browser would send it the server's session cookie (cookies ignore the port, RFC 6265 §8.5); " +
					"use another path, such as /callback (docs/security.md rule 39)"})
		}
	}
	return errs
}
