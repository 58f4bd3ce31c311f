package control

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestAuthAndRouting(t *testing.T) {
	e := newEnv(t, true)
	for _, tc := range []struct{ name, auth string }{
		{"missing", ""}, {"wrong", "Bearer not-the-token"}, {"prefix of the token", "Bearer " + testToken[:10]},
		{"basic scheme", "Basic " + testToken}, {"no scheme", testToken},
	} {
		status, h, body := e.raw(http.MethodGet, "state", tc.auth, "")
		if status != http.StatusUnauthorized || h.Get("WWW-Authenticate") != `Bearer realm="oauthkit-control"` ||
			!strings.HasPrefix(body, `{"error":"unauthorized","error_description":"the control API needs`) {
			t.Errorf("%s token: %d %q %s", tc.name, status, h.Get("WWW-Authenticate"), body)
		}
	}
	// An unknown operation is 401 without the token (nothing is revealed), 404 with it.
	if status, _, _ := e.raw(http.MethodGet, "nope", "", ""); status != http.StatusUnauthorized {
		t.Errorf("unknown operation without token: %d", status)
	}
	status, _, body := e.raw(http.MethodGet, "nope", "Bearer "+testToken, "")
	if status != http.StatusNotFound || !strings.HasPrefix(body, `{"error":"not_found"`) {
		t.Errorf("unknown operation: %d %s", status, body)
	}
	status, h, body := e.raw(http.MethodGet, "fail", "Bearer "+testToken, "")
	if status != http.StatusMethodNotAllowed || h.Get("Allow") != "POST" || !strings.Contains(body, `"error":"invalid_request"`) {
		t.Errorf("GET fail: %d Allow=%q %s", status, h.Get("Allow"), body)
	}
	status, h, _ = e.raw(http.MethodPut, "requests", "Bearer "+testToken, "")
	if status != http.StatusMethodNotAllowed || h.Get("Allow") != "DELETE, GET" {
		t.Errorf("PUT requests: %d Allow=%q", status, h.Get("Allow"))
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
	}
	for _, tc := range []struct{ body, want string }{
		{`{"endpoint":"token","error":"invalid_grant","colour":"red"}`, `unknown field 'colour'`},
		{`{"endpoint":"token"`, "not the JSON this operation takes"},
		{`{"endpoint":"token","error":"invalid_grant"} {}`, "one JSON object only"},
		{`["token"]`, "not the JSON this operation takes"},
	} {
		status, _, body := e.raw(http.MethodPost, "fail", "Bearer "+testToken, tc.body)
		if status != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s, want 400 with %q", tc.body, status, body, tc.want)
		}
	}
	status, _, body = e.raw(http.MethodPost, "fail", "Bearer "+testToken, "")
	if status != http.StatusBadRequest || !strings.Contains(body, "the body is empty") {
		t.Errorf("no body: %d %s", status, body)
	}
	big := `{"endpoint":"token","error_description":"` + strings.Repeat("a", 70<<10) + `"}`
	status, _, body = e.raw(http.MethodPost, "fail", "Bearer "+testToken, big)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "larger than 64 KiB") {
		t.Errorf("70 KiB body: %d %.200s", status, body)
	}
	if st, _ := e.client.State(context.Background()); len(st.Failures) != 0 {
		t.Errorf("a refused call queued something: %+v", st.Failures)
	}
}

func TestControlOff(t *testing.T) {
	e := newEnv(t, false)
	for _, op := range []string{"state", "fail"} {
		status, _, body := e.raw(http.MethodGet, op, "Bearer "+testToken, "")
		if status != http.StatusNotFound || !strings.HasPrefix(body, `{"error":"not_found","error_description":"no endpoint at /_oauthkit/control/`+op) {
			t.Errorf("%s on a server without the control API: %d %s", op, status, body)
		}
	}
	refused(t, e.client.Reset(context.Background()), http.StatusNotFound, "not_found", "no endpoint at")
}

func TestClientUnreachable(t *testing.T) {
	e := newEnv(t, true)
	e.ts.Close()
	_, err := e.client.State(context.Background())
	var ue *UnreachableError
	if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), "GET "+e.client.Issuer+"/_oauthkit/control/state: ") {
		t.Fatalf("closed server: %v (%T)", err, err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Error("the error shows the token")
	}
}

func TestRefusedErrorMessage(t *testing.T) {
	e := newEnv(t, true)
	c := *e.client
	c.Token = "wrong"
	err := c.Reset(context.Background())
	refused(t, err, http.StatusUnauthorized, "unauthorized", "Authorization: Bearer")
	if !strings.HasPrefix(err.Error(), "control POST reset refused (HTTP 401): unauthorized: ") || strings.Contains(err.Error(), "\n") {
		t.Errorf("message %q", err)
	}
}
