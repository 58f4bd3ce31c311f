package authserver

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDeviceAuthorizationAnswer(t *testing.T) {
	e := newDeviceEnv(t)
	r := e.tokenPost("/device_authorization", "tv", "", azForm("scope", "openid read"))
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	iss := e.srv.settings.Issuer
	if !userCodeRe.MatchString(r.s("user_code")) {
		t.Errorf("user_code %q is not XXXX-XXXX of the unambiguous alphabet", r.s("user_code"))
	}
	if len(r.s("device_code")) < 43 {
		t.Errorf("device_code %q is shorter than 256 bits", r.s("device_code"))
	}
	if got := r.s("verification_uri"); got != iss+"/device" {
		t.Errorf("verification_uri %q", got)
	}
	if got, want := r.s("verification_uri_complete"), iss+"/device?user_code="+r.s("user_code"); got != want {
		t.Errorf("verification_uri_complete %q, want %q", got, want)
	}
	if r.m["expires_in"] != float64(600) || r.m["interval"] != float64(5) {
		t.Errorf("expires_in %v interval %v, want 600 and 5", r.m["expires_in"], r.m["interval"])
	}
	d := e.deviceRecord(r.s("user_code"))
	if d.Hash == r.s("device_code") || strings.Contains(d.UserCodeHash, strings.ReplaceAll(r.s("user_code"), "-", "")) {
		t.Errorf("codes stored in the clear: %+v", d)
	}
	if d.Scope != "openid read" || d.ClientID != "tv" {
		t.Errorf("stored record %+v", d)
	}

	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		page := e.get(path)
		if !strings.Contains(page.body, `"device_authorization_endpoint":"`+iss+`/device_authorization"`) {
			t.Errorf("%s lacks device_authorization_endpoint: %s", path, page.body)
		}
		if !strings.Contains(page.body, GrantDeviceCode) {
			t.Errorf("%s lacks the device_code grant in grant_types_supported", path)
		}
	}
}

func TestDeviceAuthorizationRefusals(t *testing.T) {
	e := newDeviceEnv(t)
	wantDeviceError(t, e.tokenPost("/device_authorization", "spa", "", url.Values{}), 400, "unauthorized_client", "not registered for the device_code grant (RFC 8628 §3.1")
	wantDeviceError(t, e.tokenPost("/device_authorization", "tv", "", azForm("scope", "admin")), 400, "invalid_scope", "'admin' is not allowed")
	wantDeviceError(t, e.tokenPost("/device_authorization", "box", "wrong-secret", url.Values{}), 401, "invalid_client", "RFC 6749 §5.2")
	wantDeviceError(t, e.tokenPost("/device_authorization", "nobody", "", url.Values{}), 401, "invalid_client", "RFC 6749 §5.2")
	r := e.get("/device_authorization")
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
		t.Errorf("GET: status %d Allow %q", r.status, r.header.Get("Allow"))
	}
	// a device code in the query string is refused, as the secrets of /token are
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/token?device_code=x", strings.NewReader("grant_type="+url.QueryEscape(GrantDeviceCode)+"&client_id=tv&device_code=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if q := e.send(http.DefaultClient, req); q.status != 400 || !strings.Contains(q.body, "device_code must not be sent in the request URI") {
		t.Errorf("device_code in the query: status %d %s", q.status, q.body)
	}
	// the device grant at /token needs the registration too
	wantDeviceError(t, e.tokenPost("/token", "spa", "", azForm("grant_type", GrantDeviceCode, "device_code", "x")), 400, "unauthorized_client", "not registered")
	wantDeviceError(t, e.tokenPost("/token", "tv", "", azForm("grant_type", GrantDeviceCode)), 400, "invalid_request", "device_code is missing (RFC 8628 §3.4)")
}

