package authserver

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
)

func (e *env) metadata(path string, header map[string]string) map[string]any {
	e.t.Helper()
	r := e.get(path, header)
	if r.status != http.StatusOK {
		e.t.Fatalf("%s: status %d body %s", path, r.status, r.body)
	}
	return r.obj(e.t)
}

func strList(t *testing.T, v any) []string {
	t.Helper()
	raw, _ := json.Marshal(v)
	var out []string
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%v is not a list of strings", v)
	}
	return out
}

// Rule 21: the issuer is the configured one whatever the request's Host or
// forwarding headers say; S256 only; RFC 9207 advertised.
func TestDiscoveryIssuerIsFixed(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		for _, h := range []map[string]string{
			nil,
			{"Host": "evil.example"},
			{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http", "X-Forwarded-Port": "8080", "X-Forwarded-Prefix": "/x"},
			{"Forwarded": `for=1.2.3.4;host=evil.example;proto=http`},
			{"Host": "evil.example:443", "X-Forwarded-Host": "evil2.example", "Forwarded": "host=evil3.example"},
		} {
			t.Run(path+" "+strings.Join(slices.Sorted(maps.Keys(h)), ","), func(t *testing.T) {
				e := e.with(t)
				md := e.metadata(path, h)
				if md["issuer"] != testIssuer {
					t.Fatalf("issuer %v", md["issuer"])
				}
				for k, v := range md {
					if s, ok := v.(string); ok && (strings.HasSuffix(k, "_endpoint") || k == "jwks_uri") {
						if !strings.HasPrefix(s, testIssuer+"/") {
							t.Errorf("%s = %v does not start with the issuer", k, v)
						}
					}
				}
				if got := strList(t, md["code_challenge_methods_supported"]); !slices.Equal(got, []string{"S256"}) {
					t.Errorf("code_challenge_methods_supported %v", got)
				}
				if md["authorization_response_iss_parameter_supported"] != true {
					t.Errorf("authorization_response_iss_parameter_supported %v", md["authorization_response_iss_parameter_supported"])
				}
				if strings.Contains(string(e.get(path, h).body), "evil") {
					t.Errorf("a request header leaked into the document")
				}
			})
		}
	}
}

// Rule 21: only the grants some client is registered for are listed.
func TestDiscoveryListsEnabledGrantsOnly(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{webID, svcID, cliID} {
		if err := e.store.Clients().Delete(e.ctx(), id); err != nil {
			t.Fatal(err)
		}
	}
	const path = "/.well-known/oauth-authorization-server"
	e.addClient(store.Client{ID: "m2m", AuthMethod: "client_secret_basic", GrantTypes: []string{GrantClientCredentials},
		Scopes: []string{"read"}}, "m2m-secret-0123456789")
	md := e.metadata(path, nil)
	if got := strList(t, md["grant_types_supported"]); !slices.Equal(got, []string{"client_credentials"}) {
		t.Fatalf("grant_types_supported %v, want [client_credentials]", got)
	}
	if got := strList(t, md["token_endpoint_auth_methods_supported"]); !slices.Equal(got, []string{"client_secret_basic"}) {
		t.Fatalf("token_endpoint_auth_methods_supported %v", got)
	}

	e.addClient(store.Client{ID: "legacy", AuthMethod: "client_secret_post",
		GrantTypes: []string{GrantPassword, GrantRefreshToken}, Scopes: []string{"write"}}, "legacy-secret-0123456789")
	md = e.metadata(path, nil)
	if got := strList(t, md["grant_types_supported"]); !slices.Equal(got, []string{"client_credentials", "password", "refresh_token"}) {
		t.Fatalf("grant_types_supported %v", got)
	}
	if got := strList(t, md["scopes_supported"]); !slices.Equal(got, []string{"read", "write"}) {
		t.Fatalf("scopes_supported %v", got)
	}
	if got := strList(t, md["introspection_endpoint_auth_methods_supported"]); !slices.Equal(got, []string{"client_secret_basic", "client_secret_post"}) {
		t.Fatalf("introspection_endpoint_auth_methods_supported %v", got)
	}
	if got := strList(t, md["response_types_supported"]); len(got) != 0 {
		t.Fatalf("response_types_supported %v without a code client", got)
	}

	e.addClient(store.Client{ID: "spa", AuthMethod: "none", GrantTypes: []string{GrantAuthorizationCode},
		RedirectURIs: []string{testRedirect}, Scopes: []string{"read"}}, "")
	md = e.metadata(path, nil)
	if got := strList(t, md["grant_types_supported"]); !slices.Equal(got, []string{"authorization_code", "client_credentials", "password", "refresh_token"}) {
		t.Fatalf("grant_types_supported %v", got)
	}
	if got := strList(t, md["response_types_supported"]); !slices.Equal(got, []string{"code"}) {
		t.Fatalf("response_types_supported %v", got)
	}
	if md["authorization_endpoint"] != testIssuer+"/authorize" {
		t.Fatalf("authorization_endpoint %v", md["authorization_endpoint"])
	}
}

// Discovery and the JWKS answer GET only.
func TestDiscoveryMethods(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/jwks.json"} {
		r := e.post(path, nil, nil)
		wantError(t, r, http.StatusMethodNotAllowed, ErrInvalidRequest)
		if r.header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: Allow %q", path, r.header.Get("Allow"))
		}
	}
}
