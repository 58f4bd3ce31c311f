package conformance

import (
	"net/http"
	"net/url"
	"testing"
)

// TestRule107_RegistrationManagementNeedsItsToken: RFC 7592 read, update
// and delete need the client's own registration access token; a wrong one,
// another client's, none, or a configured client's URI all get the same
// 401 invalid_token and change nothing.
func TestRule107_RegistrationManagementNeedsItsToken(t *testing.T) {
	s := startServer(t, regConfig("open", ""))
	a := mustRegister(t, s, "", `{"client_name":"a","redirect_uris":["https://a.example.test/cb"],"grant_types":["authorization_code","refresh_token"],"scope":"read"}`)
	b := mustRegister(t, s, "", `{"client_name":"b","grant_types":["client_credentials"]}`)
	put := jsonBody(t, map[string]any{"client_id": a.ClientID, "redirect_uris": []string{"https://evil.example.test/cb"}})
	for name, req := range map[string]struct{ method, uri, token, body string }{
		"GET, wrong token":             {http.MethodGet, a.URI, a.Token + "x", ""},
		"GET, no token":                {http.MethodGet, a.URI, "", ""},
		"GET, the other client's":      {http.MethodGet, a.URI, b.Token, ""},
		"PUT, the other client's":      {http.MethodPut, a.URI, b.Token, put},
		"DELETE, wrong token":          {http.MethodDelete, a.URI, a.Token[:20], ""},
		"GET, a configured client":     {http.MethodGet, s.url + "/register/" + basicID, a.Token, ""},
		"DELETE, a configured client":  {http.MethodDelete, s.url + "/register/" + basicID, a.Token, ""},
		"GET, an unknown client":       {http.MethodGet, s.url + "/register/dcr-000000000000000000000000", a.Token, ""},
		"PUT, a configured client":     {http.MethodPut, s.url + "/register/" + publicID, a.Token, jsonBody(t, map[string]any{"client_id": publicID})},
		"DELETE, the other client's":   {http.MethodDelete, a.URI, b.Token, ""},
		"GET, the initial-less header": {http.MethodGet, a.URI, "", ""},
	} {
		t.Run(name, func(t *testing.T) {
			ans := s.manage(t, req.method, req.uri, req.token, req.body)
			wantRegError(t, ans, http.StatusUnauthorized, "invalid_token", "RFC 7592 section 2.1")
		})
	}
	// Nothing changed: a still reads as registered, the configured client still works.
	got := s.manage(t, http.MethodGet, a.URI, a.Token, "")
	if got.Status != http.StatusOK || got.str("client_name") != "a" {
		t.Fatalf("GET with the right token: %s", got)
	}
	if uris, _ := got.JSON["redirect_uris"].([]any); len(uris) != 1 || uris[0] != "https://a.example.test/cb" {
		t.Errorf("redirect_uris %v after refused updates", got.JSON["redirect_uris"])
	}
	if got.str("client_secret") != "" {
		t.Errorf("GET returned the client secret, which the server keeps only hashed: %s", got)
	}
	wantNoStore(t, got)
	mustTokens(t, s.token(t, asBasic, url.Values{"grant_type": {"client_credentials"}}), "the configured client after the refused requests")
}

// TestRule107_RegistrationUpdateReplaces: PUT replaces the metadata with
// the same rules as a registration (RFC 7592 §2.2): client_id must be the
// client's own, a bad redirect URI is refused, omitted members take the
// defaults, and the secret stays valid.
func TestRule107_RegistrationUpdateReplaces(t *testing.T) {
	s := startServer(t, regConfig("open", ""))
	r := mustRegister(t, s, "", `{"client_name":"svc","grant_types":["client_credentials"],"scope":"read write"}`)
	wantRegError(t, s.manage(t, http.MethodPut, r.URI, r.Token, `{"grant_types":["client_credentials"]}`),
		http.StatusBadRequest, "invalid_client_metadata", "client_id must be sent")
	wantRegError(t, s.manage(t, http.MethodPut, r.URI, r.Token, jsonBody(t, map[string]any{"client_id": "other", "grant_types": []string{"client_credentials"}})),
		http.StatusBadRequest, "invalid_client_metadata", "it cannot change (RFC 7592 section 2.2)")
	wantRegError(t, s.manage(t, http.MethodPut, r.URI, r.Token, jsonBody(t, map[string]any{"client_id": r.ClientID, "redirect_uris": []string{"https://app.example.test/*"}})),
		http.StatusBadRequest, "invalid_redirect_uri", "wildcard")
	wantRegError(t, s.manage(t, http.MethodPut, r.URI, r.Token, jsonBody(t, map[string]any{"client_id": r.ClientID, "client_secret": "guess", "grant_types": []string{"client_credentials"}})),
		http.StatusBadRequest, "invalid_client_metadata", "client_secret does not match")

	up := s.manage(t, http.MethodPut, r.URI, r.Token, jsonBody(t, map[string]any{"client_id": r.ClientID, "client_secret": r.Secret,
		"client_name": "svc2", "grant_types": []string{"client_credentials"}, "scope": "read"}))
	if up.Status != http.StatusOK || up.str("client_name") != "svc2" || up.str("scope") != "read" || up.str("client_id") != r.ClientID {
		t.Fatalf("PUT: %s", up)
	}
	if up.str("registration_access_token") != r.Token || up.str("client_secret") != "" {
		t.Errorf("PUT answer: registration_access_token %q (want the one in use), client_secret %q (want none: kept)", up.str("registration_access_token"), up.str("client_secret"))
	}
	wantNoStore(t, up)
	// The secret still works; the dropped scope is gone.
	ccToken(t, s, r)
	wantTokenError(t, s.token(t, basicAuth(r.ClientID, r.Secret), url.Values{"grant_type": {"client_credentials"}, "scope": {"write"}}), http.StatusBadRequest, "invalid_scope")
	// Full replacement: leaving grant_types out gives the RFC default
	// authorization_code, which needs a redirect URI.
	wantRegError(t, s.manage(t, http.MethodPut, r.URI, r.Token, jsonBody(t, map[string]any{"client_id": r.ClientID})),
		http.StatusBadRequest, "invalid_redirect_uri", "at least one is required")
}

