package flow

import (
	"net/url"
	"testing"
)

// FuzzCallback: whatever is pasted or redirected to the catcher, parsing
// and checking never panic, and a response is accepted only with exactly
// the expected state and a non-empty code.
func FuzzCallback(f *testing.F) {
	f.Add("http://127.0.0.1:5/callback?code=abc&state=S&iss=https%3A%2F%2Fas", "S")
	f.Add("http://127.0.0.1/cb#access_token=t&state=S", "S")
	f.Add("code=a&code=b&state=S", "S")
	f.Add("error=access_denied&error_description=%3Cscript%3E&state=S", "S")
	f.Add("?state=&code=x", "")
	f.Fuzz(func(t *testing.T, raw, state string) {
		v, err := ParseCallbackURL(raw)
		if err != nil {
			return
		}
		for _, idOnly := range []bool{false, true} {
			cb, err := CheckCallback(v, CallbackCheck{State: state, Issuer: "https://as", RequireIss: true, Implicit: true, IDTokenOnly: idOnly}, testNow)
			if err == nil && (cb.Token == nil || (idOnly && cb.Token.IDToken == "")) {
				t.Fatalf("accepted %q (id_token only: %v) without the token", raw, idOnly)
			}
		}
		for _, implicit := range []bool{false, true} {
			cb, err := CheckCallback(v, CallbackCheck{State: state, Issuer: "https://as", RequireIss: true, Implicit: implicit}, testNow)
			if err != nil {
				continue
			}
			if state == "" || v.Get("state") != state || v.Get("iss") != "https://as" || len(v["state"]) != 1 {
				t.Fatalf("accepted %q with state %q", raw, state)
			}
			if !implicit && cb.Code == "" {
				t.Fatalf("accepted %q without a code", raw)
			}
			if implicit && (cb.Token == nil || cb.Token.AccessToken == "") {
				t.Fatalf("accepted %q without a token", raw)
			}
		}
	})
}

// FuzzMetadata: a metadata document is accepted only when its issuer is
// the requested one and every endpoint passes CheckURL.
func FuzzMetadata(f *testing.F) {
	f.Add(`{"issuer":"https://as.example","token_endpoint":"https://as.example/token"}`, "https://as.example")
	f.Add(`{"issuer":"https://as.example/","token_endpoint":"http://as.example/token"}`, "https://as.example")
	f.Add(`{"issuer":"http://127.0.0.1:8080","authorization_endpoint":"javascript:alert(1)"}`, "http://127.0.0.1:8080")
	f.Add(`{"issuer":"x","issuer":"y"}`, "x")
	f.Add(`{"issuer":"https://as","authorization_response_iss_parameter_supported":"yes"}`, "https://as")
	f.Fuzz(func(t *testing.T, doc, issuer string) {
		m, err := ParseMetadata(issuer, []byte(doc), false)
		if err != nil {
			return
		}
		if m.Issuer != issuer {
			t.Fatalf("issuer %q accepted for %q", m.Issuer, issuer)
		}
		for _, e := range []string{m.AuthorizationEndpoint, m.TokenEndpoint, m.IntrospectionEndpoint, m.RevocationEndpoint, m.JWKSURI} {
			if e == "" {
				continue
			}
			if err := CheckURL("e", e, false); err != nil {
				t.Fatalf("endpoint %q accepted: %v", e, err)
			}
			if _, err := url.Parse(e); err != nil {
				t.Fatal(err)
			}
		}
	})
}
