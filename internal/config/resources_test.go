package config

import (
	"slices"
	"strings"
	"testing"
)

func TestResources(t *testing.T) {
	cfg, err := Parse([]byte(`
require_pushed_authorization_requests: true
resources:
  - id: https://mcp.example.test/mcp
    name: Local MCP server
    scopes: [tools.read, tools.call]
  - id: https://api.example.test/
clients:
  - id: agent
    redirect_uris: [http://127.0.0.1/callback]
    scopes: [tools.read]
    resources: [https://mcp.example.test/mcp]
    require_pushed_authorization_requests: true
`), "oauthkit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.RequirePAR || len(cfg.Resources) != 2 || cfg.Resources[0].ID != "https://mcp.example.test/mcp" ||
		cfg.Resources[0].Name != "Local MCP server" || !slices.Equal(cfg.Resources[0].Scopes, []string{"tools.read", "tools.call"}) {
		t.Fatalf("resources %+v, require PAR %v", cfg.Resources, cfg.RequirePAR)
	}
	c := cfg.Clients[0]
	if !c.RequirePAR || !slices.Equal(c.Resources, []string{"https://mcp.example.test/mcp"}) {
		t.Fatalf("client %+v", c)
	}
}

func TestResourcesErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"resources:\n  - id: https://api.example.test/#x\n", "oauthkit.yaml:2: resources[0].id: must not include a fragment (RFC 8707 §2)"},
		{"resources:\n  - id: /relative\n", "oauthkit.yaml:2: resources[0].id: must be an absolute URI with a host, like https://api.example/ (RFC 8707 §2)"},
		{"resources:\n  - name: x\n", "resources[0].id: is required"},
		{"resources:\n  - id: https://a.test/\n  - id: https://a.test/\n", `oauthkit.yaml:3: resources[1].id: "https://a.test/" is already listed at resources[0]`},
		{"resources:\n  - id: https://a.test/\n    scopes: [\"a b\"]\n", "resources[0].scopes[0]"},
		{"clients:\n  - id: c\n    secret: 0123456789abcdef0123456789abcdef\n    grant_types: [client_credentials]\n    resources: [https://b.test/]\n",
			`oauthkit.yaml:5: clients[0].resources[0]: "https://b.test/" is not one of the top-level resources`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "oauthkit.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
