package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const partnerJWKS = `{"keys":[{"kty":"EC","crv":"P-256","kid":"p1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`

func TestTokenExchangeConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "partner.json"), []byte(partnerJWKS), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "c.yaml")
	yaml := `clients:
  - id: gw
    secret: gw-s3cret-0123456789
    grant_types: [token_exchange, "urn:ietf:params:oauth:grant-type:token-exchange"]
`
	// the alias and the URN are the same grant: listed twice
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), `c.yaml:4: clients[0].grant_types[1]: "urn:ietf:params:oauth:grant-type:token-exchange" is listed twice`) {
		t.Fatalf("alias and URN: %v", err)
	}
	yaml = `clients:
  - id: gw
    secret: gw-s3cret-0123456789
    grant_types: [token_exchange]
    token_exchange: {audiences: [https://api-b.example]}
token_exchange:
  trusted_issuers:
    - issuer: https://idp.partner.example
      jwks_file: partner.json
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Clients[0]
	if !slices.Equal(c.GrantTypes, []GrantType{GrantTokenExchange}) || !slices.Equal(c.TokenExchangeAudiences, []string{"https://api-b.example"}) {
		t.Errorf("client %+v", c)
	}
	ti := cfg.TokenExchange.TrustedIssuers
	if len(ti) != 1 || ti[0].Issuer != "https://idp.partner.example" || len(ti[0].Keys) != 1 || ti[0].Keys[0].KeyID() != "p1" {
		t.Errorf("trusted issuers %+v", ti)
	}
}

func TestTokenExchangeConfigErrors(t *testing.T) {
	const client = "clients:\n  - id: gw\n    secret: gw-s3cret-0123456789\n"
	tests := []struct{ name, yaml, want string }{
		{"audiences without the grant", client + "    grant_types: [client_credentials]\n    token_exchange: {audiences: [https://b]}\n",
			"c.yaml:5: clients[0].token_exchange.audiences: is set but the client's grant_types do not list token_exchange"},
		{"empty audience", client + "    grant_types: [token_exchange]\n    token_exchange: {audiences: ['']}\n",
			"clients[0].token_exchange.audiences[0]: an audience must be non-empty and contain no whitespace"},
		{"duplicate audience", client + "    grant_types: [token_exchange]\n    token_exchange: {audiences: [https://b, https://b]}\n",
			`clients[0].token_exchange.audiences[1]: "https://b" is already listed at [0]`},
		{"issuer missing", "token_exchange:\n  trusted_issuers:\n    - jwks_file: x.json\n", "token_exchange.trusted_issuers[0].issuer: is required"},
		{"issuer not a URL", "token_exchange:\n  trusted_issuers:\n    - {issuer: idp, jwks_file: x.json}\n", `token_exchange.trusted_issuers[0].issuer: "idp" is not an absolute http or https URL`},
		{"no jwks_file", "token_exchange:\n  trusted_issuers:\n    - issuer: https://idp.example\n", "token_exchange.trusted_issuers[0].jwks_file: is required"},
		{"jwks_file missing", "token_exchange:\n  trusted_issuers:\n    - {issuer: https://idp.example, jwks_file: /nonexistent/x.json}\n", "token_exchange.trusted_issuers[0].jwks_file: /nonexistent/x.json"},
		{"unknown key", "token_exchange:\n  trusted:\n    - {issuer: https://idp.example}\n", "token_exchange.trusted: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "c.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
