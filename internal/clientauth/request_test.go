package clientauth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestFromRequest(t *testing.T) {
	basic := "Basic " + Encode("web", "p@ss word", false)
	tests := []struct {
		name    string
		target  string
		headers []string // Authorization values
		body    string
		want    Credentials
		kind    error
		msg     string
		code    string
	}{
		{name: "basic", headers: []string{basic}, body: "grant_type=client_credentials",
			want: Credentials{MethodBasic, "web", "p@ss word", nil}},
		{name: "basic lower-case scheme", headers: []string{"basic " + Encode("web", "s", false)},
			want: Credentials{MethodBasic, "web", "s", nil}},
		{name: "basic with the same client_id in the body", headers: []string{basic}, body: "client_id=web",
			want: Credentials{MethodBasic, "web", "p@ss word", nil}},
		{name: "post", body: "client_id=web&client_secret=p%40ss+word",
			want: Credentials{MethodPost, "web", "p@ss word", nil}},
		{name: "none", body: "client_id=spa&code=x",
			want: Credentials{MethodNone, "spa", "", nil}},
		{name: "bearer header is not client auth", headers: []string{"Bearer abc"}, body: "client_id=spa",
			want: Credentials{MethodNone, "spa", "", nil}},
		{name: "scheme that only starts with Basic", headers: []string{"BasicX abc"}, body: "client_id=spa",
			want: Credentials{MethodNone, "spa", "", nil}},

		{name: "both methods", headers: []string{basic}, body: "client_secret=other",
			kind: ErrMultipleMethods, code: "invalid_request",
			msg: "client authenticated with both HTTP Basic and client_secret in the body (RFC 6749 §2.3.1)"},
		{name: "malformed basic", headers: []string{"Basic %%%"},
			kind: ErrMalformed, code: "invalid_request", msg: "credentials are not valid base64 (RFC 7617 §2)"},
		{name: "basic without credentials", headers: []string{"Basic"},
			kind: ErrMalformed, code: "invalid_request", msg: `no credentials after "Basic"`},
		{name: "id mismatch", headers: []string{basic}, body: "client_id=other",
			kind: ErrClientIDMismatch, code: "invalid_request",
			msg: "client_id in the body differs from the one in HTTP Basic (RFC 6749 §2.3.1)"},
		{name: "repeated client_id", body: "client_id=a&client_id=b",
			kind: ErrRepeatedParameter, code: "invalid_request", msg: "parameter client_id is repeated (RFC 6749 §3.2)"},
		{name: "repeated Authorization", headers: []string{basic, basic},
			kind: ErrRepeatedParameter, code: "invalid_request", msg: "the Authorization header is repeated"},
		{name: "secret in query", target: "/token?client_secret=x", body: "client_id=web",
			kind: ErrSecretInQuery, code: "invalid_request",
			msg: "client_secret must not be sent in the request URI (RFC 6749 §2.3.1)"},
		{name: "secret without id", body: "client_secret=x",
			kind: ErrNoClient, code: "invalid_client", msg: "client_secret in the body without a client_id"},
		{name: "nothing", body: "grant_type=client_credentials",
			kind: ErrNoClient, code: "invalid_client", msg: "no client authentication: use HTTP Basic, or client_id (and client_secret) in the body (RFC 6749 §2.3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tt.target
			if target == "" {
				target = "/token"
			}
			r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(tt.body))
			for _, h := range tt.headers {
				r.Header.Add("Authorization", h)
			}
			form, err := url.ParseQuery(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := FromRequest(r, form)
			if tt.kind == nil {
				if err != nil || got != tt.want {
					t.Fatalf("FromRequest = %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("FromRequest = %+v, nil; want %v", got, tt.kind)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %v is not %v", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if c := OAuthErrorCode(err); c != tt.code {
				t.Errorf("OAuthErrorCode = %s, want %s", c, tt.code)
			}
			if got != (Credentials{}) {
				t.Errorf("credentials %+v returned with an error", got)
			}
		})
	}
}

func TestSecretEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"s3cret", "s3cret", true},
		{"", "", true},
		{"s3cret", "s3creT", false},
		{"s3cret", "s3cret ", false},
		{"s3cret", "", false},
	}
	for _, tt := range tests {
		if got := SecretEqual([]byte(tt.a), []byte(tt.b)); got != tt.want {
			t.Errorf("SecretEqual(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
