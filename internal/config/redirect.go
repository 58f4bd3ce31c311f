package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/internal/netutil"
)

// CheckIssuer checks an issuer identifier: an absolute http or https URL
// without query or fragment (RFC 8414 §2).
func CheckIssuer(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return fmt.Errorf("%q is not an absolute http or https URL", s)
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Errorf("%q must not have a query (RFC 8414 §2)", s)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Errorf("%q must not have a fragment (RFC 8414 §2)", s)
	}
	return nil
}

// CheckRedirectURI applies the registration rules for a redirect URI
// (docs/security.md rule 3; RFC 6749 §3.1.2, RFC 9700 §2.1, RFC 8252 §7):
// absolute, no fragment, no wildcard, not javascript:/data:/vbscript:, and
// plain http only to a loopback host (127.0.0.0/8, [::1], localhost).
func CheckRedirectURI(s string) error {
	if strings.Contains(s, "*") {
		return fmt.Errorf("%q contains a wildcard; redirect URIs are matched exactly (RFC 9700 §2.1)", s)
	}
	if strings.Contains(s, "#") {
		return fmt.Errorf("%q has a fragment, which a redirect URI must not have (RFC 6749 §3.1.2)", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%q is not a valid URI: %v", s, err)
	}
	switch {
	case u.Scheme == "":
		return fmt.Errorf("%q is not an absolute URI (RFC 6749 §3.1.2)", s)
	case u.Scheme == "javascript" || u.Scheme == "data" || u.Scheme == "vbscript":
		return fmt.Errorf("%q uses the %s: scheme, which can run code in the browser (RFC 6819 §5.2.3.5)", s, u.Scheme)
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host == "":
		return fmt.Errorf("%q has no host", s)
	case u.Scheme == "http" && !netutil.IsLoopbackHost(u.Hostname()):
		return fmt.Errorf("%q uses plain http to a host that is not loopback; use https, or http://127.0.0.1 for a native app (RFC 8252 §7.3, RFC 9700 §2.6)", s)
	}
	return nil
}
