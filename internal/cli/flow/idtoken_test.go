package flow

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// -o json ends with the verified ID token's claims (member order of the
// token kept); the other formats are unchanged, -o env has the raw token.
func TestWriteTokenIDTokenClaims(t *testing.T) {
	obj, err := flow.ParseObject([]byte(`{"access_token":"AT","id_token":"a.b.c","expires_in":60}`))
	if err != nil {
		t.Fatal(err)
	}
	tr := &flow.TokenResponse{Raw: obj, AccessToken: "AT", IDToken: "a.b.c", ExpiresAt: time.Date(2026, 11, 23, 12, 1, 0, 0, time.UTC),
		IDTokenClaims: json.RawMessage(`{"sub":"demo","nonce":"n1","aud":["cli"]}`)}
	tests := []struct{ format, want string }{
		{"json", `{
  "access_token": "AT",
  "id_token": "a.b.c",
  "expires_in": 60,
  "expires_at": "2026-11-23T12:01:00Z",
  "id_token_claims": {
    "sub": "demo",
    "nonce": "n1",
    "aud": [
      "cli"
    ]
  }
}
`},
		{"token", "AT\n"},
		{"env", "export OAUTHKIT_ACCESS_TOKEN='AT'\nexport OAUTHKIT_ID_TOKEN='a.b.c'\nexport OAUTHKIT_EXPIRES_AT='2026-11-23T12:01:00Z'\n"},
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
	// Without verification (--no-verify-id-token) there are no claims.
	tr.IDTokenClaims = nil
	var b bytes.Buffer
	must(t, WriteToken(&b, "json", tr))
	if strings.Contains(b.String(), "id_token_claims") {
		t.Errorf("unverified claims printed:\n%s", b.String())
	}
	// response_type=id_token: no access token to print.
	tr = &flow.TokenResponse{Raw: obj, IDToken: "a.b.c"}
	for _, format := range []string{"token", "header"} {
		err := WriteToken(&b, format, tr)
		if err == nil || err.Error() != "the response has no access token (response type id_token); use -o json or -o env" {
			t.Errorf("-o %s without an access token: %v", format, err)
		}
	}
}

func TestImplicitResponseTypeFlags(t *testing.T) {
	tests := []struct {
		args     []string
		wantErr  string
		wantType string
	}{
		{args: nil, wantType: "token"},
		{args: []string{"--response-type", "id_token token", "--scope", "openid"}, wantType: "id_token token"},
		{args: []string{"--response-type", "id_token", "--scope", "openid profile"}, wantType: "id_token"},
		{args: []string{"--response-type", "code"}, wantErr: `--response-type "code" is not one of token, 'id_token token', id_token`},
		{args: []string{"--response-type", "id_token"}, wantErr: "--response-type id_token asks for an ID token: add --scope openid"},
		{args: []string{"--response-type", "id_token", "--scope", "openid", "-o", "header"}, wantErr: "--response-type id_token returns no access token for -o header; use -o json or -o env"},
		{args: []string{"--leeway", "-5s"}, wantErr: "--leeway must not be negative, got -5s"},
	}
	for _, tt := range tests {
		f, _, _ := testFactory(nil)
		var got *ImplicitOptions
		cmd := NewCmdImplicit(f, func(o *ImplicitOptions) error { got = o; return nil })
		cmd.SetArgs(append([]string{"--issuer", "https://as.example", "--client-id", "c"}, tt.args...))
		err := cmd.Execute()
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr || cmdutil.ExitCode(err) != 2 {
				t.Errorf("%v: err = %v (exit %d), want %q", tt.args, err, cmdutil.ExitCode(err), tt.wantErr)
			}
			continue
		}
		must(t, err)
		if got.ResponseType != tt.wantType {
			t.Errorf("%v: response type %q, want %q", tt.args, got.ResponseType, tt.wantType)
		}
	}
}

// A sign-in whose ID token could not be verified is refused before the
// browser is involved: exit 2, nothing listens, nothing is printed.
func TestSignInNeedsTheIssuer(t *testing.T) {
	endpoints := []string{"--authorize-url", "https://as.example/authorize", "--token-url", "https://as.example/token", "--client-id", "c", "--no-browser", "--timeout", "2s"}
	want := "verifying the ID token needs the issuer: give --issuer (or --no-verify-id-token)"
	for name, cmdFn := range map[string]func(*cmdutil.Factory) *cobra.Command{
		"authcode": func(f *cmdutil.Factory) *cobra.Command { return NewCmdAuthcode(f, nil) },
		"implicit": func(f *cmdutil.Factory) *cobra.Command { return NewCmdImplicit(f, nil) },
	} {
		f, out, errOut := testFactory(nil)
		cmd := cmdFn(f)
		cmd.SetArgs(append(endpoints, "--scope", "openid"))
		err := cmd.Execute()
		if err == nil || err.Error() != want || cmdutil.ExitCode(err) != 2 || out.Len() != 0 || strings.Contains(errOut.String(), "Open this URL") {
			t.Errorf("%s: err %v (exit %d), stdout %q, stderr %q; want %q", name, err, cmdutil.ExitCode(err), out, errOut, want)
		}
	}
}
