package flow

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	clientcmd "github.com/oauthkit/oauthkit/internal/cli/client"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/oauthkittest"
)

// The wizard with an empty client ID at an issuer that advertises a
// registration_endpoint: it registers a client (RFC 7591) for the grant,
// runs the grant with it, and the saved profile can manage it
// (`oauthkit client show`).
func TestWizardRegistersClient(t *testing.T) {
	srv := oauthkittest.NewServer(t, oauthkittest.WithConfigYAML([]byte("registration: {mode: open}\nscopes: {read: Read your data}\n")))
	e := newWizardEnv(t)
	done := e.start()
	e.answer(t, "? Which grant?", "2")
	e.answer(t, "? Issuer URL", srv.Issuer()+"\r")
	e.answer(t, "empty: register a new client, if the server offers dynamic registration", "\r")
	e.answer(t, "? Scopes", "read\r")
	e.answer(t, "? Run it?", "1")
	e.answerSave(t, "? Save these answers as a profile?", "1")
	e.answerSave(t, "? Profile name", "\x15reg\r")
	e.answerSave(t, "? Where does the profile find the client secret?", "2")
	e.answerSave(t, "? File for the client secret", "\r")
	if err := <-done; err != nil {
		t.Fatalf("wizard: %v\n%s", err, e.errOut.String())
	}
	screen := e.errOut.String()
	if strings.Contains(screen, "? Client secret") {
		t.Errorf("the wizard asked for a secret of a client it registers:\n%s", screen)
	}
	m := regexp.MustCompile(`registered client (dcr-[0-9a-f]{24}) at ` + regexp.QuoteMeta(srv.Issuer()) + `/register \(RFC 7591\)`).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no registration line on the screen:\n%s", screen)
	}
	if !strings.Contains(e.out.String(), `"access_token": "ey`) || !strings.Contains(e.out.String(), `"scope": "read"`) {
		t.Errorf("stdout:\n%s", e.out.String())
	}
	p, err := flow.LoadProfile(e.config, "reg")
	if err != nil {
		t.Fatal(err)
	}
	if p.ClientID != m[1] || p.Issuer != srv.Issuer() || p.RegistrationClientURI != srv.Issuer()+"/register/"+m[1] || p.ClientSecretFile == "" {
		t.Errorf("profile %+v", p)
	}
	for _, f := range []string{p.ClientSecretFile, p.RegistrationTokenFile} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, want a 0600 file", f, err)
		}
	}
	if data, _ := os.ReadFile(e.config); strings.Contains(string(data), readTrim(t, p.RegistrationTokenFile)) {
		t.Error("the registration access token is in the profile file")
	}

	// The saved profile manages the registration (RFC 7592).
	f, out, _ := testFactory(map[string]string{"XDG_CONFIG_HOME": filepath.Dir(filepath.Dir(e.config))})
	cmd := clientcmd.NewCmdClient(f)
	cmd.SetArgs([]string{"show", "--profile", "reg", "-o", "json"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err != nil {
		t.Fatalf("client show --profile reg: %v", err)
	}
	if !strings.Contains(out.String(), `"client_id": "`+m[1]+`"`) || !strings.Contains(out.String(), `"client_name": "oauthkit flow client-credentials"`) {
		t.Errorf("client show:\n%s", out.String())
	}
}

// Without a registration_endpoint an empty client ID is refused with the
// reason; the wizard stays on the question.
func TestWizardNoRegistrationEndpoint(t *testing.T) {
	srv := oauthkittest.NewServer(t)
	e := newWizardEnv(t)
	done := e.start()
	e.answer(t, "? Which grant?", "2")
	e.answer(t, "? Issuer URL", srv.Issuer()+"\r")
	e.answer(t, "? Client ID", "\r")
	e.answer(t, "✗ the client ID is required: the server offers no dynamic registration", "\x03")
	if err := <-done; !errors.Is(err, cmdutil.ErrCancelled) {
		t.Fatalf("wizard: %v, want cancelled\n%s", err, e.errOut.String())
	}
	if strings.Contains(e.errOut.String(), "registered client") {
		t.Error("a client was registered")
	}
}

func readTrim(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(strings.TrimSpace(string(b))) < 20 {
		t.Fatalf("%s: %v %q", path, err, b)
	}
	return strings.TrimSpace(string(b))
}
