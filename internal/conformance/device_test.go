package conformance

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Rules 77–82: the device authorization grant (RFC 8628), against the
// real binary with its own configuration and a SQLite store.

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

const deviceConfig = `
scopes: {read: Read your data}
clients:
  - id: tv
    name: Living Room TV
    grant_types: [device_code, refresh_token]
    scopes: [openid, read]
  - id: box
    secret: box-s3cret-0123456789
    grant_types: [urn:ietf:params:oauth:grant-type:device_code]
    scopes: [read]
  - id: ci-tv
    grant_types: [device_code]
    scopes: [read]
    auto_approve: true
  - id: web
    secret: web-s3cret-0123456789
    redirect_uris: [https://app.example.test/cb]
    scopes: [read]
users:
  - username: alice
    password: wonderland-pw
`

var (
	asTV  = publicAuth("tv")
	asBox = basicAuth("box", "box-s3cret-0123456789")
)

// startDevice asks for a device authorization and returns the answer.
func startDevice(t *testing.T, s *server, a auth, form url.Values) answer {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	r := s.post(t, "/device_authorization", a, form)
	if r.Status != http.StatusOK || r.str("device_code") == "" {
		t.Fatalf("device authorization: %s", r)
	}
	return r
}

func pollDevice(t *testing.T, s *server, a auth, deviceCode string) answer {
	t.Helper()
	return s.token(t, a, url.Values{"grant_type": {deviceGrant}, "device_code": {deviceCode}})
}

// enterUserCode opens the device page in b and submits typed.
func (b *browser) enterUserCode(t *testing.T, typed string) answer {
	t.Helper()
	page := b.follow(t, b.do(t, http.MethodGet, "/device", nil))
	f := hiddenFields(page)
	if page.Status != http.StatusOK || f.Get("csrf_token") == "" {
		t.Fatalf("no device page: %s", page)
	}
	f.Set("user_code", typed)
	return b.do(t, http.MethodPost, "/authorize/device", f)
}

// approveDevice enters the code, signs alice in and answers the consent
// page with decision; it returns the final page.
func (b *browser) approveDevice(t *testing.T, userCode, decision string) answer {
	t.Helper()
	login := b.follow(t, b.enterUserCode(t, userCode))
	if hiddenFields(login).Get("csrf_token") == "" || !strings.Contains(string(login.Body), "Sign in") {
		t.Fatalf("no login page after the user code: %s", login)
	}
	consent := b.login(t, login)
	if !strings.Contains(string(consent.Body), userCode) {
		t.Errorf("the consent page does not show the user code %s", userCode)
	}
	return b.consent(t, consent, decision)
}