func TestDeviceApprovedInBrowser(t *testing.T) {
	e := newDeviceEnv(t)
	dc, uc := e.startDevice("tv", "", "scope", "openid profile read")
	wantDeviceError(t, e.poll("tv", "", dc), 400, "authorization_pending", "/device")

	// typed in lower case without the dash
	typed := strings.ToLower(strings.ReplaceAll(uc, "-", ""))
	r := e.enterCode(typed)
	r = e.login(r, "alice", alicePass)
	if !strings.HasPrefix(r.location(), "/authorize/consent?request=") {
		t.Fatalf("after login: status %d Location %q", r.status, r.location())
	}
	page := e.get(r.location())
	wantPage(t, page, http.StatusOK, "Living Room TV", uc, "<code>read</code>")
	if strings.Contains(page.body, "Your answer is sent to") {
		t.Error("the consent page of a device request names a redirect URI")
	}
	r = e.consent(r, "allow")
	wantPage(t, r, http.StatusOK, "Device connected")

	e.advance(5 * time.Second)
	tok := e.poll("tv", "", dc)
	if tok.status != 200 || tok.s("access_token") == "" || tok.s("refresh_token") == "" || tok.s("id_token") == "" {
		t.Fatalf("poll after approval: %d %s", tok.status, tok.body)
	}
	if tok.s("scope") != "openid profile read" || tok.s("token_type") != "Bearer" {
		t.Errorf("token answer %s", tok.body)
	}
	ui := e.bearerGet("/userinfo", tok.s("access_token"))
	if ui.status != 200 || !strings.Contains(ui.body, `"sub":"sub-alice"`) {
		t.Fatalf("userinfo: %d %s", ui.status, ui.body)
	}
	// single use
	e.advance(5 * time.Second)
	wantDeviceError(t, e.poll("tv", "", dc), 400, "invalid_grant", "already used")
	// the grant refreshes, and revoking it kills the access token
	rt := e.tokenPost("/token", "tv", "", azForm("grant_type", "refresh_token", "refresh_token", tok.s("refresh_token")))
	if rt.status != 200 {
		t.Fatalf("refresh: %d %s", rt.status, rt.body)
	}
	rv := e.tokenPost("/revoke", "tv", "", azForm("token", rt.s("refresh_token")))
	if rv.status != 200 {
		t.Fatalf("revoke: %d %s", rv.status, rv.body)
	}
	if ui := e.bearerGet("/userinfo", tok.s("access_token")); ui.status != 401 {
		t.Errorf("access token of a revoked device grant: userinfo status %d", ui.status)
	}
	// the same code cannot be approved again
	again := e.enterCode(uc)
	wantPage(t, again, http.StatusBadRequest, "That code was already used")
}

func TestDeviceDenied(t *testing.T) {
	e := newDeviceEnv(t)
	dc, uc := e.startDevice("box", boxSecret)
	r := e.enterCode(uc)
	r = e.login(r, "alice", alicePass)
	r = e.consent(r, "deny")
	wantPage(t, r, http.StatusOK, "Access denied")
	wantDeviceError(t, e.poll("box", boxSecret, dc), 400, "access_denied", "the user denied the request (RFC 8628 §3.5)")
	e.advance(5 * time.Second)
	wantDeviceError(t, e.poll("box", boxSecret, dc), 400, "access_denied", "RFC 8628 §3.5")
}

func TestDeviceSlowDown(t *testing.T) {
	e := newDeviceEnv(t)
	dc, uc := e.startDevice("tv", "")
	wantDeviceError(t, e.poll("tv", "", dc), 400, "authorization_pending", "every 5 seconds")
	e.advance(2 * time.Second)
	wantDeviceError(t, e.poll("tv", "", dc), 400, "slow_down", "poll at most every 10 seconds from now on (RFC 8628 §3.5)")
	e.advance(6 * time.Second) // enough for 5 s, not for 10 s
	wantDeviceError(t, e.poll("tv", "", dc), 400, "slow_down", "every 15 seconds")
	if got := e.deviceRecord(uc).Interval; got != 15*time.Second {
		t.Fatalf("stored interval %v, want 15s", got)
	}
	e.advance(15 * time.Second)
	wantDeviceError(t, e.poll("tv", "", dc), 400, "authorization_pending", "every 15 seconds")
}

func TestDeviceExpired(t *testing.T) {
	e := newDeviceEnv(t)
	dc, uc := e.startDevice("tv", "")
	e.advance(10 * time.Minute)
	wantDeviceError(t, e.poll("tv", "", dc), 400, "expired_token", "device_code has expired; start a new device authorization (RFC 8628 §3.5)")
	wantPage(t, e.enterCode(uc), http.StatusBadRequest, "That code has expired")
}

func TestDeviceCodeOfAnotherClient(t *testing.T) {
	e := newDeviceEnv(t)
	dc, uc := e.startDevice("tv", "")
	e.approveInBrowser(uc)
	wantDeviceError(t, e.poll("box", boxSecret, dc), 400, "invalid_grant", "unknown, or was issued to another client (RFC 8628 §3.5")
	// it changed nothing: the right client still gets the tokens at once
	if tok := e.poll("tv", "", dc); tok.status != 200 || tok.s("access_token") == "" {
		t.Fatalf("the owner's poll after another client's: %d %s", tok.status, tok.body)
	}
}

