package tokencmd

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

// server answers introspection for the token "live" and revocation with
// the status given; it records the last form.
func server(t *testing.T, revokeStatus int) (*httptest.Server, *string) {
	var last string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		user, pass, _ := r.BasicAuth()
		last = r.URL.Path + " " + user + ":" + pass + " " + r.PostForm.Encode()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/introspect":
			if r.PostForm.Get("token") == "live" {
				w.Write([]byte(`{"active":true,"sub":"alice","exp":1795440000,"scope":"read"}`))
				return
			}
			w.Write([]byte(`{"active":false}`))
		case "/revoke":
			w.WriteHeader(revokeStatus)
			if revokeStatus != 200 {
				w.Write([]byte(`{"error":"unsupported_token_type","error_description":"no"}`))
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &last
}

func run(t *testing.T, args []string, stdin string) (string, string, error) {
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	f := cmdutil.NewFactory(ios, func(k string) string { return map[string]string{"OAUTHKIT_CLIENT_SECRET": "s3cret"}[k] })
	cmd := NewCmdToken(f)
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestIntrospect(t *testing.T) {
	srv, last := server(t, 200)
	common := []string{"--introspect-url", srv.URL + "/introspect", "--client-id", "app"}
	out, _, err := run(t, append([]string{"introspect", "-o", "text", "--token-type-hint", "access_token", "-"}, common...), "live\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "active: true\nsub: alice\nexp: 1795440000\nscope: read\n"; out != want {
		t.Errorf("text output %q, want %q", out, want)
	}
	if want := "/introspect app:s3cret token=live&token_type_hint=access_token"; *last != want {
		t.Errorf("request %q, want %q", *last, want)
	}
	out, _, err = run(t, append([]string{"introspect", "dead"}, common...), "")
	if err != nil || out != "{\n  \"active\": false\n}\n" {
		t.Errorf("inactive: %q, %v", out, err)
	}
}

func TestRevoke(t *testing.T) {
	srv, last := server(t, 200)
	common := []string{"--revoke-url", srv.URL + "/revoke", "--client-id", "app", "--auth-method", "post"}
	out, errOut, err := run(t, append([]string{"revoke", "tok"}, common...), "")
	if err != nil || out != "" || !strings.HasPrefix(errOut, "revoked") {
		t.Errorf("revoke: %q %q %v", out, errOut, err)
	}
	if want := "/revoke : client_id=app&client_secret=s3cret&token=tok"; *last != want {
		t.Errorf("request %q, want %q", *last, want)
	}
	srv2, _ := server(t, 400)
	_, _, err = run(t, []string{"revoke", "tok", "--revoke-url", srv2.URL + "/revoke", "--client-id", "app"}, "")
	if cmdutil.ExitCode(err) != 3 || err.Error() != `revocation endpoint answered error=unsupported_token_type error_description="no" (HTTP 400)` {
		t.Errorf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	_, _, err = run(t, []string{"revoke", "tok", "--revoke-url", srv.URL + "/revoke", "--client-id", "app", "--scope", "x"}, "")
	// --scope is not a flag of revoke (its help does not list it); the root
	// makes the flag error exit 2 (testscript flow_help).
	if err == nil || err.Error() != "unknown flag: --scope" {
		t.Errorf("--scope: err = %v", err)
	}
}
