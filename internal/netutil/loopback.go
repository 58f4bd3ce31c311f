// Package netutil holds the network rules that the server's configuration
// and the client both apply, so they cannot disagree.
package netutil

import (
	"net"
	"strings"
)

// IsLoopbackHost reports whether host (a URL's Hostname(), without port or
// brackets) is localhost or a loopback IP literal: 127.0.0.0/8 or ::1
// (RFC 8252 §7.3, §8.3).
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
