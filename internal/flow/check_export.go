package flow

import "net/url"

// What `oauthkit check` (internal/check) reuses of the headless driver, so
// that each rule keeps one home.

// SameOrigin reports whether two URLs have the same origin: scheme and
// host:port, the scheme's default port made explicit (RFC 6454).
func SameOrigin(a, b *url.URL) bool { return sameOrigin(a, b) }

// PageText is what a page an authorization server answered says, on one
// line and safe for a terminal (the error object's code and description;
// from HTML the heading and the alert, else the title; plain text as is).
func PageText(mediaType string, body []byte) string { return pageText(mediaType, body) }
