package control

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
)

var ctx = context.Background()

func TestFail(t *testing.T) {
	e := newEnv(t, true)
	q, err := e.client.Fail(ctx, FailRequest{Endpoint: "token", Error: "invalid_grant", ErrorDescription: "queued by a test"})
	if err != nil {
		t.Fatal(err)
	}
	if q != (FailRequest{Endpoint: "token", Error: "invalid_grant", ErrorDescription: "queued by a test", Times: 1}) {
		t.Errorf("queued %+v", q)
	}
	status, body := e.clientCredentials()
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" || body["error_description"] != "queued by a test" {
		t.Errorf("first token request: %d %v", status, body)
	}
	if status, body = e.clientCredentials(); status != http.StatusOK || body["access_token"] == nil {
		t.Errorf("second token request (the failure was spent): %d %v", status, body)
	}
	// A plain 503 for another client only: web is not hit.
	if _, err := e.client.Fail(ctx, FailRequest{Endpoint: "token", Status: 503, ClientID: cliID, Times: TimesAlways}); err != nil {
		t.Fatal(err)
	}
	if status, _ = e.clientCredentials(); status != http.StatusOK {
		t.Errorf("a failure for %s hit %s: %d", cliID, webID, status)
	}
	for _, tc := range []struct {
		r    FailRequest
		want string
	}{
		{FailRequest{Endpoint: "tokens", Error: "invalid_grant"}, `endpoint 'tokens': use one of token, authorize`},
		{FailRequest{Error: "invalid_grant"}, "endpoint: name the endpoint"},
		{FailRequest{Endpoint: "token"}, "say what to do"},
		{FailRequest{Endpoint: "token", Status: 200}, "status 200: use a client or server error status"},
		{FailRequest{Endpoint: "token", Delay: "soon"}, `delay 'soon': use a Go duration`},
		{FailRequest{Endpoint: "token", Error: "bad code"}, "error 'bad code'"},
		{FailRequest{Endpoint: "token", Error: "x", Times: -2}, "times -2"},
	} {
		_, err := e.client.Fail(ctx, tc.r)
		refused(t, err, http.StatusBadRequest, "invalid_request", tc.want)
	}
}

func TestTamper(t *testing.T) {
	e := newEnv(t, true)
	q, err := e.client.Tamper(ctx, TamperRequest{Kind: "no_token_type", ClientID: webID, Times: 2})
	if err != nil || q != (TamperRequest{Kind: "no_token_type", ClientID: webID, Times: 2}) {
		t.Fatalf("tamper: %+v %v", q, err)
	}
	for i := range 3 {
		status, body := e.clientCredentials()
		_, has := body["token_type"]
		if status != http.StatusOK || has != (i == 2) {
			t.Errorf("request %d: %d token_type present=%v", i+1, status, has)
		}
	}
	_, err = e.client.Tamper(ctx, TamperRequest{Kind: "everything"})
	refused(t, err, http.StatusBadRequest, "invalid_request", "tamper 'everything': use one of iss, state, nonce")
}

