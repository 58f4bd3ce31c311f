package flow

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseTokenResponse(t *testing.T) {
	tests := []struct {
		name, ct, body string
		status         int
		wantAT         string
		wantExp        time.Duration // 0: no expires_at
		wantOAuth      string        // full error text for an OAuthError
		wantErr        string
	}{
		{name: "rfc6749", status: 200, ct: "application/json", body: `{"access_token":"a","token_type":"Bearer","expires_in":3600}`, wantAT: "a", wantExp: time.Hour},
		{name: "apigee string expires_in", status: 200, ct: "application/json", body: `{"access_token":"a","token_type":"BearerToken","expires_in":"1800"}`, wantAT: "a", wantExp: 30 * time.Minute},
		{name: "no expires_in", status: 200, ct: "application/json", body: `{"access_token":"a","token_type":"Bearer"}`, wantAT: "a"},
		{name: "no token_type: parsed (Client.Token refuses it)", status: 200, ct: "application/json", body: `{"access_token":"a","expires_in":60}`, wantAT: "a", wantExp: time.Minute},
		{name: "oauth error", status: 401, ct: "application/json", body: `{"error":"invalid_client","error_description":"wrong secret"}`,
			wantOAuth: `token endpoint answered error=invalid_client error_description="wrong secret" (HTTP 401)`},
		{name: "control characters in the description", status: 400, body: "{\"error\":\"invalid_grant\",\"error_description\":\"a\\u001b[31mb\"}",
			wantOAuth: `token endpoint answered error=invalid_grant error_description="a\\u001b[31mb" (HTTP 400)`},
		{name: "bidi override and zero-width space in the description", status: 400, body: "{\"error\":\"invalid_grant\",\"error_description\":\"code \\u202edilav\\u200b\"}",
			wantOAuth: `token endpoint answered error=invalid_grant error_description="code \\u202edilav\\u200b" (HTTP 400)`},
		{name: "html 500", status: 500, ct: "text/html", body: `<h1>oops</h1>`, wantErr: "token endpoint answered HTTP 500 without an OAuth error object (an HTML page)"},
		{name: "empty 502", status: 502, wantErr: "token endpoint answered HTTP 502 without an OAuth error object (empty body)"},
		{name: "200 not JSON", status: 200, ct: "text/plain", body: "eyJ.x.y", wantErr: `token endpoint answered HTTP 200 with a body that is not a JSON object`},
		{name: "no access_token", status: 200, body: `{"token_type":"Bearer"}`, wantErr: "token endpoint answered without an access_token (RFC 6749 §5.1)"},
		{name: "repeated member", status: 200, body: `{"access_token":"a","access_token":"b"}`, wantErr: `member "access_token" appears twice`},
		{name: "b64token with padding", status: 200, body: `{"access_token":"aZ09-._~+/==","token_type":"Bearer","refresh_token":"r t!"}`, wantAT: "aZ09-._~+/=="},
		{name: "CRLF in the access token", status: 200, body: `{"access_token":"at\r\nX-Injected: 1"}`,
			wantErr: "token endpoint answered access_token with byte 0x0d at offset 2, which is not allowed in an access token (RFC 6750 §2.1"},
		{name: "space in the access token", status: 200, body: `{"access_token":"a b"}`, wantErr: "access_token with byte 0x20 at offset 1"},
		{name: "padding in the middle", status: 200, body: `{"access_token":"a=b"}`, wantErr: "access_token with byte 0x62 at offset 2"},
		{name: "ESC in the refresh token", status: 200, body: `{"access_token":"a","refresh_token":"r\u001b]0;x\u0007"}`,
			wantErr: "refresh_token with byte 0x1b at offset 1, which is not printable ASCII"},
		{name: "non-ASCII in the ID token", status: 200, body: `{"access_token":"a","id_token":"é"}`, wantErr: "id_token with byte 0xc3 at offset 0"},
		{name: "newline in the token type", status: 200, body: `{"access_token":"a","token_type":"Bearer\n"}`, wantErr: "token_type with byte 0x0a at offset 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := ParseTokenResponse("token endpoint", tt.status, tt.ct, []byte(tt.body), testNow)
			switch {
			case tt.wantOAuth != "":
				var oe *OAuthError
				if !errors.As(err, &oe) || err.Error() != tt.wantOAuth {
					t.Errorf("err = %v, want %s", err, tt.wantOAuth)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if tr.AccessToken != tt.wantAT {
					t.Errorf("access token %q", tr.AccessToken)
				}
				if (tt.wantExp == 0) != tr.ExpiresAt.IsZero() || (tt.wantExp != 0 && !tr.ExpiresAt.Equal(testNow.Add(tt.wantExp))) {
					t.Errorf("expires at %v", tr.ExpiresAt)
				}
				if out, _ := tr.Raw.MarshalJSON(); string(out) != tt.body {
					t.Errorf("raw %s, want the body as sent", out)
				}
			}
		})
	}
}

func TestObjectWith(t *testing.T) {
	obj, err := ParseObject([]byte(`{"b":1,"a":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := obj.With("z", "new").With("b", 2).MarshalJSON()
	if string(out) != `{"b":2,"a":"x","z":"new"}` {
		t.Errorf("%s", out)
	}
	for _, bad := range []string{`[]`, `{"a":1} {}`, `{"a":}`, ``} {
		if _, err := ParseObject([]byte(bad)); err == nil {
			t.Errorf("ParseObject(%q) accepted", bad)
		}
	}
}

// The grants refuse a token answer without token_type (RFC 6749 §5.1); a
// present one of any registered type passes.
func TestTokenRequiresTokenType(t *testing.T) {
	var body atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body.Load().(string)))
	}))
	t.Cleanup(srv.Close)
	c := &Client{HTTP: srv.Client(), Now: func() time.Time { return testNow },
		Endpoints: Endpoints{Issuer: srv.URL, Token: srv.URL}, ClientID: "cli", AuthMethod: AuthNone}
	for _, tc := range []struct{ body, wantErr string }{
		{`{"access_token":"a","expires_in":60}`, "token endpoint answered without a token_type (RFC 6749 §5.1)"},
		{`{"access_token":"a","token_type":""}`, "token endpoint answered without a token_type (RFC 6749 §5.1)"},
		{`{"access_token":"a","token_type":"Bearer"}`, ""},
		{`{"access_token":"a","token_type":"BearerToken"}`, ""}, // Apigee's
		{`{"access_token":"a","token_type":"DPoP"}`, ""},
	} {
		body.Store(tc.body)
		tr, err := c.ClientCredentials(t.Context(), Grant{})
		switch {
		case tc.wantErr == "" && (err != nil || tr.AccessToken != "a"):
			t.Errorf("%s: %v", tc.body, err)
		case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr || tr != nil):
			t.Errorf("%s: err %v, response %v; want %q", tc.body, err, tr, tc.wantErr)
		}
	}
}

func TestImplicitResponseRequiresTokenType(t *testing.T) {
	chk := CallbackCheck{State: "s", Implicit: true}
	_, err := CheckCallback(url.Values{"access_token": {"a"}, "state": {"s"}}, chk, testNow)
	if err == nil || err.Error() != "authorization response answered without a token_type (RFC 6749 §5.1)" {
		t.Errorf("no token_type: %v", err)
	}
	cb, err := CheckCallback(url.Values{"access_token": {"a"}, "token_type": {"Bearer"}, "state": {"s"}}, chk, testNow)
	if err != nil || cb.Token.AccessToken != "a" {
		t.Errorf("with token_type: %v %v", cb, err)
	}
}
