package authserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The request log of the control API (Options.RequestLog,
// Control.Requests): what each answered request was, never a secret, a
// code or a token; filters; a ring of RequestLogSize.

func TestRequestLogRecordsWhatWasAnswered(t *testing.T) {
	e := newEnv(t, withRequestLog())
	c := e.srv.Control()
	tok := e.codeGrant(webID, webAuth)                                                     // 1: token (authorization_code)
	e.refresh(tok.refresh, webAuth)                                                        // 2: token (refresh_token)
	e.post("/token", form("grant_type", GrantClientCredentials, "scope", "read"), svcAuth) // 3
	e.post("/token", form("grant_type", GrantClientCredentials), postAuth(svcID, "wrong-secret-value"))
	e.introspect(tok.access) // 5
	e.get("/healthz", nil)   // not logged
	e.get("/jwks.json", nil) // 6
	e.get("/nowhere", nil)   // 7: other

	got := c.Requests(RequestFilter{})
	type row struct {
		seq                                          int64
		method, endpoint, path, client, grant, scope string
		status                                       int
		err                                          string
	}
	want := []row{
		{1, "POST", EndpointToken, "/token", webID, GrantAuthorizationCode, "", 200, ""},
		{2, "POST", EndpointToken, "/token", webID, GrantRefreshToken, "", 200, ""},
		{3, "POST", EndpointToken, "/token", svcID, GrantClientCredentials, "read", 200, ""},
		{4, "POST", EndpointToken, "/token", svcID, GrantClientCredentials, "", 401, ErrInvalidClient},
		{5, "POST", EndpointIntrospect, "/introspect", webID, "", "", 200, ""},
		{6, "GET", EndpointJWKS, "/jwks.json", "", "", "", 200, ""},
		{7, "GET", EndpointOther, "/nowhere", "", "", "", 404, "not_found"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(got), len(want), got)
	}
	for i, r := range got {
		g := row{r.Seq, r.Method, r.Endpoint, r.Path, r.ClientID, r.GrantType, r.Scope, r.Status, r.Error}
		if g != want[i] {
			t.Errorf("record %d: %+v\nwant %+v", i, g, want[i])
		}
		if r.Time.IsZero() || r.Duration < 0 {
			t.Errorf("record %d: time %s duration %s", i, r.Time, r.Duration)
		}
	}

	// nothing secret: not the client secrets (even a wrong one), the tokens
	raw, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	dump := string(raw) + fmt.Sprintf("%+v", got)
	for _, secret := range []string{webSecret, svcSecret, "wrong-secret-value", tok.access, tok.refresh} {
		if strings.Contains(dump, secret) {
			t.Errorf("the request log holds a secret or token %q", secret[:8])
		}
	}
}

func TestRequestLogHasNoCodeOrVerifier(t *testing.T) {
	e := newEnv(t, withRequestLog())
	code, verifier := e.newCode(codeSpec{})
	e.mustTokens(e.redeem(code, verifier, webAuth))
	e.get("/protected?access_token=secret-in-query", nil)
	dump := fmt.Sprintf("%+v", e.srv.Control().Requests(RequestFilter{}))
	for _, s := range []string{code, verifier, "secret-in-query"} {
		if strings.Contains(dump, s) {
			t.Errorf("the request log holds %q: %s", s, dump)
		}
	}
}

func TestRequestLogFilters(t *testing.T) {
	e := newEnv(t, withRequestLog())
	c := e.srv.Control()
	for range 3 {
		e.ccWeb()
		e.ccSvc()
	}
	e.post("/token", form("grant_type", "password"), svcAuth) // unauthorized_client
	e.get("/jwks.json", nil)
	seqs := func(f RequestFilter) []int64 {
		var out []int64
		for _, r := range c.Requests(f) {
			out = append(out, r.Seq)
		}
		return out
	}
	for _, tc := range []struct {
		f    RequestFilter
		want string
	}{
		{RequestFilter{}, "[1 2 3 4 5 6 7 8]"},
		{RequestFilter{Endpoint: EndpointToken}, "[1 2 3 4 5 6 7]"},
		{RequestFilter{Endpoint: EndpointJWKS}, "[8]"},
		{RequestFilter{ClientID: svcID}, "[2 4 6 7]"},
		{RequestFilter{GrantType: "password"}, "[7]"},
		{RequestFilter{Error: ErrUnauthorizedClient}, "[7]"},
		{RequestFilter{Status: 400}, "[7]"},
		{RequestFilter{Status: 200, ClientID: webID}, "[1 3 5]"},
		{RequestFilter{After: 5}, "[6 7 8]"},
		{RequestFilter{Limit: 2}, "[7 8]"},                  // the newest
		{RequestFilter{ClientID: webID, Limit: 2}, "[3 5]"}, // limit after the filter
		{RequestFilter{After: 2, Limit: 1, ClientID: svcID}, "[7]"},
		{RequestFilter{Endpoint: EndpointUserinfo}, "[]"},
	} {
		if got := fmt.Sprint(seqs(tc.f)); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.f, got, tc.want)
		}
	}
	c.ClearRequests()
	if got := c.Requests(RequestFilter{}); len(got) != 0 || c.State().Requests != 0 {
		t.Errorf("after clear: %+v", got)
	}
	e.ccWeb()
	if got := seqs(RequestFilter{}); fmt.Sprint(got) != "[9]" {
		t.Errorf("sequence after clear: %v, want it to go on at 9", got)
	}
}

func TestRequestLogOff(t *testing.T) {
	e := newEnv(t)
	e.ccWeb()
	if got := e.srv.Control().Requests(RequestFilter{}); len(got) != 0 {
		t.Errorf("the log is off but holds %+v", got)
	}
}

func TestRequestLogRing(t *testing.T) {
	l := newRequestLog()
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	const extra = 7
	for i := range RequestLogSize + extra {
		l.add(Event{Time: at.Add(time.Duration(i) * time.Millisecond), Method: http.MethodPost, Path: "/token", Status: 200})
	}
	l.add(Event{Path: "/healthz", Status: 200})                     // never logged
	l.add(Event{Path: ControlPathPrefix + "requests", Status: 200}) // nor the control API
	l.add(Event{Path: strings.TrimSuffix(ControlPathPrefix, "/"), Status: 404})
	all := l.list(RequestFilter{})
	if len(all) != RequestLogSize || l.len() != RequestLogSize {
		t.Fatalf("%d records, want %d", len(all), RequestLogSize)
	}
	// the oldest went first; oldest first, in order
	for i, r := range all {
		if r.Seq != int64(extra+1+i) || !r.Time.Equal(at.Add(time.Duration(extra+i)*time.Millisecond)) {
			t.Fatalf("record %d: seq %d time %s", i, r.Seq, r.Time)
		}
	}
	if last := l.list(RequestFilter{Limit: 1}); len(last) != 1 || last[0].Seq != RequestLogSize+extra {
		t.Errorf("newest: %+v", last)
	}
	l.clear()
	l.add(Event{Path: "/token", Status: 200})
	if got := l.list(RequestFilter{}); len(got) != 1 || got[0].Seq != RequestLogSize+extra+1 {
		t.Errorf("after clear: %+v", got)
	}
}
