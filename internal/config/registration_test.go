package config

import (
	"strings"
	"testing"
)

func TestRegistrationSection(t *testing.T) {
	cfg, err := Parse([]byte("registration:\n  mode: token\n  initial_access_token_file: iat.txt\n  rate_per_minute: 5\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := Registration{Mode: RegistrationToken, InitialAccessTokenFile: "iat.txt", RatePerMinute: 5, MaxClients: DefaultRegistrationMaxClients}
	if cfg.Registration != want {
		t.Errorf("Registration = %+v, want %+v", cfg.Registration, want)
	}
	if cfg, err := Parse([]byte("issuer: http://127.0.0.1:8080\n"), "c.yaml"); err != nil || cfg.Registration != (Registration{}) {
		t.Errorf("without the section: %+v, %v; want registration off", cfg, err)
	}
	_, err = Parse([]byte("registration:\n  mode: open\n  initial_access_token_file: iat.txt\n  max_clients: -1\n"), "c.yaml")
	for _, msg := range []string{
		"c.yaml:3: registration.initial_access_token_file: needs mode: token",
		"c.yaml:4: registration.max_clients: must be greater than zero, got -1",
	} {
		var all []string
		if es, ok := err.(Errors); ok {
			for _, e := range es {
				all = append(all, e.Error())
			}
		}
		if !strings.Contains(strings.Join(all, "\n"), msg) {
			t.Errorf("errors %q, want one to be %q", all, msg)
		}
	}
	if _, err := Parse([]byte("registration:\n  mode: open\n  typo: 1\n"), "c.yaml"); err == nil || !strings.Contains(err.Error(), "c.yaml:3: registration.typo: unknown key") {
		t.Errorf("an unknown key: %v", err)
	}
}

// CheckClientMetadata applies the configured-client rules and names the
// RFC 7591 member of each problem.
func TestCheckClientMetadata(t *testing.T) {
	c, errs := CheckClientMetadata("dcr-1", false, ClientMetadata{RedirectURIs: []string{"http://127.0.0.1/cb"}, AuthMethod: "none", Scopes: []string{"read"}})
	if errs != nil || c.ID != "dcr-1" || c.Name != "dcr-1" || c.AuthMethod != "none" || len(c.GrantTypes) != 1 || c.GrantTypes[0] != GrantAuthorizationCode || c.Secret != "" {
		t.Fatalf("a public client: %+v, %v", c, errs)
	}
	c, errs = CheckClientMetadata("dcr-2", true, ClientMetadata{GrantTypes: []string{"client_credentials"}})
	if errs != nil || c.AuthMethod != "client_secret_basic" || c.Secret != "" {
		t.Fatalf("a confidential client: %+v, %v (the placeholder secret must not come back)", c, errs)
	}
	for _, tc := range []struct {
		m     ClientMetadata
		conf  bool
		field string
		msg   string
	}{
		{ClientMetadata{RedirectURIs: []string{"https://a.example/*"}, AuthMethod: "none"}, false, "redirect_uris[0]", "wildcard"},
		{ClientMetadata{AuthMethod: "none"}, false, "redirect_uris", "at least one is required for the authorization_code grant"},
		{ClientMetadata{GrantTypes: []string{"client_credentials"}, AuthMethod: "none"}, false, "grant_types[0]", "needs a confidential client"},
		{ClientMetadata{GrantTypes: []string{"client_credentials"}, AuthMethod: "tls_client_auth"}, true, "token_endpoint_auth_method", "is not one of"},
		{ClientMetadata{GrantTypes: []string{"client_credentials"}, AuthMethod: "private_key_jwt"}, true, "token_endpoint_auth_method", "needs the client's public keys"},
		{ClientMetadata{GrantTypes: []string{"client_credentials"}, Scopes: []string{"a\"b"}}, true, "scope[0]", "not a valid scope"},
		{ClientMetadata{GrantTypes: []string{"client_credentials", "client_credentials"}}, true, "grant_types[1]", "listed twice"},
	} {
		_, errs := CheckClientMetadata("x", tc.conf, tc.m)
		if len(errs) == 0 || errs[0].Field != tc.field || !strings.Contains(errs[0].Msg, tc.msg) {
			t.Errorf("%+v: errors %v, want %s: …%s…", tc.m, errs, tc.field, tc.msg)
		}
	}
}
