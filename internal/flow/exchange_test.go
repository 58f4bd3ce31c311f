package flow

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseTokenType(t *testing.T) {
	for in, want := range map[string]string{
		"access_token":                    "urn:ietf:params:oauth:token-type:access_token",
		"id_token":                        "urn:ietf:params:oauth:token-type:id_token",
		"jwt":                             "urn:ietf:params:oauth:token-type:jwt",
		"saml2":                           "urn:ietf:params:oauth:token-type:saml2",
		"urn:example:custom":              "urn:example:custom",
		"https://as.example/token-type/x": "https://as.example/token-type/x",
	} {
		if got, err := ParseTokenType(in); err != nil || got != want {
			t.Errorf("ParseTokenType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "access-token", "not a type", "urn:x y"} {
		if _, err := ParseTokenType(bad); err == nil || !strings.Contains(err.Error(), "(RFC 8693 §3)") {
			t.Errorf("ParseTokenType(%q): %v, want an error naming RFC 8693 §3", bad, err)
		}
	}
}

// TestExchangeToken: the request carries the grant type, both tokens with
// their types, the requested type and the grant's audience and scope; the
// answer keeps issued_token_type.
func TestExchangeToken(t *testing.T) {
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got = r.PostForm
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"NEW","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":60}`))
	}))
	defer srv.Close()
	c := &Client{HTTP: srv.Client(), Now: func() time.Time { return testNow }, Endpoints: Endpoints{Token: srv.URL}, ClientID: "gw", AuthMethod: AuthNone}
	tr, err := c.ExchangeToken(t.Context(), TokenExchange{SubjectToken: "S", SubjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
		ActorToken: "A", ActorTokenType: "urn:ietf:params:oauth:token-type:jwt", RequestedTokenType: "urn:ietf:params:oauth:token-type:access_token",
		Grant: Grant{Scopes: []string{"read"}, Audience: "https://api-b"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "actor_token=A&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt&audience=https%3A%2F%2Fapi-b&client_id=gw" +
		"&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token" +
		"&scope=read&subject_token=S&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
	if got.Encode() != want {
		t.Errorf("request\n%s\nwant\n%s", got.Encode(), want)
	}
	raw, _ := tr.Raw.Get("issued_token_type")
	var issued string
	if json.Unmarshal(raw, &issued); tr.AccessToken != "NEW" || issued != "urn:ietf:params:oauth:token-type:access_token" {
		t.Errorf("answer %+v", tr)
	}
	for _, bad := range []TokenExchange{{SubjectTokenType: "t"}, {SubjectToken: "s", SubjectTokenType: "t", ActorToken: "a"}} {
		if _, err := c.ExchangeToken(t.Context(), bad); err == nil || !strings.Contains(err.Error(), "RFC 8693 §2.1") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
