package authserver

import (
	"net/http"
	"strings"
	"testing"
)

// docs/security.md rule 56 (issue 13 item 18): a Host that is neither the
// issuer's nor the listening address is 421 Misdirected Request on every
// endpoint that handles credentials or user data (DNS rebinding).
func TestHostHeaderChecked(t *testing.T) {
	e := newEnv(t)
	listen := strings.TrimPrefix(e.ts.URL, "http://")
	port := listen[strings.LastIndexByte(listen, ':')+1:]
	cc := form("grant_type", GrantClientCredentials)
	send := func(host, path string) resp {
		req := e.postReq(path, cc, webAuth)
		req.Host = host
		return e.do(req)
	}
	for _, host := range []string{"evil.example", "evil.example:" + port, "127.0.0.2:" + port, "as.example.test:8443", "as.example.test.evil.example"} {
		for _, path := range []string{"/token", "/introspect", "/revoke", "/authorize", "/userinfo", "/protected", "/login", "/consent", "/logout"} {
			r := send(host, path)
			if r.status != http.StatusMisdirectedRequest {
				t.Errorf("Host %s %s: %d %s, want 421", host, path, r.status, r.body)
				continue
			}
			wantError(t, r, http.StatusMisdirectedRequest, ErrInvalidRequest)
		}
	}
	for _, host := range []string{listen, "localhost:" + port, "LOCALHOST:" + port, "as.example.test", "AS.example.test:443"} {
		if r := send(host, "/token"); r.status != http.StatusOK {
			t.Errorf("Host %s: %d %s, want 200", host, r.status, r.body)
		}
	}
	// Public documents answer any Host.
	for _, path := range []string{"/.well-known/openid-configuration", "/jwks.json", "/healthz"} {
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
		req.Host = "evil.example"
		if r := e.do(req); r.status != http.StatusOK {
			t.Errorf("%s with Host evil.example: %d", path, r.status)
		}
	}
}