func TestLoginAs(t *testing.T) {
	e := newEnv(t, true)
	_, err := e.client.LoginAs(ctx, LoginAsRequest{User: "carol"})
	refused(t, err, http.StatusNotFound, "not_found", "no user 'carol'")
	if _, err := e.client.LoginAs(ctx, LoginAsRequest{User: "bob", ClientID: cliID}); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"response_type": {"code"}, "client_id": {cliID}, "redirect_uri": {redirectURI}, "scope": {"read"},
		"state": {"s1"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/authorize?"+q.Encode(), nil)
	hc := *e.ts.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode/100 != 3 || !strings.HasPrefix(loc.String(), redirectURI+"?") || loc.Query().Get("code") == "" || loc.Query().Get("state") != "s1" {
		t.Fatalf("authorize with login-as: %d Location %q", resp.StatusCode, loc)
	}
	if st, _ := e.client.State(ctx); len(st.Logins) != 0 {
		t.Errorf("the login-as was not spent: %+v", st.Logins)
	}
}

func TestClaims(t *testing.T) {
	e := newEnv(t, true)
	set, err := e.client.Claims(ctx, ClaimsRequest{ClientID: webID, Claims: map[string]any{"department": "qa", "level": 3}, In: []string{"access_token"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(set.In, ",") != "access_token" {
		t.Errorf("set %+v", set)
	}
	if _, err := e.client.Claims(ctx, ClaimsRequest{User: "alice", Claims: map[string]any{"team": "blue"}}); err != nil {
		t.Fatal(err)
	}
	_, body := e.clientCredentials()
	at, _ := body["access_token"].(string)
	c := claimsOf(t, at)
	if c["department"] != "qa" || c["level"] != float64(3) || c["team"] != nil {
		t.Errorf("client token claims %v", c)
	}
	m, err := e.srv.MintToken(ctx, authserver.MintRequest{ClientID: cliID, User: "alice", Scope: "openid read"})
	if err != nil {
		t.Fatal(err)
	}
	if c := claimsOf(t, m.AccessToken); c["team"] != "blue" || c["department"] != nil {
		t.Errorf("alice's access token at %s: %v", cliID, c)
	}
	if c := claimsOf(t, m.IDToken); c["team"] != "blue" {
		t.Errorf("alice's ID token: %v", c)
	}
	for _, tc := range []struct {
		r          ClaimsRequest
		status     int
		code, want string
	}{
		{ClaimsRequest{User: "carol", Claims: map[string]any{"a": 1}}, 404, "not_found", "no user 'carol'"},
		{ClaimsRequest{Claims: map[string]any{"sub": "root"}}, 400, "invalid_request", "claim 'sub' is set by the protocol"},
		{ClaimsRequest{}, 400, "invalid_request", "name at least one claim"},
		{ClaimsRequest{Claims: map[string]any{"a": 1}, In: []string{"cookie"}}, 400, "invalid_request", "in 'cookie': use access_token"},
	} {
		_, err := e.client.Claims(ctx, tc.r)
		refused(t, err, tc.status, tc.code, tc.want)
	}
}

func TestClock(t *testing.T) {
	e := newEnv(t, true)
	c, err := e.client.Clock(ctx)
	if err != nil || c != (ClockState{Skew: "0s", Now: base.Format(time.RFC3339)}) {
		t.Fatalf("clock %+v %v", c, err)
	}
	if c, err = e.client.SetClock(ctx, "1h"); err != nil || c != (ClockState{Skew: "1h0m0s", Now: base.Add(time.Hour).Format(time.RFC3339)}) {
		t.Fatalf("clock +1h: %+v %v", c, err)
	}
	_, body := e.clientCredentials()
	at, _ := body["access_token"].(string)
	if iat := claimsOf(t, at)["iat"]; iat != float64(base.Add(time.Hour).Unix()) {
		t.Errorf("iat %v, want the skewed time %d", iat, base.Add(time.Hour).Unix())
	}
	// Validation follows the clock: two hours on, the 30-minute token has expired.
	if !e.introspect(at) {
		t.Error("fresh token inactive")
	}
	if _, err := e.client.SetClock(ctx, "3h"); err != nil {
		t.Fatal(err)
	}
	if e.introspect(at) {
		t.Error("the token is still active two hours after it was issued")
	}
	_, err = e.client.SetClock(ctx, "tomorrow")
	refused(t, err, 400, "invalid_request", "skew 'tomorrow': use a Go duration")
	_, err = e.client.SetClock(ctx, "")
	refused(t, err, 400, "invalid_request", "skew: give a duration")
	_, err = e.client.SetClock(ctx, "100000h")
	refused(t, err, 400, "invalid_request", "at most ten years")
	if c, _ = e.client.SetClock(ctx, "0s"); c.Skew != "0s" {
		t.Errorf("reset: %+v", c)
	}
}

func TestKeys(t *testing.T) {
	e := newEnv(t, true)
	before, err := e.client.Keys(ctx)
	if err != nil || len(before) != 1 || !before[0].Signing || before[0].Alg != "ES256" {
		t.Fatalf("keys %+v %v", before, err)
	}
	k, err := e.client.RotateKeys(ctx, "EdDSA")
	if err != nil || k.Alg != "EdDSA" || !k.Signing || k.KID == before[0].KID {
		t.Fatalf("rotate: %+v %v", k, err)
	}
	jwks := func() string { _, _, b := e.raw(http.MethodGet, "../../jwks.json", "", ""); return b }
	if j := jwks(); !strings.Contains(j, before[0].KID) || !strings.Contains(j, k.KID) {
		t.Errorf("JWKS after rotation: %s", j)
	}
	_, body := e.clientCredentials()
	at, _ := body["access_token"].(string)
	if !e.introspect(at) {
		t.Error("a token signed by the new key is inactive")
	}
	refused(t, e.client.RetireKey(ctx, k.KID), 400, "invalid_request", "signs new tokens")
	refused(t, e.client.RetireKey(ctx, "nope"), 404, "not_found", "no published key has this kid: nope")
	refused(t, e.client.RetireKey(ctx, ""), 400, "invalid_request", "kid: name the key")
	if err := e.client.RetireKey(ctx, before[0].KID); err != nil {
		t.Fatal(err)
	}
	if j := jwks(); strings.Contains(j, before[0].KID) || !strings.Contains(j, k.KID) {
		t.Errorf("JWKS after retiring %s: %s", before[0].KID, j)
	}
	_, err = e.client.RotateKeys(ctx, "HS256")
	refused(t, err, 400, "invalid_request", "alg 'HS256': use RS256")
}

func TestRevoke(t *testing.T) {
	e := newEnv(t, true)
	_, body := e.clientCredentials()
	at, _ := body["access_token"].(string)
	m, err := e.srv.MintToken(ctx, authserver.MintRequest{ClientID: cliID, User: "alice", Scope: "read"})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := e.client.Revoke(ctx, RevokeRequest{ClientID: webID})
	if err != nil || rev.ClientID != webID || rev.At != base.Format(time.RFC3339Nano) {
		t.Fatalf("revoke: %+v %v", rev, err)
	}
	if e.introspect(at) {
		t.Error("web's token is active after revoke --client web")
	}
	if !e.introspect(m.AccessToken) {
		t.Error("alice's token at cli was revoked too")
	}
	if _, err := e.client.Revoke(ctx, RevokeRequest{User: "alice"}); err != nil {
		t.Fatal(err)
	}
	if e.introspect(m.AccessToken) {
		t.Error("alice's token is active after revoke --user alice")
	}
	_, err = e.client.Revoke(ctx, RevokeRequest{})
	refused(t, err, 400, "invalid_request", "revoke: say all, or a client")
	_, err = e.client.Revoke(ctx, RevokeRequest{All: true, User: "alice"})
	refused(t, err, 400, "invalid_request", "revoke: say all")
	_, err = e.client.Revoke(ctx, RevokeRequest{ClientID: "nobody"})
	refused(t, err, 404, "not_found", "no client 'nobody'")
	_, err = e.client.Revoke(ctx, RevokeRequest{All: true, At: "2020-01-01T00:00:00Z"})
	refused(t, err, 400, "invalid_request", "at: set by the server")
}

func TestRequests(t *testing.T) {
	e := newEnv(t, true)
	if _, err := e.client.Fail(ctx, FailRequest{Endpoint: "token", Error: "invalid_grant"}); err != nil {
		t.Fatal(err)
	}
	e.clientCredentials()
	_, body := e.clientCredentials()
	at, _ := body["access_token"].(string)
	e.introspect(at)
	all, err := e.client.Requests(ctx, RequestQuery{})
	if err != nil || len(all) != 3 {
		t.Fatalf("requests: %+v %v", all, err)
	}
	// The injected failure answers before the endpoint reads the request;
	// its record still names the client, grant and scope.
	r := all[0]
	if r.Seq != 1 || r.Method != "POST" || r.Endpoint != "token" || r.Path != "/token" || r.ClientID != webID ||
		r.GrantType != "client_credentials" || r.Scope != "read" ||
		r.Status != 400 || r.Error != "invalid_grant" || r.Time != base.Format(time.RFC3339Nano) {
		t.Errorf("first record %+v", r)
	}
	r = all[1]
	if r.Seq != 2 || r.ClientID != webID || r.GrantType != "client_credentials" || r.Scope != "read" || r.Status != 200 || r.Error != "" {
		t.Errorf("second record %+v", r)
	}
	if all[2].Endpoint != "introspect" || all[2].Path != "/introspect" {
		t.Errorf("third record %+v", all[2])
	}
	raw, _ := json.Marshal(all)
	for _, secret := range []string{webSecret, at, testToken} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the request log shows a secret or token: %s", raw)
		}
	}
	for _, tc := range []struct {
		q    RequestQuery
		seqs string
	}{
		{RequestQuery{Endpoint: "token"}, "1 2"}, {RequestQuery{Error: "invalid_grant"}, "1"}, {RequestQuery{Status: 200}, "2 3"},
		{RequestQuery{After: 1, Endpoint: "token"}, "2"}, {RequestQuery{Limit: 1}, "3"}, {RequestQuery{ClientID: "nobody"}, ""},
		{RequestQuery{GrantType: "client_credentials", Limit: 5}, "1 2"},
	} {
		got, err := e.client.Requests(ctx, tc.q)
		var seqs []string
		for _, r := range got {
			seqs = append(seqs, strconv.FormatInt(r.Seq, 10))
		}
		if err != nil || strings.Join(seqs, " ") != tc.seqs {
			t.Errorf("%+v: %v %v, want %s", tc.q, seqs, err, tc.seqs)
		}
	}
	for q, want := range map[string]string{"colour=red": "query parameter 'colour'", "status=abc": "status 'abc'",
		"limit=-1": "limit '-1'", "endpoint=token&endpoint=jwks": "give it once"} {
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+authserver.ControlPathPrefix+"requests?"+q, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		status, _, body := e.do(req)
		if status != 400 || !strings.Contains(body, want) {
			t.Errorf("?%s: %d %s", q, status, body)
		}
	}
	if err := e.client.ClearRequests(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.client.Requests(ctx, RequestQuery{}); len(got) != 0 {
		t.Errorf("after clear: %+v", got)
	}
	e.clientCredentials()
	if got, _ := e.client.Requests(ctx, RequestQuery{}); len(got) != 1 || got[0].Seq != 4 {
		t.Errorf("after clear and one request: %+v", got)
	}
}

func TestStateAndReset(t *testing.T) {
	e := newEnv(t, true)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.client.Fail(ctx, FailRequest{Endpoint: "jwks", Status: 503, Delay: "1500ms", Times: TimesAlways})
	must(err)
	_, err = e.client.Tamper(ctx, TamperRequest{Kind: "nonce", Times: 3})
	must(err)
	_, err = e.client.LoginAs(ctx, LoginAsRequest{User: "bob", ClientID: cliID})
	must(err)
	_, err = e.client.Claims(ctx, ClaimsRequest{User: "alice", Claims: map[string]any{"x": true}, In: []string{"userinfo", "id_token"}})
	must(err)
	_, err = e.client.SetClock(ctx, "-30m")
	must(err)
	_, err = e.client.Revoke(ctx, RevokeRequest{All: true})
	must(err)
	k, err := e.client.RotateKeys(ctx, "")
	must(err)
	e.clientCredentials()
	st, err := e.client.State(ctx)
	must(err)
	got, _ := json.Marshal(st)
	want := `{"skew":"-30m0s","failures":[{"endpoint":"jwks","status":503,"delay":"1.5s","times":-1}],` +
		`"tampers":[{"kind":"nonce","times":3}],"logins":[{"user":"bob","client_id":"cli","times":1}],` +
		`"claims":[{"user":"alice","claims":{"x":true},"in":["id_token","userinfo"]}],` +
		`"revoked":[{"all":true,"at":"` + base.Add(-30*time.Minute).Format(time.RFC3339Nano) + `"}],"keys":[`
	if !strings.HasPrefix(string(got), want) || !strings.HasSuffix(string(got), `"requests":1}`) || len(st.Keys) != 2 || st.Keys[1].KID != k.KID {
		t.Errorf("state\n%s\nwant prefix\n%s", got, want)
	}
	must(e.client.Reset(ctx))
	st, err = e.client.State(ctx)
	must(err)
	got, _ = json.Marshal(st)
	want = `{"skew":"0s","failures":[],"tampers":[],"logins":[],"claims":[],"revoked":[{"all":true,`
	if !strings.HasPrefix(string(got), want) || !strings.HasSuffix(string(got), `"requests":0}`) || len(st.Keys) != 2 {
		t.Errorf("state after reset (keys and revocations stay)\n%s", got)
	}
	status, _, body := e.raw(http.MethodPost, "reset", "Bearer "+testToken, `{"all":true}`)
	if status != 400 || !strings.Contains(body, "unknown field 'all'") {
		t.Errorf("reset with a body: %d %s", status, body)
	}
	status, _, body = e.raw(http.MethodPost, "reset?x=1", "Bearer "+testToken, "")
	if status != 400 || !strings.Contains(body, "query parameters are not read by POST") {
		t.Errorf("reset with a query: %d %s", status, body)
	}
}
