package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testutil/servetest"
)

// Helpers of serve_e2e_test.go: start, stop and talk to a real
// `oauthkit serve` process.

// serveStartTimeout bounds how long a server may take to print its issuer
// (a new store generates an RSA key; the race detector slows that down).
const serveStartTimeout = servetest.DefaultStartTimeout

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer = servetest.LockedBuffer

// serveProc is one running `oauthkit serve`.
type serveProc struct {
	*servetest.Server
	cmd    *exec.Cmd
	url    string // the issuer, from the first line of stdout
	stdout *lockedBuffer
	stderr *lockedBuffer
}

// startServe starts `oauthkit serve --addr 127.0.0.1:0 ARGS...` in dir and
// waits for the issuer line. The process is killed at the end of the test
// if it is still running.
func startServe(t *testing.T, dir string, args ...string) *serveProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := servetest.Run(t, servetest.Options{
		Bin:          exe,
		Argv0:        "oauthkit", // testscript.Main runs the oauthkit command for this name
		Args:         append([]string{"--addr", "127.0.0.1:0"}, args...),
		Dir:          dir,
		Env:          []string{"NO_COLOR=1", "OAUTHKIT_CLIENT_SECRET=", "XDG_STATE_HOME=" + filepath.Join(dir, "state")},
		StartTimeout: serveStartTimeout,
	})
	return &serveProc{Server: p, cmd: p.Cmd, url: p.URL, stdout: p.Stdout, stderr: p.Stderr}
}

// stop sends sig and waits (bounded) for the exit; it returns the exit code
// (-1 when a signal ended the process).
func (p *serveProc) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	code, err := p.Stop(sig, 20*time.Second)
	switch {
	case errors.Is(err, servetest.ErrTimeout):
		t.Fatalf("serve did not exit within 20s of %v", sig)
	case err != nil:
		t.Fatalf("signal %v: %v", sig, err)
	}
	var ee *exec.ExitError
	if waitErr := p.WaitErr(); waitErr != nil && !errors.As(waitErr, &ee) {
		t.Fatalf("waiting for serve: %v", waitErr)
	}
	return code
}

// demoCreds are the zero-config credentials serve saves next to a sqlite store.
type demoCreds struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Username     string `json:"username"`
	Password     string `json:"password"`
}

func readDemoCreds(t *testing.T, path string) demoCreds {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c demoCreds
	if err := json.Unmarshal(data, &c); err != nil || c.ClientSecret == "" || c.Password == "" {
		t.Fatalf("demo credentials %s: %v: %s", path, err, data)
	}
	return c
}

// tokenAnswer is a /token response: the status and the JSON body.
type tokenAnswer struct {
	Status int
	Body   map[string]any
	Raw    string
}

func (a tokenAnswer) str(key string) string {
	s, _ := a.Body[key].(string)
	return s
}

var e2eClient = &http.Client{
	Timeout:   20 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64},
}

// postToken posts form to /token, with HTTP Basic client authentication
// when basic is not nil. It may run in a goroutine (it uses no t.Fatal).
func postToken(t *testing.T, base string, basic *url.Userinfo, form url.Values) tokenAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Error(err)
		return tokenAnswer{}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic != nil {
		secret, _ := basic.Password()
		req.SetBasicAuth(url.QueryEscape(basic.Username()), url.QueryEscape(secret))
	}
	resp, err := e2eClient.Do(req)
	if err != nil {
		t.Errorf("POST /token: %v", err)
		return tokenAnswer{}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("reading /token answer: %v", err)
	}
	a := tokenAnswer{Status: resp.StatusCode, Raw: string(raw)}
	if err := json.Unmarshal(raw, &a.Body); err != nil {
		t.Errorf("/token answered %d with a non-JSON body %q", resp.StatusCode, raw)
	}
	return a
}

func passwordGrant(t *testing.T, base string, c demoCreds) tokenAnswer {
	t.Helper()
	return postToken(t, base, url.UserPassword(c.ClientID, c.ClientSecret), url.Values{
		"grant_type": {"password"}, "username": {c.Username}, "password": {c.Password}})
}

func refreshGrant(t *testing.T, base string, c demoCreds, rt string) tokenAnswer {
	t.Helper()
	return postToken(t, base, url.UserPassword(c.ClientID, c.ClientSecret), url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

// mustRefresh refreshes rt, wants a 200 and returns the new refresh token.
func mustRefresh(t *testing.T, base string, c demoCreds, rt string) string {
	t.Helper()
	a := refreshGrant(t, base, c, rt)
	next := a.str("refresh_token")
	if a.Status != http.StatusOK || next == "" || next == rt {
		t.Fatalf("refresh: %d %s, want 200 with a new refresh token", a.Status, a.Raw)
	}
	return next
}

// wantRefused wants rt to be refused with 400 invalid_grant.
func wantRefused(t *testing.T, base string, c demoCreds, rt, what string) {
	t.Helper()
	a := refreshGrant(t, base, c, rt)
	if a.Status != http.StatusBadRequest || a.str("error") != "invalid_grant" {
		t.Errorf("%s: %d %s, want 400 invalid_grant", what, a.Status, a.Raw)
	}
}

func jwksKIDs(t *testing.T, base string) string {
	t.Helper()
	resp, err := e2eClient.Get(base + "/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/jwks.json: %d %v", resp.StatusCode, err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KID)
	}
	return strings.Join(kids, " ")
}

// bannerCreds reads the demo credentials from the banner on stderr (a
// memory store saves none to a file).
func bannerCreds(t *testing.T, p *serveProc) demoCreds {
	t.Helper()
	deadline := time.Now().Add(serveStartTimeout)
	for !strings.Contains(p.stderr.String(), "\nready;") {
		if time.Now().After(deadline) {
			t.Fatalf("no banner within %s:\n%s", serveStartTimeout, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := demoCreds{ClientID: "oauthkit-demo", Username: "demo"}
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 5 && f[0] == "confidential" && f[3] == "secret":
			c.ClientID, c.ClientSecret = f[2], f[4]
		case len(f) == 4 && f[0] == "user" && f[2] == "password":
			c.Username, c.Password = f[1], f[3]
		}
	}
	if c.ClientSecret == "" || c.Password == "" {
		t.Fatalf("no demo credentials in the banner:\n%s", p.stderr.String())
	}
	return c
}

// runOauthkit runs the oauthkit command in dir and returns its stdout.
func runOauthkit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Args[0] = "oauthkit"
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oauthkit %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// jwtClaims decodes (without verifying) the claims of a JWT.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}
