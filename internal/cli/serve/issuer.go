package serve

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/internal/netutil"
)

// checkAddr refuses an --addr that net.Listen can never use (no port, a
// port that is neither a number nor a service name), before anything is
// created. A well-formed address that cannot be bound (a port above
// 65535, an address of another machine) fails later, when serve listens.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			err = errors.New(ae.Err)
		}
		return cmdutil.UsageErrorf("--addr %q: %v; want HOST:PORT, e.g. 127.0.0.1:8080 (127.0.0.1:0 picks a free port)", addr, err)
	}
	if strings.Trim(port, "0123456789") == "" {
		return nil
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return cmdutil.UsageErrorf("--addr %q: the port %q is not a number or a known service name", addr, port)
	}
	return nil
}

// explicitIssuer returns the issuer the user gave: --issuer (checked here,
// the one place it is checked) or the configuration's (checked when the
// file was loaded); "" when the bound address decides.
func explicitIssuer(flag string, cfg *config.Config) (string, error) {
	if flag != "" {
		iss := strings.TrimSuffix(flag, "/")
		if err := config.CheckIssuer(iss); err != nil {
			return "", cmdutil.UsageErrorf("--issuer: %v", err)
		}
		return iss, nil
	}
	if cfg != nil {
		return strings.TrimSuffix(cfg.Issuer, "/"), nil
	}
	return "", nil
}

// issuerFor decides the issuer once the listener is bound, so that the
// first line serve prints reaches this process: without an explicit
// issuer it is http://ADDR; a loopback http issuer from the configuration
// that names another address (the file's http://127.0.0.1:8080 with
// --addr 127.0.0.1:0) follows the bound address, and note says so. An
// issuer from --issuer, and a configured https or non-loopback one (a
// reverse proxy, a port mapping), is kept as given.
func issuerFor(explicit string, fromFlag bool, bound net.Addr) (issuer, note string) {
	derived := "http://" + listenHost(bound)
	switch {
	case explicit == "":
		return derived, ""
	case fromFlag || !loopbackHTTP(explicit) || reaches(explicit, bound):
		return explicit, ""
	}
	return derived, fmt.Sprintf("note: the configuration's issuer %s is not the listening address; the issuer is %s", explicit, derived)
}

// listenURL is the bound address as a URL when the issuer names another
// one ("" when the issuer reaches this process as it is).
func listenURL(issuer string, bound net.Addr) string {
	if reaches(issuer, bound) {
		return ""
	}
	return "http://" + listenHost(bound)
}

// loopbackHTTP reports whether iss is plain http to a loopback host.
func loopbackHTTP(iss string) bool {
	u, err := url.Parse(iss)
	return err == nil && u.Scheme == "http" && netutil.IsLoopbackHost(u.Hostname())
}

// reaches reports whether an http issuer names the bound address: the same
// port, and a host the listener answers on.
func reaches(iss string, bound net.Addr) bool {
	u, err := url.Parse(iss)
	tcp, ok := bound.(*net.TCPAddr)
	if err != nil || !ok || u.Scheme != "http" {
		return false
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	if port != strconv.Itoa(tcp.Port) {
		return false
	}
	host := u.Hostname()
	switch {
	case tcp.IP.IsUnspecified():
		return true
	case strings.EqualFold(host, "localhost"):
		return tcp.IP.IsLoopback()
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.Equal(tcp.IP)
}

// listenHost is the bound address as HOST:PORT for a URL; an unspecified
// address (0.0.0.0, ::) is reached at 127.0.0.1.
func listenHost(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	return tcp.String()
}
