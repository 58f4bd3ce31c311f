package authserver

import (
	"strings"
	"testing"
)

// FuzzParseClientMetadata: any registration body gives metadata within
// the bounds, or an RFC 7591 error whose description cites its rule;
// never a panic.
func FuzzParseClientMetadata(f *testing.F) {
	f.Add([]byte(`{"redirect_uris":["https://app.example/cb"],"client_name":"app","grant_types":["authorization_code"],"token_endpoint_auth_method":"none","scope":"openid read"}`))
	f.Add([]byte(`{"redirect_uris":"https://app.example/cb"}`))
	f.Add([]byte(`{"software_statement":"eyJ"}`))
	f.Add([]byte(`{"client_name":null,"grant_types":[1]}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		md, e := parseClientMetadata(body)
		if e != nil {
			switch e.Code {
			case errInvalidMetadata, errInvalidRedirect, errInvalidSoftware:
			default:
				t.Fatalf("error code %q", e.Code)
			}
			if !strings.Contains(e.Description, "RFC 7591") && !strings.Contains(e.Description, "rule 106") {
				t.Fatalf("description %q cites no rule", e.Description)
			}
			return
		}
		if len(md.RedirectURIs) > maxRedirectURIs || len(md.GrantTypes) > maxRedirectURIs || len(md.Name) > maxClientNameLength {
			t.Fatalf("metadata beyond the bounds: %+v", md)
		}
	})
}
