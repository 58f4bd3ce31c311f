package authserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// oldTokenBody is the map the token response was encoded from before
// tokenBody: its JSON is what tokenBody must write.
func oldTokenBody(b tokenBody) map[string]any {
	m := map[string]any{"access_token": b.AccessToken, "token_type": b.TokenType, "expires_in": b.ExpiresIn}
	for name, v := range map[string]string{"scope": b.Scope, "refresh_token": b.RefreshToken, "id_token": b.IDToken,
		"issued_token_type": b.IssuedTokenType} {
		if v != "" {
			m[name] = v
		}
	}
	if b.omitTokenType {
		delete(m, "token_type")
	}
	return m
}

func TestTokenBodyJSONMatchesTheMap(t *testing.T) {
	full := tokenBody{AccessToken: "eyJ.a.b", ExpiresIn: 1800, IDToken: "eyJ.c.d",
		IssuedTokenType: "urn:ietf:params:oauth:token-type:access_token", RefreshToken: "rt_-0", Scope: "openid read", TokenType: "DPoP"}
	odd := tokenBody{AccessToken: `a"b\c<d>&e`, ExpiresIn: -1, Scope: "é \u2028 \t\x01 \xff", TokenType: "N_A",
		RefreshToken: "x\ny", IDToken: "</script>"}
	noType := full
	noType.omitTokenType = true
	for name, b := range map[string]tokenBody{
		"client_credentials": {AccessToken: "eyJ.a.b", ExpiresIn: 1800, Scope: "read", TokenType: "Bearer"},
		"no scope":           {AccessToken: "opaque", ExpiresIn: 0, TokenType: "Bearer"},
		"every member":       full,
		"escapes":            odd,
		"no_token_type":      noType,
		"empty":              {},
	} {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			writeTokenJSON(rec, &b)
			want := httptest.NewRecorder()
			WriteJSON(want, http.StatusOK, oldTokenBody(b))
			if rec.Body.String() != want.Body.String() {
				t.Fatalf("body\n got: %q\nwant: %q", rec.Body.String(), want.Body.String())
			}
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
				t.Fatalf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			var m map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
		})
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "abc", `"\`, "a\x00", "é", "\u2028", "<>&", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Fatalf("%q: got %s, want %s", s, got, want.Bytes())
		}
	})
}
