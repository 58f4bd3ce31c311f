package flow

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseRegistration: a client information response from any server
// gives a registration with a client_id, or an error; never a panic.
func FuzzParseRegistration(f *testing.F) {
	f.Add(201, []byte(`{"client_id":"dcr-1","client_secret":"s","client_secret_expires_at":0,"registration_client_uri":"https://as.example/register/dcr-1","registration_access_token":"t","redirect_uris":["https://app.example/cb"],"grant_types":["authorization_code"]}`))
	f.Add(400, []byte(`{"error":"invalid_redirect_uri","error_description":"no"}`))
	f.Add(200, []byte(`{"client_id":1}`))
	f.Add(201, []byte(`{"client_id":"x","registration_client_uri":"http://evil.example/x"}`))
	f.Add(201, []byte(`[]`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		r, err := ParseRegistration("registration endpoint", status, "application/json", body, false)
		if err == nil && (r == nil || r.ClientID == "") {
			t.Fatalf("no error and no client_id: %+v", r)
		}
		var oe *OAuthError
		if errors.As(err, &oe) && oe.Code == "" {
			t.Fatal("an OAuth error without a code")
		}
	})
}

func TestParseRegistration(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string // "" = ok
	}{
		{"ok", 201, `{"client_id":"dcr-1","registration_client_uri":"https://as.example/register/dcr-1"}`, ""},
		{"oauth error", 400, `{"error":"invalid_redirect_uri","error_description":"wildcard"}`, `registration endpoint answered error=invalid_redirect_uri error_description="wildcard" (HTTP 400)`},
		{"no client_id", 201, `{"client_secret":"s"}`, "registration endpoint answered without a client_id (RFC 7591 §3.2.1)"},
		{"wrong type", 201, `{"client_id":"x","redirect_uris":"https://a.example/cb"}`, "registration endpoint answered a member of the wrong type"},
		{"plain http management URI", 201, `{"client_id":"x","registration_client_uri":"http://as.example/r/x"}`, "uses plain http to a host that is not loopback"},
		{"html", 500, `<html>`, "registration endpoint answered HTTP 500 without an OAuth error object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRegistration("registration endpoint", tc.status, "application/json", []byte(tc.body), false)
			if tc.want == "" {
				if err != nil || r.ClientID != "dcr-1" {
					t.Fatalf("ParseRegistration = %+v, %v", r, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
