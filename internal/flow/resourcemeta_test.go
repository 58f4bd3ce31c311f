package flow

import (
	"strings"
	"testing"
)

func TestChallengeParam(t *testing.T) {
	tests := []struct {
		headers []string
		want    string
	}{
		{[]string{`Bearer realm="oauthkit", resource_metadata="http://127.0.0.1:8080/.well-known/oauth-protected-resource/protected"`},
			"http://127.0.0.1:8080/.well-known/oauth-protected-resource/protected"},
		{[]string{`Bearer resource_metadata=https://rs.example/m`}, "https://rs.example/m"},
		{[]string{`bearer error="invalid_token", error_description="a \"quoted\", value", resource_metadata="https://rs.example/m"`}, "https://rs.example/m"},
		{[]string{`Basic realm="x"`, `Bearer resource_metadata="https://rs.example/m"`}, "https://rs.example/m"},
		{[]string{`Basic resource_metadata="https://evil.example/m"`}, ""},
		{[]string{`Bearer realm="x"`}, ""},
		{[]string{`Bearer resource_metadata="https://rs.example/m`}, ""}, // unterminated
		{[]string{`Bearer resource_metadata="https://a.example/m", resource_metadata="https://b.example/m"`}, "https://a.example/m"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := ChallengeParam(tt.headers, "resource_metadata"); got != tt.want {
			t.Errorf("ChallengeParam(%q) = %q, want %q", tt.headers, got, tt.want)
		}
	}
}

func TestParseResourceMetadata(t *testing.T) {
	good := `{"resource":"https://mcp.example.test/mcp","authorization_servers":["https://as.example.test"],"scopes_supported":["tools"]}`
	m, err := ParseResourceMetadata([]byte(good), "https://mcp.example.test/mcp", false)
	if err != nil {
		t.Fatal(err)
	}
	if m.Resource != "https://mcp.example.test/mcp" || m.ScopesSupported[0] != "tools" {
		t.Fatalf("%+v", m)
	}
	if _, err := ParseResourceMetadata([]byte(good), "https://mcp.example.test/mcp/tools/call", false); err != nil {
		t.Fatalf("a sub-path of the resource: %v", err)
	}
	tests := []struct{ body, accessed, want string }{
		{good, "https://other.example.test/mcp", "not for \"https://other.example.test/mcp\" whose 401 named it (RFC 9728 §3.3)"},
		{good, "https://mcp.example.test/mcpx", "(RFC 9728 §3.3)"},
		{`{"resource":"https://r.example/#f","authorization_servers":["https://as.example"]}`, "", "must not include a fragment"},
		{`{"resource":"https://r.example/"}`, "", "lists no authorization_servers"},
		{`{"resource":"https://r.example/","authorization_servers":["http://as.example"]}`, "", "plain http"},
		{`{"resource":"https://r.example/","authorization_servers":"https://as.example"}`, "", "wrong type"},
		{`[]`, "", "not a JSON object"},
	}
	for _, tt := range tests {
		_, err := ParseResourceMetadata([]byte(tt.body), tt.accessed, false)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseResourceMetadata(%s, %q) = %v, want %q", tt.body, tt.accessed, err, tt.want)
		}
	}
	pick, err := m.PickAuthorizationServer("")
	if err != nil || pick != "https://as.example.test" {
		t.Fatalf("pick %q %v", pick, err)
	}
	if _, err := m.PickAuthorizationServer("https://other.example"); err == nil || !strings.Contains(err.Error(), "is not one of the resource's authorization_servers") {
		t.Fatalf("pick other: %v", err)
	}
}

func TestParsePushResponse(t *testing.T) {
	p, err := ParsePushResponse(201, "application/json", []byte(`{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}`))
	if err != nil || p.RequestURI != "urn:ietf:params:oauth:request_uri:abc" || p.ExpiresIn != 60 {
		t.Fatalf("%+v %v", p, err)
	}
	tests := []struct {
		status int
		body   string
		want   string
	}{
		{400, `{"error":"invalid_target","error_description":"resource unknown"}`, "error=invalid_target"},
		{201, `{"expires_in":60}`, "without a request_uri"},
		{201, `{"request_uri":"urn:x y","expires_in":60}`, "not a short printable URI"},
		{201, `{"request_uri":"urn:x","expires_in":0}`, "positive expires_in"},
		{500, `oops`, "HTTP 500 without an OAuth error object"},
		{201, `oops`, "not a JSON object"},
	}
	for _, tt := range tests {
		_, err := ParsePushResponse(tt.status, "application/json", []byte(tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePushResponse(%d, %s) = %v, want %q", tt.status, tt.body, err, tt.want)
		}
	}
}

// FuzzResourceDiscovery: the WWW-Authenticate parser, RFC 9728 metadata
// and PAR answers never panic; accepted metadata always has a valid
// resource and an authorization server.
func FuzzResourceDiscovery(f *testing.F) {
	f.Add(`Bearer realm="oauthkit", resource_metadata="https://rs.example/m"`, `{"resource":"https://r.example/","authorization_servers":["https://as.example"]}`)
	f.Add(`Bearer a="\"", b=c,d`, `{"request_uri":"urn:x","expires_in":60}`)
	f.Add(`Bearer resource_metadata="\`, `{}`)
	f.Fuzz(func(t *testing.T, header, body string) {
		_ = ChallengeParam([]string{header}, "resource_metadata")
		if m, err := ParseResourceMetadata([]byte(body), "", false); err == nil && (m.Resource == "" || len(m.AuthorizationServers) == 0) {
			t.Fatalf("accepted %q", body)
		}
		if p, err := ParsePushResponse(201, "application/json", []byte(body)); err == nil && (p.RequestURI == "" || p.ExpiresIn <= 0) {
			t.Fatalf("accepted push answer %q", body)
		}
	})
}
