package authserver

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// checkHost refuses a request whose Host header names neither the issuer's
// host nor the address the connection arrived on: a web page that rebinds
// its own DNS name to 127.0.0.1 (DNS rebinding) reaches the port but sends
// its own name as Host, and gets 421 Misdirected Request (RFC 9110 §15.5.20,
// docs/security.md rule 56). "localhost" is accepted on a loopback
// connection: no remote page can make a browser send it. The public,
// credential-free documents (discovery, JWKS, /healthz) answer any Host:
// reading them gives a rebinding page nothing, and the issuer in them is
// the configured one anyway (rule 21).
func (s *Server) checkHost(next http.Handler) http.Handler {
	issuerHost, issuerScheme := "", "http"
	if u, err := url.Parse(s.settings.Issuer); err == nil {
		issuerHost, issuerScheme = canonicalHost(u.Host, u.Scheme), u.Scheme
	}
	var allowed allowedHosts
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		if !ok || publicDocument(r.URL.Path) || allowed.check(r.Host, issuerHost, issuerScheme, local) {
			next.ServeHTTP(w, r) // no connection (the handler called in process): nothing to rebind
			return
		}
		WriteError(w, &Error{Code: ErrInvalidRequest, Status: http.StatusMisdirectedRequest,
			Description: "Host " + quoteShort(r.Host) + " is not this server: use the issuer " + s.settings.Issuer +
				" or the address it listens on (DNS rebinding protection)"})
	})
}

// allowedHosts remembers the Host headers hostAllowed accepted, with the
// local address they came on, so that the usual request does not parse
// and format host names again. It keeps at most maxAllowedHosts answers
// (Host headers are the client's to choose); a refusal is never kept.
type allowedHosts struct {
	m  sync.Map // allowedHost -> struct{}
	mu sync.Mutex
	n  int
}

type allowedHost struct {
	host  string
	local netip.AddrPort
}

const maxAllowedHosts = 256

// check is hostAllowed, remembering what it accepts.
func (a *allowedHosts) check(header, issuerHost, scheme string, local net.Addr) bool {
	tcp, ok := local.(*net.TCPAddr)
	if !ok {
		return hostAllowed(header, issuerHost, scheme, local)
	}
	k := allowedHost{header, tcp.AddrPort()}
	if _, ok := a.m.Load(k); ok {
		return true
	}
	if !hostAllowed(header, issuerHost, scheme, local) {
		return false
	}
	a.mu.Lock()
	if a.n < maxAllowedHosts {
		if _, loaded := a.m.LoadOrStore(k, struct{}{}); !loaded {
			a.n++
		}
	}
	a.mu.Unlock()
	return true
}

// hostAllowed reports whether the Host header is the issuer's host (a
// Host without a port gets the issuer scheme's default), the local address
// of the connection, or localhost on a loopback connection.
func hostAllowed(header, issuerHost, scheme string, local net.Addr) bool {
	host := canonicalHost(header, scheme)
	if host == "" {
		return false
	}
	if host == issuerHost {
		return true
	}
	tcp, ok := local.(*net.TCPAddr)
	if !ok {
		return false
	}
	port := tcp.AddrPort().Port()
	if host == canonicalHost(net.JoinHostPort(tcp.IP.String(), strconv.Itoa(int(port))), scheme) {
		return true
	}
	return tcp.IP.IsLoopback() && host == canonicalHost(net.JoinHostPort("localhost", strconv.Itoa(int(port))), scheme)
}

// canonicalHost is host:port in lower case with the scheme's default port
// made explicit and IPv6 literals bracketed; "" when it does not parse.
func canonicalHost(hostport, scheme string) string {
	if hostport == "" {
		return ""
	}
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		h, p = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]"), "80"
		if scheme == "https" {
			p = "443"
		}
	}
	if ip := net.ParseIP(h); ip != nil {
		h = ip.String()
	}
	return strings.ToLower(net.JoinHostPort(h, p))
}

// publicDocument reports whether path is one of the documents anyone may
// read: discovery metadata, the JWKS and the health check.
func publicDocument(path string) bool {
	switch path {
	case "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", "/jwks.json", "/healthz":
		return true
	}
	return false
}