// TestRule108_RegistrationDeleteEndsTokens: after DELETE (204) the client's
// access tokens are inactive everywhere, its refresh tokens and secret are
// refused, and its registration URI answers 401.
func TestRule108_RegistrationDeleteEndsTokens(t *testing.T) {
	s := startServer(t, regConfig("open", ""))
	r := mustRegister(t, s, "", `{"grant_types":["client_credentials","password","refresh_token"],"scope":"read"}`)
	cc := ccToken(t, s, r)
	pw := mustTokens(t, s.token(t, basicAuth(r.ClientID, r.Secret), url.Values{"grant_type": {"password"}, "username": {userName}, "password": {userPassword}}), "password grant")
	rt := pw.str("refresh_token")
	if rt == "" {
		t.Fatalf("no refresh token: %s", pw)
	}
	if !s.active(t, cc) || !s.active(t, pw.str("access_token")) {
		t.Fatal("the tokens are not active before the delete")
	}
	del := s.manage(t, http.MethodDelete, r.URI, r.Token, "")
	if del.Status != http.StatusNoContent || len(del.Body) != 0 {
		t.Fatalf("DELETE: %s, want 204 without a body (RFC 7592 §2.3)", del)
	}
	wantRejected(t, s, cc)
	wantRejected(t, s, pw.str("access_token"))
	wantTokenError(t, s.token(t, basicAuth(r.ClientID, r.Secret), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}), http.StatusUnauthorized, "invalid_client")
	wantTokenError(t, s.token(t, basicAuth(r.ClientID, r.Secret), url.Values{"grant_type": {"client_credentials"}}), http.StatusUnauthorized, "invalid_client")
	wantRegError(t, s.manage(t, http.MethodGet, r.URI, r.Token, ""), http.StatusUnauthorized, "invalid_token", "RFC 7592")
	wantRegError(t, s.manage(t, http.MethodDelete, r.URI, r.Token, ""), http.StatusUnauthorized, "invalid_token", "RFC 7592")
}

// TestRule108_RegisteredClientSurvivesRestart: a registered client is kept
// in the SQLite store across a restart with the same configuration (the
// configuration sync removes only undeclared configured clients), with its
// secret and registration access token working.
func TestRule108_RegisteredClientSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := regConfig("open", "")
	s, err := launch(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := mustRegister(t, s, "", `{"grant_types":["client_credentials"],"scope":"read"}`)
	ccToken(t, s, r)
	s.kill()

	s2, err := launch(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.kill()
	tok := ccToken(t, s2, r)
	if !s2.active(t, tok) {
		t.Error("a token of the registered client is not active after the restart")
	}
	// The port, and so the issuer, is new: the client's path is the same.
	if got := s2.manage(t, http.MethodGet, s2.url+"/register/"+r.ClientID, r.Token, ""); got.Status != http.StatusOK || got.str("client_id") != r.ClientID {
		t.Errorf("reading the registration after the restart: %s", got)
	}
	// A configured client dropped from the file is removed; the registered one is not.
	s2.kill()
	s3, err := launch(dir, baseConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer s3.kill()
	ccToken(t, s3, r)
	if a := s3.register(t, "", `{"grant_types":["client_credentials"]}`); a.Status != http.StatusNotFound {
		t.Errorf("registration after it was turned off: %s, want 404", a)
	}
	if got := s3.do(t, http.MethodGet, "/register/"+r.ClientID, http.Header{"Authorization": {"Bearer " + r.Token}}, nil); got.Status != http.StatusNotFound {
		t.Errorf("management with registration off: %s, want 404", got)
	}
}
