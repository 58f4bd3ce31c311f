package authserver

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Rule 1: exact string match; a registered loopback IP literal accepts any
// port and nothing else may differ.
func TestMatchRedirectURI(t *testing.T) {
	registered := []string{
		"https://app.example.test/cb",
		"http://127.0.0.1/callback",
		"http://[::1]:8080/cb",
		"http://localhost:8400/cb",
		"https://app.example.test/q?tenant=1",
		"com.example.app:/oauth",
	}
	tests := []struct {
		uri  string
		want bool
	}{
		{"https://app.example.test/cb", true},
		{"https://APP.example.test/cb", false},                // case of the host
		{"HTTPS://app.example.test/cb", false},                // case of the scheme
		{"https://app.example.test/CB", false},                // case of the path
		{"https://app.example.test/cb/", false},               // trailing slash
		{"https://app.example.test/cb/.", false},              // dot segment
		{"https://app.example.test/x/../cb", false},           // dot segments
		{"https://app.example.test/%63b", false},              // percent-encoding of 'c'
		{"https://app.example.test/cb?x=1", false},            // extra query
		{"https://app.example.test/cb#frag", false},           // fragment
		{"https://app.example.test:443/cb", false},            // default port spelled out
		{"https://app.example.test:8443/cb", false},           // other port, not loopback
		{"https://app.example.test.evil.test/cb", false},      // suffix host
		{"https://app.example.test@evil.test/cb", false},      // userinfo
		{"https://app.example.test/cb ", false},               // trailing space
		{"https://app.example.test/q?tenant=1", true},         // registered query, exact
		{"https://app.example.test/q?tenant=2", false},        // other query value
		{"https://app.example.test/q?tenant=1&x=2", false},    // query appended
		{"http://127.0.0.1/callback", true},                   // loopback, no port
		{"http://127.0.0.1:49152/callback", true},             // loopback, any port
		{"http://127.0.0.1:1/callback", true},                 // lowest port
		{"http://127.0.0.1:65535/callback", true},             // highest port
		{"http://127.0.0.1:65536/callback", false},            // not a port
		{"http://127.0.0.1:0/callback", false},                // port 0
		{"http://127.0.0.1:080/callback", false},              // leading zero
		{"http://127.0.0.1:/callback", false},                 // empty port
		{"http://127.0.0.1:80a/callback", false},              // junk in port
		{"http://127.0.0.1:8080/callback/", false},            // trailing slash
		{"http://127.0.0.1:8080/Callback", false},             // case of the path
		{"http://127.0.0.1:8080/callback?x=1", false},         // extra query
		{"http://127.0.0.1:8080/callback#x", false},           // fragment
		{"http://127.0.0.1@evil.test/callback", false},        // userinfo: host is evil.test
		{"http://127.0.0.1:8080@evil.test/callback", false},   // userinfo with a "port"
		{"http://127.0.0.1.evil.test/callback", false},        // suffix host
		{"https://127.0.0.1:8080/callback", false},            // other scheme
		{"http://localhost:8080/callback", false},             // localhost is not the IP literal
		{"http://127.0.0.2:8080/callback", false},             // other loopback address
		{"http://[::1]:8080/callback", false},                 // [::1] is registered with /cb only
		{"http://[::1]:9999/cb", true},                        // registered with a port: any port
		{"http://[::1]/cb", true},                             // and none
		{"http://[0:0:0:0:0:0:0:1]:9999/cb", false},           // other spelling of ::1
		{"http://localhost:8400/cb", true},                    // localhost: exact
		{"http://localhost:8401/cb", false},                   // localhost: port must match
		{"http://LOCALHOST:8400/cb", false},                   // case
		{"com.example.app:/oauth", true},                      // private-use scheme, exact
		{"com.example.app:/oauth2", false},                    // prefix
		{"", false},                                           // nothing
		{"http://127.0.0.1%2fevil.test/callback", false},      // encoded slash
		{"http://127.0.0.1:8080\\@evil.test/callback", false}, // backslash trick
	}
	for _, tc := range tests {
		if got := matchRedirectURI(registered, tc.uri); got != tc.want {
			t.Errorf("matchRedirectURI(%q) = %v, want %v", tc.uri, got, tc.want)
		}
	}
	// A registered loopback URI followed by something other than a path or
	// query is never widened.
	if matchRedirectURI([]string{"http://127.0.0.1.example.test/cb"}, "http://127.0.0.1:80.example.test/cb") {
		t.Errorf("a host that starts with 127.0.0.1 was treated as loopback")
	}
}

// Rules 1 and 2 over HTTP: every variant gets the HTML error page, status
// 400, no Location, and the offending value escaped on the page.
func TestAuthorizeBadRedirectIsAPage(t *testing.T) {
	e := newAzEnv(t)
	for _, uri := range []string{
		"https://app.example.test/cb/",
		"https://APP.example.test/cb",
		"https://app.example.test/cb?next=https://evil.test",
		"http://127.0.0.1@evil.test/callback",
		"http://localhost:5000/callback",
		"https://app.example.test:8443/cb",
		"https://evil.test/cb",
		`https://app.example.test/"><script>alert(1)</script>`,
	} {
		t.Run(uri, func(t *testing.T) {
			r := e.authorize(codeReq("redirect_uri", uri)...)
			wantPage(t, r, http.StatusBadRequest, "Invalid redirect URI", "does not exactly match")
			if strings.Contains(r.body, "<script>alert") {
				t.Errorf("the redirect URI was reflected unescaped")
			}
			if uri[len(uri)-1] == '>' && !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("the reflected value is not HTML-escaped:\n%s", r.body)
			}
		})
	}
}

// FuzzMatchRedirectURI: whatever the requested string, a match is either
// the registered string itself or, for a loopback registration, a URL whose
// parsed scheme, host, path, query and fragment are the registered ones and
// which has no userinfo. That rules out a parser seeing another host.
func FuzzMatchRedirectURI(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8080/callback", "http://127.0.0.1@evil/callback",
		"http://[::1]:1/cb?x=1", "http://127.0.0.1:65535/callback", "https://app/cb", "http://127.0.0.1:8080\\@evil/callback"} {
		f.Add(s)
	}
	registered := []string{"http://127.0.0.1/callback", "http://[::1]:8080/cb?x=1", "https://app/cb"}
	f.Fuzz(func(t *testing.T, requested string) {
		if !matchRedirectURI(registered, requested) {
			return
		}
		for _, reg := range registered {
			if reg == requested {
				return
			}
		}
		u, err := url.Parse(requested)
		if err != nil {
			t.Fatalf("matched %q, which does not parse: %v", requested, err)
		}
		if u.User != nil || u.Scheme != "http" || u.Fragment != "" {
			t.Fatalf("matched %q: user %v scheme %q fragment %q", requested, u.User, u.Scheme, u.Fragment)
		}
		host := u.Hostname()
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() || (host != "127.0.0.1" && host != "::1") {
			t.Fatalf("matched %q with host %q", requested, host)
		}
		want := map[string]string{"127.0.0.1": "/callback", "::1": "/cb"}[host]
		if u.Path != want || u.RawPath != "" {
			t.Fatalf("matched %q with path %q", requested, u.Path)
		}
	})
}
