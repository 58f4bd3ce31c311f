package flow

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// deviceServer is a fake authorization server with RFC 8414 metadata, a
// device authorization endpoint and a token endpoint that answers the
// scripted answers in order (the last repeats).
type deviceServer struct {
	srv       *httptest.Server
	mu        sync.Mutex
	answers   []string
	polls     int
	noDevice  bool
	expiresIn int
}

func newDeviceServer(t *testing.T, answers ...string) *deviceServer {
	t.Helper()
	ds := &deviceServer{answers: answers, expiresIn: 600}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		dev := fmt.Sprintf(`,"device_authorization_endpoint":%q`, ds.srv.URL+"/device_authorization")
		if ds.noDevice {
			dev = ""
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer":%q,"token_endpoint":%q%s}`, ds.srv.URL, ds.srv.URL+"/token", dev)
	})
	mux.HandleFunc("POST /device_authorization", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"device_code":"DC","user_code":"WDJB-MJHT","verification_uri":%q,"verification_uri_complete":%q,"expires_in":%d,"interval":5}`,
			ds.srv.URL+"/device", ds.srv.URL+"/device?user_code=WDJB-MJHT", ds.expiresIn)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		ds.mu.Lock()
		ds.polls++
		a := ds.answers[min(ds.polls, len(ds.answers))-1]
		ds.mu.Unlock()
		if r.PostForm.Get("grant_type") != flow.DeviceCodeGrantType || r.PostForm.Get("device_code") != "DC" {
			a = `{"error":"invalid_request","error_description":"not a device token request"}`
		}
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(a, `"error"`) {
			w.WriteHeader(http.StatusBadRequest)
		}
		_, _ = io.WriteString(w, a)
	})
	ds.srv = httptest.NewServer(mux)
	t.Cleanup(ds.srv.Close)
	return ds
}

type urlOpener struct{ urls []string }

func (o *urlOpener) Open(u string) error { o.urls = append(o.urls, u); return nil }

// deviceRun runs `oauthkit flow device` with args against ds, with a fake
// clock whose sleeps pass at once, the browser replaced by op.
func deviceRun(t *testing.T, ds *deviceServer, op flow.Opener, args ...string) (stdout, stderr string, err error, sleeps []time.Duration) {
	t.Helper()
	f, out, errOut := testFactory(nil)
	now := f.Now()
	var mu sync.Mutex
	f.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	cmd := NewCmdDevice(f, func(o *DeviceOptions) error {
		o.Opener = op
		o.sleep = func(ctx context.Context, d time.Duration) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			now = now.Add(d)
			sleeps = append(sleeps, d)
			return nil
		}
		return runDevice(o)
	})
	cmd.SetArgs(append([]string{"--issuer", ds.srv.URL, "--client-id", "tv"}, args...))
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err = cmd.Execute()
	return out.String(), errOut.String(), err, sleeps
}

const (
	devPending  = `{"error":"authorization_pending","error_description":"not yet (RFC 8628 §3.5)"}`
	devSlowDown = `{"error":"slow_down","error_description":"slower (RFC 8628 §3.5)"}`
	devTokens   = `{"access_token":"AT-device","token_type":"Bearer","expires_in":300,"scope":"read"}`
)

// TestDeviceCommand: the instructions go to standard error (each URL alone
// on its line), the browser opens verification_uri_complete, slow_down is
// told and honoured, and the token alone goes to standard output.
func TestDeviceCommand(t *testing.T) {
	ds := newDeviceServer(t, devPending, devSlowDown, devTokens)
	op := &urlOpener{}
	stdout, stderr, err, sleeps := deviceRun(t, ds, op, "--scope", "read", "-o", "token")
	if err != nil {
		t.Fatalf("%v\nstderr: %s", err, stderr)
	}
	if stdout != "AT-device\n" {
		t.Errorf("stdout %q", stdout)
	}
	want := "On any device, open this URL and enter the code WDJB-MJHT:\n\n" + ds.srv.URL + "/device\n\n" +
		"or open this URL, which carries the code:\n\n" + ds.srv.URL + "/device?user_code=WDJB-MJHT\n\n" +
		"Waiting for approval; the code expires in 10m (2026-11-23T12:10:00Z).\n" +
		"slow_down: polling every 10s now (RFC 8628 §3.5)\n"
	if stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}
	if len(op.urls) != 1 || op.urls[0] != ds.srv.URL+"/device?user_code=WDJB-MJHT" {
		t.Errorf("opened %v", op.urls)
	}
	if fmt.Sprint(sleeps) != "[5s 5s 10s]" {
		t.Errorf("waited %v, want [5s 5s 10s]", sleeps)
	}
}

func TestDeviceCommandFailures(t *testing.T) {
	tests := []struct {
		name     string
		answers  []string
		setup    func(*deviceServer)
		args     []string
		wantErr  string
		wantCode int
	}{
		{name: "denied", answers: []string{devPending, `{"error":"access_denied","error_description":"the user denied the request (RFC 8628 §3.5)"}`},
			wantErr: `token endpoint answered error=access_denied error_description="the user denied the request (RFC 8628 §3.5)" (HTTP 400)`, wantCode: 3},
		{name: "expired at the server", answers: []string{`{"error":"expired_token","error_description":"the device code expired (RFC 8628 §3.5)"}`},
			wantErr: "the device code expired before it was approved: token endpoint answered error=expired_token", wantCode: 5},
		{name: "expired on the client's clock", answers: []string{devPending}, setup: func(ds *deviceServer) { ds.expiresIn = 30 },
			wantErr: "the device code expired at 2026-11-23T12:00:30Z before it was approved (expires_in, RFC 8628 §3.2)", wantCode: 5},
		{name: "no device endpoint in the metadata", answers: []string{devTokens}, setup: func(ds *deviceServer) { ds.noDevice = true },
			wantErr: "the server's metadata has no device_authorization_endpoint (RFC 8628 §4)", wantCode: 2},
		{name: "bad --device-authorization-url", answers: []string{devTokens}, args: []string{"--device-authorization-url", "ftp://x/device"},
			wantErr: `--device-authorization-url "ftp://x/device" is not an absolute http or https URL`, wantCode: 2},
		{name: "openid without a JWKS to verify the ID token", answers: []string{devTokens}, args: []string{"--scope", "openid"},
			wantErr: "jwks", wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := newDeviceServer(t, tt.answers...)
			if tt.setup != nil {
				tt.setup(ds)
			}
			stdout, _, err, _ := deviceRun(t, ds, nil, append([]string{"--no-browser", "-o", "env"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || cmdutil.ExitCode(err) != tt.wantCode {
				t.Fatalf("err = %v (exit %d), want %q (exit %d)", err, cmdutil.ExitCode(err), tt.wantErr, tt.wantCode)
			}
			if strings.Contains(stdout, "OAUTHKIT_ACCESS_TOKEN") {
				t.Errorf("stdout %q", stdout)
			}
		})
	}
}

// TestDeviceCommandDeviceURLFlag: --device-authorization-url and
// --token-url without discovery.
func TestDeviceCommandDeviceURLFlag(t *testing.T) {
	ds := newDeviceServer(t, devTokens)
	f, out, _ := testFactory(nil)
	cmd := NewCmdDevice(f, func(o *DeviceOptions) error {
		o.sleep = func(context.Context, time.Duration) error { return nil }
		return runDevice(o)
	})
	cmd.SetArgs([]string{"--device-authorization-url", ds.srv.URL + "/device_authorization", "--token-url", ds.srv.URL + "/token",
		"--client-id", "tv", "--no-browser", "-o", "header"})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "Authorization: Bearer AT-device\n" {
		t.Errorf("stdout %q", out)
	}
}

// TestDeviceWithProgress: on a terminal the header (code, URLs, QR code)
// is printed above the view, and the summary stays once it is closed.
func TestDeviceWithProgress(t *testing.T) {
	ds := newDeviceServer(t, devPending, devTokens)
	o, errOut := progressEnv(t)
	keys, wait := enterOnSummary(t, o, errOut)
	defer wait()
	d := &DeviceOptions{CommonOptions: *o, NoBrowser: true, sleep: func(context.Context, time.Duration) error { return nil }}
	c := &flow.Client{HTTP: ds.srv.Client(), Now: o.Factory.Now, ClientID: "tv", AuthMethod: flow.AuthNone,
		Endpoints: flow.Endpoints{Issuer: ds.srv.URL, Token: ds.srv.URL + "/token"}}
	tr, err := d.runWithProgress(context.Background(), c, ds.srv.URL+"/device_authorization", flow.Grant{}, keys, runTeaProgram)
	if err != nil {
		t.Fatal(err)
	}
	if tr.AccessToken != "AT-device" {
		t.Errorf("token %+v", tr)
	}
	got := errOut.String()
	for _, want := range []string{"and enter the code  WDJB-MJHT", "or scan it:", "█▀", "✓ approval       approved (2 polls)", "✓ tokens         received"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q not on stderr:\n%s", want, got)
		}
	}
}

// TestDeviceWithProgressCancel: q in the view while polling cancels the
// grant: ErrCancelled, which is exit 130.
func TestDeviceWithProgressCancel(t *testing.T) {
	ds := newDeviceServer(t, devPending)
	o, errOut := progressEnv(t)
	keys, typeKey := io.Pipe()
	defer typeKey.Close()
	go func() {
		if errOut.waitFor(t, "poll 1") {
			_, _ = typeKey.Write([]byte("q"))
		}
	}()
	polled := make(chan struct{}, 100)
	d := &DeviceOptions{CommonOptions: *o, NoBrowser: true, sleep: func(ctx context.Context, dur time.Duration) error {
		select {
		case polled <- struct{}{}:
		default:
		}
		if len(polled) > 1 { // after the first poll: wait like a real timer
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}}
	c := &flow.Client{HTTP: ds.srv.Client(), Now: o.Factory.Now, ClientID: "tv", AuthMethod: flow.AuthNone,
		Endpoints: flow.Endpoints{Issuer: ds.srv.URL, Token: ds.srv.URL + "/token"}}
	_, err := d.runWithProgress(context.Background(), c, ds.srv.URL+"/device_authorization", flow.Grant{}, keys, runTeaProgram)
	if cmdutil.ExitCode(deviceError(err)) != 130 {
		t.Fatalf("err %v (exit %d), want cancelled (130)", err, cmdutil.ExitCode(deviceError(err)))
	}
}
