package clientauth

import (
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// FuzzFromRequestAssertion: any client_assertion is parsed without a
// panic; what FromRequest accepts names its client and method, and
// CheckClaims never accepts an assertion without iss, sub, jti or exp.
func FuzzFromRequestAssertion(f *testing.F) {
	f.Add("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJhcHAiLCJzdWIiOiJhcHAiLCJhdWQiOiJodHRwczovL2FzLnRlc3QiLCJqdGkiOiJ4IiwiZXhwIjoxODAwMDAwMDMwfQ.c2ln", "")
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhcHAifQ.", "app")
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOlsiYSJdfQ.x", "")
	f.Add("a.b.c", "x")
	f.Add("", "")
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, assertion, clientID string) {
		form := url.Values{"client_assertion_type": {AssertionType}, "client_assertion": {assertion}}
		if clientID != "" {
			form.Set("client_id", clientID)
		}
		c, err := FromRequest(httptest.NewRequest("POST", "/token", nil), form)
		if err != nil {
			if OAuthErrorCode(err) == "" {
				t.Fatal("an error without an OAuth code")
			}
			return
		}
		if c.ClientID == "" || c.Assertion == nil || (c.Method != MethodPrivateKeyJWT && c.Method != MethodSecretJWT) {
			t.Fatalf("accepted %+v", c)
		}
		a := c.Assertion
		err = a.CheckClaims(Expect{What: "client_assertion", Issuer: c.ClientID, Subject: c.ClientID, Audiences: []string{"https://as.test"}, Now: now})
		if err == nil && (a.Issuer == "" || a.Subject == "" || a.JTI == "" || a.ExpiresAt.IsZero() || a.Alg == "none") {
			t.Fatalf("CheckClaims accepted %+v", a)
		}
	})
}
