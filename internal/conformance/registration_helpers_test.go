package conformance

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Dynamic client registration (RFC 7591, RFC 7592): helpers of the
// registration_*_test.go rule tests (docs/security.md rules 104–108).

// regConfig is baseConfig with registration on; extra is added to the
// registration mapping ("" for none).
func regConfig(mode, extra string) string {
	r := "registration:\n  mode: " + mode + "\n"
	if extra != "" {
		r += "  " + strings.ReplaceAll(strings.TrimSpace(extra), "\n", "\n  ") + "\n"
	}
	return baseConfig + r
}

// register POSTs metadata (a JSON document) to /register; bearer "" sends
// no Authorization header.
func (s *server) register(t *testing.T, bearer, metadata string) answer {
	t.Helper()
	h := http.Header{"Content-Type": {"application/json"}}
	if bearer != "" {
		h.Set("Authorization", "Bearer "+bearer)
	}
	return s.do(t, http.MethodPost, "/register", h, strings.NewReader(metadata))
}

// manage sends an RFC 7592 request to a registration client URI.
func (s *server) manage(t *testing.T, method, uri, bearer, body string) answer {
	t.Helper()
	if !strings.HasPrefix(uri, s.url) {
		t.Fatalf("registration_client_uri %q is not under the issuer %s", uri, s.url)
	}
	h := http.Header{}
	if bearer != "" {
		h.Set("Authorization", "Bearer "+bearer)
	}
	var rd *strings.Reader
	if body != "" {
		h.Set("Content-Type", "application/json")
		rd = strings.NewReader(body)
	}
	if rd == nil {
		return s.do(t, method, strings.TrimPrefix(uri, s.url), h, nil)
	}
	return s.do(t, method, strings.TrimPrefix(uri, s.url), h, rd)
}

// registered is a successful registration's answer.
type registered struct {
	ClientID, Secret, Token, URI string
	JSON                         map[string]any
}

// mustRegister registers and checks the RFC 7591 §3.2.1 answer.
func mustRegister(t *testing.T, s *server, bearer, metadata string) registered {
	t.Helper()
	a := s.register(t, bearer, metadata)
	if a.Status != http.StatusCreated {
		t.Fatalf("registration: %s, want 201", a)
	}
	wantNoStore(t, a)
	r := registered{ClientID: a.str("client_id"), Secret: a.str("client_secret"), Token: a.str("registration_access_token"),
		URI: a.str("registration_client_uri"), JSON: a.JSON}
	if r.ClientID == "" || r.Token == "" || r.URI != s.url+"/register/"+r.ClientID {
		t.Fatalf("registration answer lacks client_id, registration_access_token or a registration_client_uri under the issuer: %s", a)
	}
	if _, ok := a.JSON["client_id_issued_at"].(float64); !ok {
		t.Errorf("no numeric client_id_issued_at (RFC 7591 §3.2.1): %s", a)
	}
	if r.Secret != "" {
		if exp, ok := a.JSON["client_secret_expires_at"].(float64); !ok || exp != 0 {
			t.Errorf("client_secret_expires_at = %v, want 0 (RFC 7591 §3.2.1)", a.JSON["client_secret_expires_at"])
		}
	}
	return r
}

// wantRegError checks an RFC 7591 §3.2.2 error: status, code, no-store, and
// a description naming the rule broken (its RFC section, as sent: "section").
func wantRegError(t *testing.T, a answer, status int, code, descPart string) {
	t.Helper()
	if a.Status != status || a.str("error") != code {
		t.Errorf("got %s, want %d error=%s", a, status, code)
		return
	}
	wantNoStore(t, a)
	d := a.str("error_description")
	if !strings.Contains(d, descPart) {
		t.Errorf("error_description %q does not contain %q", d, descPart)
	}
	if !strings.Contains(d, "RFC ") && !strings.Contains(d, "rule 10") {
		t.Errorf("error_description %q names no rule", d)
	}
}

// tokenFile writes an initial access token to a 0600 file and returns its path.
func tokenFile(t *testing.T, tok string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "iat.txt")
	if err := os.WriteFile(p, []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func jsonBody(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ccToken gets a client_credentials token for a registered confidential client.
func ccToken(t *testing.T, s *server, r registered) string {
	t.Helper()
	a := s.token(t, basicAuth(r.ClientID, r.Secret), url.Values{"grant_type": {"client_credentials"}})
	if a.Status != http.StatusOK || a.str("access_token") == "" {
		t.Fatalf("client_credentials for the registered client: %s", a)
	}
	return a.str("access_token")
}
