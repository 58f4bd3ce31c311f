package authserver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
)

// Set-up of the device grant tests: the clients tv (public), box
// (confidential) and ci-tv (auto_approve), all with the device_code grant,
// on top of newAzEnv's clients and users.

const boxSecret = "box-secret-0123456789abcdef"

var userCodeRe = regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`)

func newDeviceEnv(t *testing.T, edit ...func(*Settings)) *azEnv {
	t.Helper()
	e := newAzEnv(t, edit...)
	scopes := []string{"openid", "profile", "read", "write"}
	e.addClient(store.Client{ID: "tv", Name: "Living Room TV", AuthMethod: "none", Scopes: scopes,
		GrantTypes: []string{GrantDeviceCode, GrantRefreshToken}})
	e.addClient(store.Client{ID: "box", Name: "Set-top Box", AuthMethod: "client_secret_basic", Scopes: scopes,
		GrantTypes: []string{GrantDeviceCode}, SecretHash: (&hashing.Hasher{}).Hash(boxSecret)})
	e.addClient(store.Client{ID: "ci-tv", Name: "CI device", AuthMethod: "none", Scopes: scopes, AutoApprove: true,
		GrantTypes: []string{GrantDeviceCode, GrantRefreshToken}})
	return e
}

// devResp is a JSON answer of /device_authorization or /token.
type devResp struct {
	azResp
	m map[string]any
}

func (r devResp) s(name string) string { v, _ := r.m[name].(string); return v }

// tokenPost posts form to path as client (secret "" for a public client).
func (e *azEnv) tokenPost(path, client, secret string, form url.Values) devResp {
	e.t.Helper()
	if secret == "" {
		form.Set("client_id", client)
	}
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(client, secret)
	}
	r := e.send(http.DefaultClient, req)
	out := devResp{azResp: r}
	if path == "/revoke" && r.body == "" {
		return out
	}
	if err := json.Unmarshal([]byte(r.body), &out.m); err != nil {
		e.t.Fatalf("%s: status %d, body is not JSON: %q", path, r.status, r.body)
	}
	return out
}

// startDevice asks for a device authorization and checks the answer.
func (e *azEnv) startDevice(client, secret string, kv ...string) (deviceCode, userCode string) {
	e.t.Helper()
	r := e.tokenPost("/device_authorization", client, secret, azForm(kv...))
	if r.status != http.StatusOK {
		e.t.Fatalf("device authorization: status %d: %s", r.status, r.body)
	}
	return r.s("device_code"), r.s("user_code")
}

// poll is one poll of /token with a device code.
func (e *azEnv) poll(client, secret, deviceCode string) devResp {
	e.t.Helper()
	return e.tokenPost("/token", client, secret, url.Values{"grant_type": {GrantDeviceCode}, "device_code": {deviceCode}})
}

// wantOAuthError asserts an RFC 6749 §5.2 error whose description holds want.
func wantDeviceError(t *testing.T, r devResp, status int, code, want string) {
	t.Helper()
	if r.status != status || r.s("error") != code {
		t.Fatalf("status %d error %q (%s), want %d %q", r.status, r.s("error"), r.s("error_description"), status, code)
	}
	// the wire spells § out (RFC 6749 §5.2 allows ASCII only)
	if d := r.s("error_description"); !strings.Contains(d, strings.ReplaceAll(want, "§", "section ")) {
		t.Fatalf("error_description %q lacks %q", d, want)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", r.header.Get("Cache-Control"))
	}
	if _, ok := r.m["access_token"]; ok {
		t.Fatalf("an error answer carries an access token: %s", r.body)
	}
}

// enterCode opens the device page with the env's browser and submits
// typed; it returns the answer to the POST.
func (e *azEnv) enterCode(typed string) azResp {
	e.t.Helper()
	page := e.get("/authorize/device")
	wantPage(e.t, page, http.StatusOK, "Connect a device")
	csrf, _ := formValues(e.t, page.body)
	return e.postForm("/authorize/device", url.Values{"csrf_token": {csrf}, "user_code": {typed}})
}

// deviceRecord reads the stored record of a user code.
func (e *azEnv) deviceRecord(userCode string) store.DeviceCode {
	e.t.Helper()
	code, ok := NormalizeUserCode(userCode)
	if !ok {
		e.t.Fatalf("user code %q does not normalize", userCode)
	}
	d, err := e.st.DeviceCodes().GetByUserCode(context.Background(), e.srv.userCodeHashes(code)[0])
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// approveInBrowser enters the code, signs alice in and allows.
func (e *azEnv) approveInBrowser(userCode string) azResp {
	e.t.Helper()
	r := e.enterCode(userCode)
	r = e.login(r, "alice", alicePass)
	r = e.consent(r, "allow")
	wantPage(e.t, r, http.StatusOK, "Device connected")
	return r
}

func (e *azEnv) advance(d time.Duration) { e.clock.advance(d) }
