package serve

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

func TestAutoApproveFlag(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := cmdutil.NewFactory(ios, func(string) string { return "" })
	var got *Options
	cmd := NewCmdServe(f, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--auto-approve", "demo", "--store", "memory"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.AutoApprove != "demo" {
		t.Fatalf("AutoApprove %q", got.AutoApprove)
	}
}

// --auto-approve with a user the store does not have is a usage error that
// lists the users.
func TestAutoApproveUnknownUser(t *testing.T) {
	cfgFile := filepath.Join(t.TempDir(), "oauthkit.yaml")
	cfg := "store: memory\nusers:\n  - {username: ann, password: ann-password}\n  - {username: ben, password: ben-password}\n"
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := iostreams.Test()
	opts := &Options{Factory: cmdutil.NewFactory(ios, func(string) string { return "" }), Addr: "127.0.0.1:0",
		LogFormat: "text", ConfigFile: cfgFile, AutoApprove: "nobody"}
	err := run(context.Background(), opts)
	if err == nil || cmdutil.ExitCode(err) != 2 || err.Error() != "--auto-approve nobody: no such user; the users are: ann, ben" {
		t.Fatalf("err %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

// `serve --auto-approve demo` answers /authorize at once with a code, no
// page and no cookie: what CI uses without a browser.
func TestAutoApproveServe(t *testing.T) {
	issuer, _ := startServe(t, Options{Store: "memory", AutoApprove: "demo"})
	verifier, challenge := randomVerifier(t)
	redirect := "http://127.0.0.1:47000/callback"
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(issuer + "/authorize?" + url.Values{"response_type": {"code"}, "client_id": {"oauthkit-demo-public"},
		"redirect_uri": {redirect}, "state": {"ci"}, "scope": {"openid"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, redirect+"?") || res.Header.Get("Set-Cookie") != "" {
		t.Fatalf("status %d Location %q Set-Cookie %q", res.StatusCode, loc, res.Header.Get("Set-Cookie"))
	}
	u, _ := url.Parse(loc)
	q := u.Query()
	if q.Get("state") != "ci" || q.Get("iss") != issuer {
		t.Fatalf("answer %v", q)
	}
	tok := postToken(t, issuer, url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")},
		"redirect_uri": {redirect}, "client_id": {"oauthkit-demo-public"}, "code_verifier": {verifier}})
	if claims := userinfo(t, issuer, tok["access_token"].(string)); claims["sub"] != "demo" {
		t.Fatalf("userinfo %v", claims)
	}
}