func TestDeviceAutoApprove(t *testing.T) {
	t.Run("client auto_approve", func(t *testing.T) {
		e := newDeviceEnv(t)
		if err := e.st.Users().Delete(t.Context(), "bob"); err != nil { // one user: the one approved for
			t.Fatal(err)
		}
		dc, _ := e.startDevice("ci-tv", "", "scope", "openid")
		tok := e.poll("ci-tv", "", dc)
		if tok.status != 200 || tok.s("id_token") == "" {
			t.Fatalf("first poll of an auto-approved device code: %d %s", tok.status, tok.body)
		}
	})
	t.Run("client auto_approve, several users, login_hint", func(t *testing.T) {
		e := newDeviceEnv(t)
		r := e.tokenPost("/device_authorization", "ci-tv", "", url.Values{})
		wantDeviceError(t, r, 400, "invalid_request", "send login_hint=USERNAME")
		dc, _ := e.startDevice("ci-tv", "", "login_hint", "bob", "scope", "openid")
		tok := e.poll("ci-tv", "", dc)
		if tok.status != 200 {
			t.Fatalf("poll: %d %s", tok.status, tok.body)
		}
		if ui := e.bearerGet("/userinfo", tok.s("access_token")); !strings.Contains(ui.body, `"sub":"sub-bob"`) {
			t.Fatalf("userinfo of the token: %d %s, want sub-bob", ui.status, ui.body)
		}
	})
	t.Run("server --auto-approve", func(t *testing.T) {
		e := newDeviceEnv(t, func(s *Settings) { s.AutoApproveUser = "alice" })
		dc, _ := e.startDevice("box", boxSecret)
		if tok := e.poll("box", boxSecret, dc); tok.status != 200 || tok.s("refresh_token") != "" {
			t.Fatalf("poll: %d %s (box has no refresh_token grant)", tok.status, tok.body)
		}
	})
}

func TestDeviceVerificationURIComplete(t *testing.T) {
	e := newDeviceEnv(t)
	_, uc := e.startDevice("tv", "")
	r := e.get("/device?user_code=" + url.QueryEscape(strings.ToLower(uc)))
	if r.status != http.StatusFound || r.location() != "/authorize/device?user_code="+url.QueryEscape(strings.ToLower(uc)) {
		t.Fatalf("verification_uri: status %d Location %q", r.status, r.location())
	}
	page := e.get(r.location())
	// prefilled, normalized, and waiting for the person to confirm
	wantPage(t, page, http.StatusOK, `value="`+uc+`"`, "Check that this is the code your device shows", `<form method="post" action="/authorize/device">`)
	if strings.Contains(page.body, "<script") {
		t.Error("the device page submits itself")
	}
	if d := e.deviceRecord(uc); d.Status != "pending" {
		t.Fatalf("opening verification_uri_complete changed the record: %+v", d)
	}
	// no CSRF token: refused
	resp := e.postForm("/authorize/device", url.Values{"user_code": {uc}})
	wantPage(t, resp, http.StatusForbidden, "CSRF")
}

func TestDeviceUserCodeGuessingThrottled(t *testing.T) {
	e := newDeviceEnv(t)
	_, uc := e.startDevice("tv", "")
	wrong := "BCDF-BCDF"
	if wrong == uc {
		wrong = "GHJK-GHJK"
	}
	for range 5 {
		wantPage(t, e.enterCode(wrong), http.StatusBadRequest, "That code is not valid")
	}
	r := e.enterCode(wrong)
	wantPage(t, r, http.StatusTooManyRequests, "Too many wrong codes", "(RFC 8628 §5.1)")
	wait, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || wait < 1 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// even the right code waits: a guess cannot tell it
	wantPage(t, e.enterCode(uc), http.StatusTooManyRequests, "Too many wrong codes")
	// a malformed code is not a guess and is not counted
	wantPage(t, e.enterCode("0000-0000"), http.StatusBadRequest, "8 letters")
	e.advance(time.Duration(wait) * time.Second)
	r = e.enterCode(uc)
	if !strings.HasPrefix(r.location(), "/authorize/login?request=") {
		t.Fatalf("the right code after the wait: status %d Location %q", r.status, r.location())
	}
	// another browser from the same address is limited by the address count
	other := e.newBrowser()
	for i := 0; i < 30; i++ {
		page := e.getWith(other, "/authorize/device")
		csrf, _ := formValues(t, page.body)
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/authorize/device", strings.NewReader(url.Values{"csrf_token": {csrf}, "user_code": {wrong}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if res := e.send(other, req); res.status == http.StatusTooManyRequests {
			return
		}
		other = e.newBrowser() // a fresh session each time
	}
	t.Fatal("30 wrong codes from one address in fresh sessions were never throttled")
}

func TestDeviceConcurrentPolls(t *testing.T) {
	e := newDeviceEnv(t)
	dc, uc := e.startDevice("tv", "")
	e.approveInBrowser(uc)
	const n = 20
	statuses := make([]devResp, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { statuses[i] = e.poll("tv", "", dc) })
	}
	wg.Wait()
	ok := 0
	for _, r := range statuses {
		switch {
		case r.status == 200:
			ok++
		case r.s("error") != "invalid_grant":
			t.Errorf("a losing poll got %d %s, want invalid_grant", r.status, r.body)
		}
	}
	if ok != 1 {
		t.Fatalf("%d polls got tokens, want exactly 1", ok)
	}
}
