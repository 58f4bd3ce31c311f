package conformance

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Assertions shared by the rule tests.

// wantTokenError checks an RFC 6749 §5.2 error answer of a token-type
// endpoint: status, error code, no-store headers, a clean description.
func wantTokenError(t *testing.T, a answer, status int, code string) {
	t.Helper()
	if a.Status != status || a.str("error") != code {
		t.Errorf("got %s, want %d error=%s", a, status, code)
	}
	wantNoStore(t, a)
	if d := a.str("error_description"); strings.ContainsAny(d, "\r\n\"\\") {
		t.Errorf("error_description %q contains CR, LF, '\"' or '\\' (rule 13)", d)
	}
	if a.str("access_token") != "" || a.str("refresh_token") != "" {
		t.Errorf("an error answer carries a token: %s", a)
	}
}

func wantNoStore(t *testing.T, a answer) {
	t.Helper()
	if got := a.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store (rule 14)", got)
	}
	if got := a.Header.Get("Pragma"); got != "no-cache" {
		t.Errorf("Pragma %q, want no-cache (rule 14)", got)
	}
}

// wantNoRedirect checks an authorize answer that must be an error page.
func wantNoRedirect(t *testing.T, a answer) {
	t.Helper()
	if loc := a.Header.Get("Location"); loc != "" {
		t.Errorf("redirected to %q, want an error page without Location (rule 2)", loc)
	}
	if a.Status != http.StatusBadRequest {
		t.Errorf("status %d, want 400", a.Status)
	}
	if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want an HTML error page", ct)
	}
}

// wantRedirectError checks an authorize error sent back to redirect with
// error, state and iss (rule 4), in the query or the fragment.
func wantRedirectError(t *testing.T, s *server, a answer, redirect, code string, fragment bool) url.Values {
	t.Helper()
	loc := a.location(t)
	if loc == nil || (a.Status != http.StatusFound && a.Status != http.StatusSeeOther) {
		t.Fatalf("got %s (Location %q), want a redirect to %s with error=%s", a, a.Header.Get("Location"), redirect, code)
	}
	base := *loc
	base.RawQuery, base.Fragment, base.RawFragment = "", "", ""
	want, _ := url.Parse(redirect)
	want.RawQuery = ""
	if base.String() != want.String() {
		t.Errorf("redirected to %s, want %s", base.String(), want.String())
	}
	params := loc.Query()
	if fragment {
		params, _ = url.ParseQuery(loc.EscapedFragment())
	}
	if params.Get("error") != code {
		t.Errorf("error=%q, want %q (Location %s)", params.Get("error"), code, loc)
	}
	if params.Get("iss") != s.url {
		t.Errorf("iss=%q, want %q", params.Get("iss"), s.url)
	}
	for _, k := range []string{"code", "access_token", "id_token"} {
		if params.Get(k) != "" {
			t.Errorf("an error redirect carries %s", k)
		}
	}
	return params
}

// jwtParts decodes the header and claims of a JWT without verifying it.
func jwtParts(t *testing.T, tok string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %.40q", tok)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("JWT part %d: %v", i, err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatalf("JWT part %d: %v", i, err)
		}
	}
	return header, claims
}

// wantDescription fails unless the answer's error_description contains
// every part; a "§" in a part matches "section " (error_description is
// ASCII, RFC 6749 §5.2).
func wantDescription(t *testing.T, a answer, parts ...string) {
	t.Helper()
	for _, p := range parts {
		p = strings.ReplaceAll(p, "§", "section ")
		if !strings.Contains(a.str("error_description"), p) {
			t.Errorf("error_description %q does not contain %q", a.str("error_description"), p)
		}
	}
}