func TestRule77_DeviceAuthorizationRequest(t *testing.T) {
	s := startServer(t, deviceConfig)
	t.Run("public client: the answer of RFC 8628 §3.2", func(t *testing.T) {
		r := startDevice(t, s, asTV, url.Values{"scope": {"openid read"}})
		wantNoStore(t, r)
		if !regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`).MatchString(r.str("user_code")) {
			t.Errorf("user_code %q", r.str("user_code"))
		}
		if len(r.str("device_code")) < 43 {
			t.Errorf("device_code %q is shorter than 256 bits", r.str("device_code"))
		}
		if r.str("verification_uri") != s.url+"/device" || r.str("verification_uri_complete") != s.url+"/device?user_code="+r.str("user_code") {
			t.Errorf("verification URIs %q %q", r.str("verification_uri"), r.str("verification_uri_complete"))
		}
		if r.JSON["expires_in"] != float64(600) || r.JSON["interval"] != float64(5) {
			t.Errorf("expires_in %v interval %v", r.JSON["expires_in"], r.JSON["interval"])
		}
	})
	t.Run("confidential client authenticates", func(t *testing.T) {
		startDevice(t, s, asBox, nil)
		r := s.post(t, "/device_authorization", basicAuth("box", "wrong"), url.Values{})
		wantTokenError(t, r, http.StatusUnauthorized, "invalid_client")
		// a confidential client cannot pass as public
		wantTokenError(t, s.post(t, "/device_authorization", publicAuth("box"), url.Values{}), http.StatusUnauthorized, "invalid_client")
	})
	t.Run("a client without the grant: unauthorized_client", func(t *testing.T) {
		r := s.post(t, "/device_authorization", basicAuth("web", "web-s3cret-0123456789"), url.Values{})
		wantTokenError(t, r, http.StatusBadRequest, "unauthorized_client")
		wantDescription(t, r, "(RFC 8628 §3.1")
		r = s.token(t, basicAuth("web", "web-s3cret-0123456789"), url.Values{"grant_type": {deviceGrant}, "device_code": {"x"}})
		wantTokenError(t, r, http.StatusBadRequest, "unauthorized_client")
	})
	t.Run("a scope beyond the client's: invalid_scope", func(t *testing.T) {
		r := s.post(t, "/device_authorization", asTV, url.Values{"scope": {"read admin"}})
		wantTokenError(t, r, http.StatusBadRequest, "invalid_scope")
		wantDescription(t, r, "(RFC 6749 §3.3)")
	})
	t.Run("the codes are stored hashed", func(t *testing.T) {
		r := startDevice(t, s, asTV, nil)
		raw, err := os.ReadFile(filepath.Join(s.dir, "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		wal, _ := os.ReadFile(filepath.Join(s.dir, "store.db-wal"))
		for _, v := range []string{r.str("device_code"), r.str("user_code"), strings.ReplaceAll(r.str("user_code"), "-", "")} {
			if strings.Contains(string(raw), v) || strings.Contains(string(wal), v) {
				t.Errorf("%q is in the store file in the clear", v)
			}
		}
	})
}

func TestRule78_DeviceCodeReuse(t *testing.T) {
	s := startServer(t, deviceConfig)
	r := startDevice(t, s, asTV, url.Values{"scope": {"openid read"}})
	dc := r.str("device_code")
	if page := newBrowser(t, s).approveDevice(t, r.str("user_code"), "allow"); page.Status != http.StatusOK || !strings.Contains(string(page.Body), "Device connected") {
		t.Fatalf("after allow: %s", page)
	}
	tok := pollDevice(t, s, asTV, dc)
	if tok.Status != http.StatusOK || tok.str("id_token") == "" || tok.str("refresh_token") == "" {
		t.Fatalf("first poll after approval: %s", tok)
	}
	again := pollDevice(t, s, asTV, dc)
	wantTokenError(t, again, http.StatusBadRequest, "invalid_grant")
	wantDescription(t, again, "already used")
	// the grant is a family: revoking its refresh token revokes the access token
	if rv := s.post(t, "/revoke", asTV, url.Values{"token": {tok.str("refresh_token")}}); rv.Status != http.StatusOK {
		t.Fatalf("revoke: %s", rv)
	}
	ui := s.do(t, http.MethodGet, "/userinfo", http.Header{"Authorization": {"Bearer " + tok.str("access_token")}}, nil)
	if ui.Status != http.StatusUnauthorized {
		t.Errorf("userinfo with the access token of a revoked device grant: %s", ui)
	}
}

func TestRule78_DeviceCodeConcurrentPolls(t *testing.T) {
	s := startServer(t, deviceConfig)
	r := startDevice(t, s, asBox, nil)
	newBrowser(t, s).approveDevice(t, r.str("user_code"), "allow")
	const n = 10
	got := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i] = pollDevice(t, s, asBox, r.str("device_code")) })
	}
	wg.Wait()
	wins := 0
	for _, a := range got {
		if a.Status == http.StatusOK {
			wins++
		} else if a.str("error") != "invalid_grant" {
			t.Errorf("a losing poll: %s, want invalid_grant", a)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent polls got tokens, want exactly 1", wins, n)
	}
}

func TestRule78_DeviceCodeOfAnotherClient(t *testing.T) {
	s := startServer(t, deviceConfig)
	r := startDevice(t, s, asTV, url.Values{"scope": {"read"}})
	newBrowser(t, s).approveDevice(t, r.str("user_code"), "allow")
	stolen := pollDevice(t, s, asBox, r.str("device_code"))
	wantTokenError(t, stolen, http.StatusBadRequest, "invalid_grant")
	wantDescription(t, stolen, "issued to another client (RFC 8628 §3.5")
	// nothing changed: the owner polls at once and gets the tokens
	if tok := pollDevice(t, s, asTV, r.str("device_code")); tok.Status != http.StatusOK {
		t.Fatalf("the owner's poll after another client's: %s", tok)
	}
	wantTokenError(t, pollDevice(t, s, asTV, "not-a-device-code"), http.StatusBadRequest, "invalid_grant")
}

func TestRule79_UserCodeBruteForceThrottled(t *testing.T) {
	s := startServer(t, deviceConfig)
	r := startDevice(t, s, asTV, nil)
	wrong := "BCDF-GHJK"
	if wrong == r.str("user_code") {
		wrong = "KJHG-FDCB"
	}
	b := newBrowser(t, s)
	for i := range 5 {
		a := b.enterUserCode(t, wrong)
		if a.Status != http.StatusBadRequest || !strings.Contains(string(a.Body), "That code is not valid") {
			t.Fatalf("wrong code %d: %s", i+1, a)
		}
	}
	a := b.enterUserCode(t, wrong)
	if a.Status != http.StatusTooManyRequests || !strings.Contains(string(a.Body), "Too many wrong codes") {
		t.Fatalf("sixth wrong code: %s, want 429", a)
	}
	if n, err := strconv.Atoi(a.Header.Get("Retry-After")); err != nil || n < 1 {
		t.Errorf("Retry-After %q", a.Header.Get("Retry-After"))
	}
	// the right code is refused too while throttled: a guess tells nothing
	if a := b.enterUserCode(t, r.str("user_code")); a.Status != http.StatusTooManyRequests {
		t.Errorf("right code while throttled: %s, want 429", a)
	}
	// fresh browser sessions from the same address are counted together
	throttled := false
	for range 25 {
		if a := newBrowser(t, s).enterUserCode(t, wrong); a.Status == http.StatusTooManyRequests {
			throttled = true
			break
		}
	}
	if !throttled {
		t.Error("25 wrong codes from one address in fresh sessions were never throttled")
	}
}

func TestRule80_DevicePolling(t *testing.T) {
	s := startServer(t, deviceConfig)
	t.Run("pending, then slow_down grows the interval by 5 s and keeps it", func(t *testing.T) {
		dc := startDevice(t, s, asTV, nil).str("device_code")
		wantTokenError(t, pollDevice(t, s, asTV, dc), http.StatusBadRequest, "authorization_pending")
		for _, want := range []string{"every 10 seconds", "every 15 seconds", "every 20 seconds"} {
			a := pollDevice(t, s, asTV, dc)
			wantTokenError(t, a, http.StatusBadRequest, "slow_down")
			wantDescription(t, a, want)
		}
	})
	t.Run("denied: access_denied", func(t *testing.T) {
		r := startDevice(t, s, asTV, nil)
		page := newBrowser(t, s).approveDevice(t, r.str("user_code"), "deny")
		if page.Status != http.StatusOK || !strings.Contains(string(page.Body), "Access denied") {
			t.Fatalf("after deny: %s", page)
		}
		a := pollDevice(t, s, asTV, r.str("device_code"))
		wantTokenError(t, a, http.StatusBadRequest, "access_denied")
		wantDescription(t, a, "(RFC 8628 §3.5)")
	})
	t.Run("expired: expired_token", func(t *testing.T) {
		own := startServer(t, deviceConfig, "--control") // the clock moves for this server only
		r := startDevice(t, own, asTV, nil)
		ctlClock(t, own, "11m")
		a := pollDevice(t, own, asTV, r.str("device_code"))
		wantTokenError(t, a, http.StatusBadRequest, "expired_token")
		wantDescription(t, a, "device_code has expired")
		if page := newBrowser(t, own).enterUserCode(t, r.str("user_code")); !strings.Contains(string(page.Body), "That code has expired") {
			t.Errorf("the page for an expired code: %s", page)
		}
	})
}

// ctlClock skews the server's clock through the control API.
func ctlClock(t *testing.T, s *server, skew string) {
	t.Helper()
	tok, err := os.ReadFile(filepath.Join(s.dir, "state", "oauthkit", "control-token"))
	if err != nil {
		t.Fatal(err)
	}
	a := s.do(t, http.MethodPost, "/_oauthkit/control/clock", http.Header{"Authorization": {"Bearer " + strings.TrimSpace(string(tok))},
		"Content-Type": {"application/json"}}, strings.NewReader(`{"skew":"`+skew+`"}`))
	if a.Status != http.StatusOK {
		t.Fatalf("ctl clock: %s", a)
	}
}

func TestRule81_VerificationPage(t *testing.T) {
	s := startServer(t, deviceConfig)
	t.Run("verification_uri_complete prefills and waits for the person", func(t *testing.T) {
		r := startDevice(t, s, asTV, nil)
		b := newBrowser(t, s)
		page := b.follow(t, b.do(t, http.MethodGet, "/device?user_code="+url.QueryEscape(r.str("user_code")), nil))
		wantPageHeaders(t, page)
		if !strings.Contains(string(page.Body), `value="`+r.str("user_code")+`"`) || strings.Contains(string(page.Body), "<script") {
			t.Fatalf("prefilled page: %s", page)
		}
		if a := pollDevice(t, s, asTV, r.str("device_code")); a.str("error") != "authorization_pending" {
			t.Fatalf("opening verification_uri_complete decided something: %s", a)
		}
	})
	t.Run("the code form needs the session's CSRF token", func(t *testing.T) {
		r := startDevice(t, s, asTV, nil)
		victim, attacker := newBrowser(t, s), newBrowser(t, s)
		vf := hiddenFields(victim.follow(t, victim.do(t, http.MethodGet, "/device", nil)))
		af := hiddenFields(attacker.follow(t, attacker.do(t, http.MethodGet, "/device", nil)))
		vf.Set("csrf_token", af.Get("csrf_token"))
		vf.Set("user_code", r.str("user_code"))
		if a := victim.do(t, http.MethodPost, "/authorize/device", vf); a.Status != http.StatusForbidden || a.Header.Get("Location") != "" {
			t.Errorf("another session's CSRF token: %s, want 403", a)
		}
	})
	t.Run("the consent page shows for every device code", func(t *testing.T) {
		b := newBrowser(t, s)
		first := startDevice(t, s, asTV, url.Values{"scope": {"read"}})
		b.approveDevice(t, first.str("user_code"), "allow")
		second := startDevice(t, s, asTV, url.Values{"scope": {"read"}})
		next := b.follow(t, b.enterUserCode(t, second.str("user_code")))
		if !strings.Contains(string(next.Body), "Allow access?") || !strings.Contains(string(next.Body), second.str("user_code")) {
			t.Fatalf("a second device code of the same client and scope skipped the consent page: %s", next)
		}
	})
	t.Run("a used code cannot be entered again", func(t *testing.T) {
		r := startDevice(t, s, asTV, nil)
		b := newBrowser(t, s)
		b.approveDevice(t, r.str("user_code"), "allow")
		a := b.enterUserCode(t, r.str("user_code"))
		if a.Status != http.StatusBadRequest || !strings.Contains(string(a.Body), "already used") {
			t.Errorf("a used code entered again: %s", a)
		}
	})
}

func TestRule82_DeviceAutoApprove(t *testing.T) {
	s := startServer(t, deviceConfig)
	r := startDevice(t, s, publicAuth("ci-tv"), nil)
	tok := pollDevice(t, s, publicAuth("ci-tv"), r.str("device_code"))
	if tok.Status != http.StatusOK || tok.str("access_token") == "" || tok.str("scope") != "read" {
		t.Fatalf("first poll of an auto-approved device code: %s", tok)
	}
}
