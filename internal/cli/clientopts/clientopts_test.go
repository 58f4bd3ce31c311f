package clientopts

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

func testFactory(env map[string]string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	f := cmdutil.NewFactory(ios, func(k string) string { return env[k] })
	f.Now = func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }
	return f, out, errOut
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestNoVerifyWarnsAndOfflineAccessHint(t *testing.T) {
	f, _, errOut := testFactory(nil)
	o := &CommonOptions{Factory: f, ClientID: "c", TokenURL: "https://as.example/token", IDToken: IDTokenOptions{NoVerifyIDToken: true, registered: true},
		changed: func(string) bool { return false }}
	c, err := o.Client(t.Context())
	must(t, err)
	if !c.IDTokens.Skip || !strings.HasPrefix(errOut.String(), "WARNING: --no-verify-id-token: the ID token is NOT verified") {
		t.Errorf("skip %v, stderr %q", c.IDTokens.Skip, errOut)
	}

	tests := []struct {
		scopes []string
		rt     string
		hint   bool
	}{
		{[]string{"openid", "offline_access"}, "", true},
		{[]string{"openid", "offline_access"}, "RT", false},
		{[]string{"openid"}, "", false},
	}
	for _, tt := range tests {
		errOut.Reset()
		OfflineAccessHint(o, flow.Grant{Scopes: tt.scopes}, &flow.TokenResponse{RefreshToken: tt.rt})
		want := ""
		if tt.hint {
			want = "hint: offline_access was asked for but no refresh_token came back; OpenID Connect servers grant it only with prompt=consent (add --param prompt=consent)\n"
		}
		if errOut.String() != want {
			t.Errorf("%v, refresh token %q: stderr %q, want %q", tt.scopes, tt.rt, errOut, want)
		}
	}
}

func TestMapError(t *testing.T) {
	tests := []struct {
		err  error
		code int
	}{
		{&flow.OAuthError{Where: "token endpoint", Code: "invalid_grant"}, 3},
		{&flow.IDTokenError{Msg: "ID token nonce does not match the one sent"}, 3},
		{&flow.NetworkError{Op: "POST x", Err: errors.New("refused")}, 4},
		{&flow.TimeoutError{Op: "waiting"}, 5},
		{flow.ErrCancelled, 130},
		{flow.ErrStateMismatch, 1},
		{cmdutil.UsageErrorf("x"), 2},
	}
	for _, tt := range tests {
		if got := cmdutil.ExitCode(MapError(tt.err)); got != tt.code {
			t.Errorf("%v: exit %d, want %d", tt.err, got, tt.code)
		}
	}
}
