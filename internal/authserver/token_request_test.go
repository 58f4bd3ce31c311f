package authserver

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Rule 12: parameters only from a form POST body, secrets never in the
// query, GET refused, body capped, repeated parameters refused.
func TestTokenRequestShape(t *testing.T) {
	e := newEnv(t)
	raw := func(method, target, ctype, body string, a auth) resp {
		t.Helper()
		req, err := http.NewRequest(method, e.ts.URL+target, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if a != nil {
			a(req, url.Values{})
		}
		return e.do(req)
	}
	const formCT = "application/x-www-form-urlencoded"
	cc := "grant_type=client_credentials"

	t.Run("GET is 405 with Allow: POST", func(t *testing.T) {
		r := raw(http.MethodGet, "/token?grant_type=client_credentials", "", "", webAuth)
		wantError(t, r, http.StatusMethodNotAllowed, ErrInvalidRequest)
		if got := r.header.Get("Allow"); got != "POST" {
			t.Fatalf("Allow %q, want POST", got)
		}
	})
	t.Run("PUT is 405 too", func(t *testing.T) {
		r := raw(http.MethodPut, "/token", formCT, cc, webAuth)
		wantError(t, r, http.StatusMethodNotAllowed, ErrInvalidRequest)
		if got := r.header.Get("Allow"); got != "POST" {
			t.Fatalf("Allow %q, want POST", got)
		}
	})
	t.Run("JSON body", func(t *testing.T) {
		r := raw(http.MethodPost, "/token", "application/json", `{"grant_type":"client_credentials"}`, webAuth)
		wantError(t, r, http.StatusBadRequest, ErrInvalidRequest)
	})
	t.Run("no content type", func(t *testing.T) {
		wantError(t, raw(http.MethodPost, "/token", "", cc, webAuth), http.StatusBadRequest, ErrInvalidRequest)
	})
	t.Run("client_secret in the query", func(t *testing.T) {
		r := raw(http.MethodPost, "/token?client_secret="+svcSecret, formCT, cc+"&client_id=svc&client_secret="+svcSecret, nil)
		wantError(t, r, http.StatusBadRequest, ErrInvalidRequest)
		if d := r.str(t, "error_description"); !strings.Contains(d, "request URI") {
			t.Fatalf("description %q does not say why", d)
		}
	})
	for _, secret := range []string{"password", "refresh_token", "code", "code_verifier"} {
		t.Run(secret+" in the query", func(t *testing.T) {
			r := raw(http.MethodPost, "/token?"+secret+"=s3cret", formCT, cc, webAuth)
			wantError(t, r, http.StatusBadRequest, ErrInvalidRequest)
			if d := r.str(t, "error_description"); !strings.Contains(d, secret+" must not be sent in the request URI") {
				t.Fatalf("description %q", d)
			}
		})
	}
	for _, path := range []string{"/introspect", "/revoke"} {
		t.Run("token in the query of "+path, func(t *testing.T) {
			r := raw(http.MethodPost, path+"?token=x", formCT, "token=x", webAuth)
			wantError(t, r, http.StatusBadRequest, ErrInvalidRequest)
		})
	}
	t.Run("grant parameters in the query are not read", func(t *testing.T) {
		r := raw(http.MethodPost, "/token?grant_type=client_credentials", formCT, "", webAuth)
		wantError(t, r, http.StatusBadRequest, ErrInvalidRequest)
		if d := r.str(t, "error_description"); !strings.Contains(d, "grant_type is missing") {
			t.Fatalf("description %q", d)
		}
	})
	t.Run("body over 64 KiB is 413", func(t *testing.T) {
		r := raw(http.MethodPost, "/token", formCT, cc+"&scope="+strings.Repeat("a", MaxBodyBytes), webAuth)
		wantError(t, r, http.StatusRequestEntityTooLarge, ErrInvalidRequest)
	})
	t.Run("body of exactly 64 KiB is read", func(t *testing.T) {
		body := cc + "&pad="
		body += strings.Repeat("a", MaxBodyBytes-len(body))
		r := raw(http.MethodPost, "/token", formCT, body, webAuth)
		if r.status != http.StatusOK {
			t.Fatalf("status %d body %s", r.status, r.body)
		}
	})
	for _, dup := range []string{"grant_type", "scope", "client_id", "client_secret"} {
		t.Run("repeated "+dup, func(t *testing.T) {
			body := "grant_type=client_credentials&client_id=svc&client_secret=" + svcSecret + "&scope=read"
			body += "&" + dup + "=" + url.QueryEscape(map[string]string{
				"grant_type": "client_credentials", "scope": "read", "client_id": "svc", "client_secret": svcSecret}[dup])
			r := raw(http.MethodPost, "/token", formCT, body, nil)
			wantError(t, r, http.StatusBadRequest, ErrInvalidRequest)
			if d := r.str(t, "error_description"); !strings.Contains(d, dup+" is repeated") {
				t.Fatalf("description %q", d)
			}
		})
	}
}

// Rule 13: each error code of RFC 6749 §5.2 with its status; invalid_client
// with a Basic challenge exactly when Basic was used.
func TestTokenErrorCodes(t *testing.T) {
	e := newEnv(t)
	const challenge = `Basic realm="oauthkit", charset="UTF-8"`
	tests := []struct {
		name      string
		form      url.Values
		auth      auth
		status    int
		code      string
		challenge bool
	}{
		{"missing grant_type", form(), webAuth, 400, ErrInvalidRequest, false},
		{"wrong secret, Basic", form("grant_type", "client_credentials"), basicAuth(webID, "nope"), 401, ErrInvalidClient, true},
		{"unknown client, Basic", form("grant_type", "client_credentials"), basicAuth("ghost", "x"), 401, ErrInvalidClient, true},
		{"wrong secret, post", form("grant_type", "client_credentials"), postAuth(svcID, "nope"), 401, ErrInvalidClient, false},
		{"unknown client, post", form("grant_type", "client_credentials"), postAuth("ghost", "x"), 401, ErrInvalidClient, false},
		{"no client at all", form("grant_type", "client_credentials"), noAuth, 401, ErrInvalidClient, true},
		{"unknown code", form("grant_type", "authorization_code", "code", "nope", "redirect_uri", testRedirect), webAuth, 400, ErrInvalidGrant, false},
		{"grant not registered", form("grant_type", "client_credentials"), cliAuth, 400, ErrUnauthorizedClient, false},
		{"password grant not registered", form("grant_type", "password", "username", "a", "password", "b"), svcAuth, 400, ErrUnauthorizedClient, false},
		{"unknown grant type", form("grant_type", "urn:example:magic"), webAuth, 400, ErrUnsupportedGrantType, false},
		{"implicit at the token endpoint", form("grant_type", "implicit"), webAuth, 400, ErrUnsupportedGrantType, false},
		{"scope not allowed", form("grant_type", "client_credentials", "scope", "read admin"), webAuth, 400, ErrInvalidScope, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			r := e.post("/token", tt.form, tt.auth)
			wantError(t, r, tt.status, tt.code)
			got := r.header.Get("WWW-Authenticate")
			if tt.challenge && got != challenge {
				t.Fatalf("WWW-Authenticate %q, want %q", got, challenge)
			}
			if !tt.challenge && got != "" {
				t.Fatalf("unexpected WWW-Authenticate %q", got)
			}
		})
	}
}

