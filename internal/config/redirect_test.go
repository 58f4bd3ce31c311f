package config

import (
	"strings"
	"testing"
)

func TestCheckRedirectURI(t *testing.T) {
	tests := []struct {
		uri  string
		want string // "" = accepted; else a fragment of the error
	}{
		{"https://app.example.test/callback", ""},
		{"https://app.example.test:8443/cb?x=1", ""},
		{"http://127.0.0.1/callback", ""},
		{"http://127.0.0.1:8080/callback", ""},
		{"http://127.42.0.9/cb", ""},
		{"http://[::1]/callback", ""},
		{"http://[::1]:9000/callback", ""},
		{"http://localhost:3000/cb", ""},
		{"http://LOCALHOST/cb", ""},
		{"com.example.app:/oauth2redirect", ""},
		{"https://app.example.test/cb#", "has a fragment, which a redirect URI must not have (RFC 6749 §3.1.2)"},
		{"https://app.example.test/cb#frag", "has a fragment"},
		{"https://*.example.test/cb", "contains a wildcard; redirect URIs are matched exactly (RFC 9700 §2.1)"},
		{"https://app.example.test/*", "contains a wildcard"},
		{"javascript:alert(1)", "uses the javascript: scheme, which can run code in the browser"},
		{"JavaScript:alert(1)", "uses the javascript: scheme"},
		{"data:text/html,<script>x</script>", "uses the data: scheme"},
		{"/callback", "is not an absolute URI (RFC 6749 §3.1.2)"},
		{"app.example.test/cb", "is not an absolute URI"},
		{"", "is not an absolute URI"},
		{"http://app.example.test/cb", "uses plain http to a host that is not loopback; use https"},
		{"http://10.0.0.1/cb", "uses plain http to a host that is not loopback"},
		{"http://128.0.0.1/cb", "uses plain http to a host that is not loopback"},
		{"http://localhost.evil.test/cb", "uses plain http to a host that is not loopback"},
		{"http://127.0.0.1.nip.io/cb", "uses plain http to a host that is not loopback"},
		{"https:///cb", "has no host"},
		{"http://a b/cb", "is not a valid URI"},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			err := CheckRedirectURI(tt.uri)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("accepted, want %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestCheckIssuer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:8080", ""},
		{"https://as.example.test/tenant", ""},
		{"https://as.example.test?", "must not have a query"},
		{"https://as.example.test/#", "must not have a fragment"},
		{"as.example.test", "is not an absolute http or https URL"},
		{"https://", "is not an absolute http or https URL"},
	}
	for _, tt := range tests {
		err := CheckIssuer(tt.in)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckIssuer(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}
