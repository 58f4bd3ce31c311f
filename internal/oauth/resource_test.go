package oauth

import (
	"net/url"
	"strings"
	"testing"
)

func TestCheckResourceIndicator(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://api.example/", ""},
		{"http://127.0.0.1:3000/mcp", ""},
		{"urn:x:y", "must be an absolute URI with a host"},
		{"https://api.example/#", "must not include a fragment (RFC 8707 §2)"},
		{"https://api.example/#f", "must not include a fragment"},
		{"/relative", "must be an absolute URI with a host"},
		{"", "is empty (RFC 8707 §2)"},
		{"https://api.example/a b", "printable ASCII without spaces"},
		{"https://api.example/\u00e9", "printable ASCII without spaces"},
		{"https://" + strings.Repeat("a", 2050), "longer than 2048 bytes"},
		{"https://%zz/", "is not a valid URI"},
	}
	for _, tt := range tests {
		err := CheckResourceIndicator(tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q refused: %v", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.want)
		}
	}
}

// FuzzCheckResourceIndicator: what is accepted is an absolute URI with a
// host, without fragment or whitespace, at most 2048 bytes; never a panic.
func FuzzCheckResourceIndicator(f *testing.F) {
	for _, s := range []string{"https://api.example/", "https://a/#", "urn:a", "http://[::1]:80/x?y=1", "https://a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckResourceIndicator(s) != nil {
			return
		}
		u, err := url.Parse(s)
		if err != nil || !u.IsAbs() || u.Host == "" || strings.ContainsAny(s, "# \t\r\n") || len(s) > MaxResourceLength {
			t.Fatalf("accepted %q", s)
		}
	})
}
