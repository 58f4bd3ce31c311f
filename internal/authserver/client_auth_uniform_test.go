package authserver

import (
	"net/http"
	"testing"
)

// docs/security.md rule 50 (issue 13 item 12): an unknown client, a wrong
// secret and a method the client is not registered for get the same
// answer, byte for byte, so a caller cannot tell which clients exist.
func TestInvalidClientAnswerIsUniform(t *testing.T) {
	e := newEnv(t)
	cc := form("grant_type", GrantClientCredentials)
	for _, tc := range []struct {
		name  string
		basic auth // the three failures, sent with HTTP Basic
		post  auth // and with client_secret_post
	}{
		{"unknown client", basicAuth("nobody", webSecret), postAuth("nobody", svcSecret)},
		{"wrong secret", basicAuth(webID, "wrong-secret-0123456789"), postAuth(svcID, "wrong-secret-0123456789")},
		{"method not registered", basicAuth(svcID, svcSecret), postAuth(webID, webSecret)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for method, a := range map[string]auth{"basic": tc.basic, "post": tc.post} {
				r := e.post("/token", cc, a)
				wantError(t, r, http.StatusUnauthorized, ErrInvalidClient)
				want := `{"error":"invalid_client","error_description":"unknown client or wrong secret (RFC 6749 section 5.2)"}` + "\n"
				if string(r.body) != want {
					t.Errorf("%s: body %s, want %s", method, r.body, want)
				}
				if got, wantChallenge := r.header.Get("WWW-Authenticate") != "", method == "basic"; got != wantChallenge {
					t.Errorf("%s: WWW-Authenticate present %v, want %v", method, got, wantChallenge)
				}
			}
		})
	}
}

// Issue 14 item 20: /introspect and /revoke accept either advertised secret
// method from a confidential client; the registered method binds only the
// token endpoint (RFC 7591 §2). Public clients stay refused.
func TestIntrospectRevokeAcceptAnyConfidentialMethod(t *testing.T) {
	e := newEnv(t)
	tok := e.codeGrant(webID, webAuth)
	for name, a := range map[string]auth{
		"post client with Basic": basicAuth(svcID, svcSecret),
		"basic client with post": postAuth(webID, webSecret),
	} {
		t.Run(name, func(t *testing.T) {
			r := e.post("/introspect", form("token", tok.access), a)
			if r.status != http.StatusOK || r.obj(t)["active"] != true {
				t.Fatalf("introspect: %d %s, want 200 active", r.status, r.body)
			}
			wrong := basicAuth(svcID, "wrong-secret-0123456789")
			if name == "basic client with post" {
				wrong = postAuth(webID, "wrong-secret-0123456789")
			}
			wantError(t, e.post("/introspect", form("token", tok.access), wrong), http.StatusUnauthorized, ErrInvalidClient)
			wantError(t, e.post("/revoke", form("token", tok.access), wrong), http.StatusUnauthorized, ErrInvalidClient)
		})
	}
	// The token endpoint still holds each client to its registered method.
	wantError(t, e.post("/token", form("grant_type", GrantClientCredentials), basicAuth(svcID, svcSecret)), http.StatusUnauthorized, ErrInvalidClient)
	// Revocation by the owner with the other method works.
	if r := e.post("/revoke", form("token", tok.refresh), postAuth(webID, webSecret)); r.status != http.StatusOK {
		t.Fatalf("revoke with post by a Basic client: %d %s", r.status, r.body)
	}
	e.wantInactive(tok.access)
	// A public client sending a made-up secret is still refused.
	wantError(t, e.post("/introspect", form("token", tok.access), postAuth(cliID, "made-up-secret-0123456789")), http.StatusUnauthorized, ErrInvalidClient)
}