// Rule 13: values reflected into error_description lose CR, LF, '"' and '\'.
func TestTokenErrorDescriptionIsSafe(t *testing.T) {
	e := newEnv(t)
	evil := "x\r\nSet-Cookie: a=\"b\"\\"
	tests := []struct {
		name    string
		body    string
		code    string
		reflect string // what must show through, sanitised
	}{
		{"grant_type", "grant_type=" + url.QueryEscape(evil), ErrUnsupportedGrantType, "x  Set-Cookie: a='b''"},
		{"scope", "grant_type=client_credentials&scope=" + url.QueryEscape(`a"b\c`), ErrInvalidScope, "scope 'a'b'c' is not allowed"},
		{"repeated parameter name", url.QueryEscape(evil) + "=1&" + url.QueryEscape(evil) + "=2", ErrInvalidRequest, "x  Set-Cookie: a='b'' is repeated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			req, err := http.NewRequest(http.MethodPost, e.ts.URL+"/token", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			webAuth(req, nil)
			r := e.do(req)
			wantError(t, r, http.StatusBadRequest, tt.code)
			if d := r.str(t, "error_description"); !strings.Contains(d, tt.reflect) {
				t.Fatalf("description %q does not contain %q", d, tt.reflect)
			}
		})
	}
}

// Rule 14: Cache-Control: no-store and Pragma: no-cache on every token
// response, successes of every grant and profile included (errors are
// checked by wantError everywhere).
func TestTokenResponsesAreNoStore(t *testing.T) {
	e := newEnv(t)
	e.addClient(store.Client{ID: "raw", AuthMethod: "client_secret_basic", TokenResponse: TokenResponseRawJWT,
		GrantTypes: []string{GrantClientCredentials}, Scopes: []string{"read"}}, "raw-secret-0123456789")
	code, verifier := e.newCode(codeSpec{})
	first := e.redeem(code, verifier, webAuth)
	rt := e.mustTokens(first).refresh
	cases := map[string]resp{
		"authorization_code": first,
		"refresh_token":      e.refresh(rt, webAuth),
		"client_credentials": e.post("/token", form("grant_type", "client_credentials"), webAuth),
		"raw_jwt":            e.post("/token", form("grant_type", "client_credentials"), basicAuth("raw", "raw-secret-0123456789")),
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			if r.status != http.StatusOK {
				t.Fatalf("status %d body %s", r.status, r.body)
			}
			wantNoStore(t, r)
		})
	}
}

// The 404 of an unknown path is JSON too, and does not reflect the path
// unsafely.
func TestUnknownPath(t *testing.T) {
	e := newEnv(t)
	r := e.get("/nope%22%5C%0D%0Ax", nil)
	wantError(t, r, http.StatusNotFound, "not_found")
	if d := r.str(t, "error_description"); !strings.Contains(d, "/nope''  x") {
		t.Fatalf("description %q", d)
	}
}
