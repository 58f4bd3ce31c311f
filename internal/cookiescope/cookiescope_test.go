package cookiescope

import "testing"

func TestPath(t *testing.T) {
	for issuer, want := range map[string]string{
		"http://127.0.0.1:8080":          "/authorize",
		"https://id.example.test/":       "/authorize",
		"https://id.example.test/realms": "/realms/authorize",
	} {
		if got := Path(issuer); got != want {
			t.Errorf("Path(%q) = %q, want %q", issuer, got, want)
		}
	}
}

func TestReaches(t *testing.T) {
	const iss = "http://127.0.0.1:8080"
	for _, c := range []struct {
		issuer, uri string
		want        bool
	}{
		{iss, "http://127.0.0.1:9000/callback", false},         // another path: the cookie stays away
		{iss, "http://127.0.0.1/callback", false},              // port-less loopback callback
		{iss, "http://127.0.0.1:9000/authorize", true},         // the cookie's path on another port
		{iss, "http://127.0.0.1:9000/authorize/cb", true},      // under it
		{iss, "http://127.0.0.1:8080/authorize/x?y=1", true},   // same port, under it
		{iss, "http://127.0.0.1:9000/authorizex", false},       // not a path-match (RFC 6265 §5.1.4)
		{iss, "http://127.0.0.1:9000/%61uthorize/cb", true},    // percent-encoded spelling
		{iss, "http://127.0.0.1:9000/x/../authorize/cb", true}, // dot segments
		{iss, "http://localhost:9000/authorize/cb", false},     // another host for the browser
		{iss, "http://[::1]:9000/authorize/cb", false},         // another host for the browser
		{"http://LOCALHOST:8080", "http://localhost/authorize", true},
		{"https://id.example.test/realms", "https://id.example.test/authorize", false},
		{"https://id.example.test/realms", "https://id.example.test/realms/authorize/cb", true},
		{iss, "com.example.app:/authorize", false}, // a private-use scheme has no cookie jar entry
	} {
		if got := Reaches(c.issuer, c.uri); got != c.want {
			t.Errorf("Reaches(%q, %q) = %v, want %v", c.issuer, c.uri, got, c.want)
		}
	}
}
