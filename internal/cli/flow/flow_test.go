package flow

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
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

func TestWriteToken(t *testing.T) {
	obj, err := flow.ParseObject([]byte(`{"access_token":"AT","token_type":"Bearer","expires_in":60,"refresh_token":"it's"}`))
	if err != nil {
		t.Fatal(err)
	}
	tr := &flow.TokenResponse{Raw: obj, AccessToken: "AT", TokenType: "Bearer", RefreshToken: "it's",
		ExpiresAt: time.Date(2026, 11, 23, 12, 1, 0, 0, time.UTC)}
	tests := []struct{ format, want string }{
		{"json", "{\n  \"access_token\": \"AT\",\n  \"token_type\": \"Bearer\",\n  \"expires_in\": 60,\n  \"refresh_token\": \"it's\",\n  \"expires_at\": \"2026-11-23T12:01:00Z\"\n}\n"},
		{"token", "AT\n"},
		{"header", "Authorization: Bearer AT\n"},
		{"env", "export OAUTHKIT_ACCESS_TOKEN='AT'\nexport OAUTHKIT_TOKEN_TYPE='Bearer'\nexport OAUTHKIT_REFRESH_TOKEN='it'\\''s'\nexport OAUTHKIT_EXPIRES_AT='2026-11-23T12:01:00Z'\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := WriteToken(&b, tt.format, tr); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("-o %s:\n%s\nwant\n%s", tt.format, b.String(), tt.want)
		}
	}
}

func TestClientCredentialsFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantErr  string
		wantCode int
		check    func(t *testing.T, o *GrantOptions)
	}{
		{name: "scopes repeated and space separated", args: []string{"--issuer", "https://as.example", "--client-id", "a", "--scope", "read write", "--scope", "admin", "--scope", "read", "--param", "k=v=w", "--resource", "https://api1", "--resource", "https://api2"},
			check: func(t *testing.T, o *GrantOptions) {
				g := o.Grant()
				if !reflect.DeepEqual(g.Scopes, []string{"read", "write", "admin"}) || g.Extra.Get("k") != "v=w" || len(g.Resources) != 2 {
					t.Errorf("grant %+v", g)
				}
				if o.Timeout != 30*time.Second || o.Output != "json" {
					t.Errorf("defaults: timeout %s, output %s", o.Timeout, o.Output)
				}
			}},
		{name: "no client id", args: []string{"--issuer", "https://as.example"}, wantErr: "--client-id is required", wantCode: 2},
		{name: "no server", args: []string{"--client-id", "a"}, wantErr: "name the server: --issuer URL", wantCode: 2},
		{name: "plain http remote", args: []string{"--client-id", "a", "--token-url", "http://as.example/token"}, wantErr: "uses plain http to a host that is not loopback", wantCode: 2},
		{name: "insecure allows it", args: []string{"--client-id", "a", "--token-url", "http://as.example/token", "--insecure"}},
		{name: "bad auth method", args: []string{"--client-id", "a", "--issuer", "https://as", "--auth-method", "jwt"}, wantErr: `--auth-method: auth method "jwt" is not one of basic, post, none`, wantCode: 2},
		{name: "reserved param", args: []string{"--client-id", "a", "--issuer", "https://as", "--param", "grant_type=password"}, wantErr: "--param grant_type: oauthkit sets this parameter itself", wantCode: 2},
		{name: "bad param", args: []string{"--client-id", "a", "--issuer", "https://as", "--param", "novalue"}, wantErr: `--param "novalue": want name=value`, wantCode: 2},
		{name: "bad output", args: []string{"--client-id", "a", "--issuer", "https://as", "-o", "yaml"}, wantErr: `--output "yaml" is not one of json, token, header, env`, wantCode: 2},
		{name: "positional", args: []string{"x"}, wantErr: "takes no arguments", wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory(nil)
			var got *GrantOptions
			cmd := NewCmdClientCredentials(f, func(o *GrantOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || cmdutil.ExitCode(err) != tt.wantCode {
					t.Fatalf("err = %v (exit %d), want %q (exit %d)", err, cmdutil.ExitCode(err), tt.wantErr, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

// Flags win over the profile; the profile fills the rest; its secret comes
// from the file it names.
func TestProfilePrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "oauthkit", "config.yaml")
	must(t, os.MkdirAll(filepath.Dir(cfg), 0o700))
	must(t, os.WriteFile(cfg, []byte("profiles:\n  dev:\n    token_url: https://as.example/token\n    client_id: from-profile\n    client_secret_file: s.txt\n    scopes: [a, b]\n    auth_method: post\n"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "oauthkit", "s.txt"), []byte("profile-secret\n"), 0o600))
	f, _, _ := testFactory(map[string]string{"XDG_CONFIG_HOME": dir})
	var got *GrantOptions
	cmd := NewCmdClientCredentials(f, func(o *GrantOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--profile", "dev", "--client-id", "from-flag"})
	must(t, cmd.Execute())
	if got.ClientID != "from-flag" || got.TokenURL != "https://as.example/token" || got.AuthMethod != "post" || !reflect.DeepEqual(got.Grant().Scopes, []string{"a", "b"}) {
		t.Errorf("options %+v", got.CommonOptions)
	}
	secret, ok, err := got.Secret()
	if err != nil || !ok || secret != "profile-secret" {
		t.Errorf("secret %q %v %v", secret, ok, err)
	}
	// OAUTHKIT_CLIENT_SECRET beats the profile (flag > env > file)
	f2, _, _ := testFactory(map[string]string{"XDG_CONFIG_HOME": dir, "OAUTHKIT_CLIENT_SECRET": "env-secret"})
	cmd = NewCmdClientCredentials(f2, func(o *GrantOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--profile", "dev"})
	must(t, cmd.Execute())
	if secret, _, _ := got.Secret(); secret != "env-secret" {
		t.Errorf("secret %q, want the environment's", secret)
	}
	cmd = NewCmdClientCredentials(f2, func(o *GrantOptions) error { return nil })
	cmd.SetArgs([]string{"--profile", "prod"})
	if err := cmd.Execute(); err == nil || cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "no such profile") {
		t.Errorf("err = %v", err)
	}
}

func TestAuthcodeFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--print-url", "--exchange", "x"}, "--print-url and --exchange are the two steps"},
		{[]string{"--headless", "--print-url"}, "--headless cannot be combined"},
		{[]string{"--state", "s"}, "--state, --code-verifier and --nonce belong to --exchange (step 2)"},
		{[]string{"--nonce", "n"}, "--state, --code-verifier and --nonce belong to --exchange (step 2)"},
		{[]string{"--leeway", "-1s"}, "--leeway must not be negative, got -1s"},
		{[]string{"--save", "f"}, "--save belongs to --print-url or --exchange"},
		{[]string{"--exchange", "x", "--no-pkce", "--code-verifier", "dBjftJeZ4CVP-mJ92K9oN3wP5G7fQd1m4Zg8oTb6XyQ"}, "contradict"},
		{[]string{"--exchange", "x", "--code-verifier", "short"}, "--code-verifier: code_verifier must be 43 to 128 characters"},
		{[]string{"--print-url", "-o", "token"}, "--print-url writes JSON"},
		{[]string{"--redirect-uri", "http://127.0.0.1:9/cb", "--callback-port", "8"}, "--redirect-uri already names host and port"},
		{[]string{"--response-mode", "fragment"}, `--response-mode "fragment" is not supported here`},
		{[]string{"--timeout", "0s"}, "--timeout must be positive"},
	}
	for _, tt := range tests {
		f, _, _ := testFactory(nil)
		cmd := NewCmdAuthcode(f, func(*AuthcodeOptions) error { return nil })
		cmd.SetArgs(append([]string{"--issuer", "https://as.example", "--client-id", "c"}, tt.args...))
		err := cmd.Execute()
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || cmdutil.ExitCode(err) != 2 {
			t.Errorf("%v: err = %v (exit %d), want %q", tt.args, err, cmdutil.ExitCode(err), tt.wantErr)
		}
	}
	f, _, _ := testFactory(nil)
	var got *AuthcodeOptions
	cmd := NewCmdAuthcode(f, func(o *AuthcodeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--issuer", "https://as.example", "--client-id", "c"})
	must(t, cmd.Execute())
	if got.Timeout != 5*time.Minute || got.CallbackHost != "127.0.0.1" || got.CallbackPort != 0 ||
		got.IDToken.Leeway != 30*time.Second || got.IDToken.NoVerifyIDToken {
		t.Errorf("defaults %+v", got)
	}
	if r, _ := got.twoStepRedirect(); r != "http://127.0.0.1/callback" {
		t.Errorf("two-step redirect %q", r)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuthcodeProfileCallback(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "oauthkit", "config.yaml")
	must(t, os.MkdirAll(filepath.Dir(cfg), 0o700))
	must(t, os.WriteFile(cfg, []byte("profiles:\n  dev:\n    issuer: https://as.example\n    client_id: c\n    callback_port: 8250\n"), 0o600))
	for _, tt := range []struct {
		args []string
		port int
	}{{nil, 8250}, {[]string{"--callback-port", "9000"}, 9000}} {
		f, _, _ := testFactory(map[string]string{"XDG_CONFIG_HOME": dir})
		var got *AuthcodeOptions
		cmd := NewCmdAuthcode(f, func(o *AuthcodeOptions) error { got = o; return nil })
		cmd.SetArgs(append([]string{"--profile", "dev"}, tt.args...))
		must(t, cmd.Execute())
		if got.CallbackPort != tt.port || got.Issuer != "https://as.example" {
			t.Errorf("%v: port %d issuer %q, want %d", tt.args, got.CallbackPort, got.Issuer, tt.port)
		}
	}
}
