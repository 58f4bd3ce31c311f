package flow

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/tui/wizard"
)

// tokenServer answers client_credentials at /token for cli:s3cret only.
func tokenServer(t *testing.T) (string, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id, secret, _ := r.BasicAuth()
		mu.Lock()
		seen = append(seen, id+":"+secret+" "+r.PostForm.Encode())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if id != "cli" || secret != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		_, _ = w.Write([]byte(`{"access_token":"AT-wizard","token_type":"Bearer","expires_in":60,"scope":"read"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/token", &seen
}

// wizardEnv is a terminal (stdin, stderr) with keys from a pipe and a
// profile folder of its own.
type wizardEnv struct {
	w      *wizardRun
	out    *bytes.Buffer
	errOut *syncBuffer
	keys   [2]*io.PipeWriter // the questions, then the save question
	config string            // the profile file
}

func newWizardEnv(t *testing.T) *wizardEnv {
	t.Helper()
	dir := t.TempDir()
	f, out, _ := testFactory(map[string]string{"XDG_CONFIG_HOME": dir})
	errOut := &syncBuffer{}
	f.IOStreams.ErrOut = errOut
	f.IOStreams.SetTTY(true, false, true)
	e := &wizardEnv{out: out, errOut: errOut, config: filepath.Join(dir, "oauthkit", "config.yaml")}
	var readers []io.Reader
	for i := range e.keys {
		r, w := io.Pipe()
		t.Cleanup(func() { w.Close() })
		readers, e.keys[i] = append(readers, r), w
	}
	e.w = &wizardRun{f: f, input: func() io.Reader {
		r := readers[0]
		readers = readers[1:]
		return r
	}}
	return e
}

// answer waits for a question of the wizard on the screen, then types.
func (e *wizardEnv) answer(t *testing.T, question, typed string) {
	t.Helper()
	e.typeInto(t, 0, question, typed)
}

// answerSave answers the save question (a form of its own).
func (e *wizardEnv) answerSave(t *testing.T, question, typed string) {
	t.Helper()
	e.typeInto(t, 1, question, typed)
}

func (e *wizardEnv) typeInto(t *testing.T, form int, question, typed string) {
	t.Helper()
	if !e.errOut.waitFor(t, question) {
		t.FailNow()
	}
	if _, err := e.keys[form].Write([]byte(typed)); err != nil {
		t.Fatal(err)
	}
}

// start runs the wizard; the result comes on the channel.
func (e *wizardEnv) start() chan error {
	done := make(chan error, 1)
	go func() { done <- e.w.run(context.Background(), nil) }()
	return done
}

// clientCredentials answers the wizard's questions up to "Run it?":
// client credentials at tokenURL as cli with secret and scopes.
func (e *wizardEnv) clientCredentials(t *testing.T, tokenURL, secret, scopes string) {
	t.Helper()
	e.answer(t, "? Which grant?", "2")
	e.answer(t, "? Issuer URL", "\r")
	e.answer(t, "? Token endpoint URL", tokenURL+"\r")
	e.answer(t, "? Client ID", "cli\r")
	e.answer(t, "? Client secret", secret+"\r")
	e.answer(t, "? Scopes", scopes+"\r")
}

// The whole wizard: client credentials against a token endpoint, the
// secret typed, then saved as a profile with an environment variable.
func TestWizardRunsAndSavesProfile(t *testing.T) {
	tokenURL, seen := tokenServer(t)
	e := newWizardEnv(t)
	done := e.start()
	e.clientCredentials(t, tokenURL, "s3cret", "read")
	e.answer(t, "the same as: OAUTHKIT_CLIENT_SECRET=… oauthkit flow client-credentials", "\r")
	e.answerSave(t, "? Save these answers as a profile?", "1")
	e.answerSave(t, "? Profile name", "\x15ci\r") // ctrl+u clears the offered name
	e.answerSave(t, "? Where does the profile find the client secret?", "1")
	e.answerSave(t, "? Environment variable name", "\r")
	if err := <-done; err != nil {
		t.Fatalf("wizard: %v\n%s", err, e.errOut.String())
	}
	if !strings.Contains(e.out.String(), `"access_token": "AT-wizard"`) {
		t.Errorf("stdout:\n%s", e.out.String())
	}
	if len(*seen) != 1 || (*seen)[0] != "cli:s3cret grant_type=client_credentials&scope=read" {
		t.Errorf("token requests %q", *seen)
	}
	screen := e.errOut.String()
	if strings.Contains(screen, "s3cret") {
		t.Errorf("the secret is on the screen:\n%s", screen)
	}
	for _, want := range []string{"saved profile ci in " + e.config + "\n",
		"the client secret is read from $OAUTHKIT_CI_CLIENT_SECRET (export it first)\n",
		"next time: oauthkit flow client-credentials --profile ci\n"} {
		if !strings.Contains(screen, want) {
			t.Errorf("%q not on the screen:\n%s", want, screen)
		}
	}
	data, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	want := "profiles:\n  ci:\n    token_url: " + tokenURL + "\n    client_id: cli\n    client_secret_env: OAUTHKIT_CI_CLIENT_SECRET\n    scopes:\n      - read\n"
	if string(data) != want {
		t.Errorf("profile file:\n%s\nwant:\n%s", data, want)
	}
}

// The secret kept in a file: 0600, next to the profile file, and the
// profile names it; the secret is not in the profile file.
func TestWizardSavesSecretFile(t *testing.T) {
	tokenURL, _ := tokenServer(t)
	e := newWizardEnv(t)
	done := e.start()
	e.clientCredentials(t, tokenURL, "s3cret", "")
	e.answer(t, "? Run it?", "1")
	e.answerSave(t, "? Save these answers as a profile?", "1")
	e.answerSave(t, "? Profile name", "\x15ci\r")
	e.answerSave(t, "? Where does the profile find the client secret?", "2")
	e.answerSave(t, "? File for the client secret", "\r")
	if err := <-done; err != nil {
		t.Fatalf("wizard: %v\n%s", err, e.errOut.String())
	}
	secretFile := filepath.Join(filepath.Dir(e.config), "ci.secret")
	st, err := os.Stat(secretFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v", st.Mode().Perm())
	}
	if b, _ := os.ReadFile(secretFile); string(b) != "s3cret\n" {
		t.Errorf("secret file %q", b)
	}
	data, _ := os.ReadFile(e.config)
	if strings.Contains(string(data), "s3cret") || !strings.Contains(string(data), "client_secret_file: "+secretFile+"\n") {
		t.Errorf("profile file:\n%s", data)
	}
	// The saved profile works as typed next time.
	p, err := flow.LoadProfile(e.config, "ci")
	if err != nil || p.TokenURL != tokenURL || p.ClientSecretFile != secretFile {
		t.Errorf("load: %v %+v", err, p)
	}
}

// A failing grant: its error and exit code, and no offer to save.
func TestWizardGrantFails(t *testing.T) {
	tokenURL, _ := tokenServer(t)
	e := newWizardEnv(t)
	done := e.start()
	e.clientCredentials(t, tokenURL, "wrong", "")
	e.answer(t, "? Run it?", "1")
	err := <-done
	if cmdutil.ExitCode(err) != cmdutil.ExitOAuth || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if strings.Contains(e.errOut.String(), "Save these answers") {
		t.Error("saving was offered after a failure")
	}
	if _, err := os.Stat(e.config); !os.IsNotExist(err) {
		t.Error("a profile file was written")
	}
}

func TestWizardCancel(t *testing.T) {
	e := newWizardEnv(t)
	done := e.start()
	e.answer(t, "? Which grant?", "2")
	e.answer(t, "? Issuer URL", "\x03") // ctrl+c
	if err := <-done; !errors.Is(err, cmdutil.ErrCancelled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
	if e.out.Len() != 0 {
		t.Errorf("stdout after cancel: %q", e.out.String())
	}
	// The error is the one "cancelled" line (printed by the caller); the
	// form says nothing of its own.
	if strings.Contains(e.errOut.String(), "cancelled") {
		t.Errorf("the wizard wrote its own \"cancelled\":\n%q", e.errOut.String())
	}
}

// Without a terminal: the usual usage error, exit 2; an unknown grant too.
func TestWizardNeedsTerminal(t *testing.T) {
	for _, tty := range [][2]bool{{false, true}, {true, false}, {false, false}} {
		f, _, _ := testFactory(nil)
		f.IOStreams.SetTTY(tty[0], true, tty[1])
		err := (&wizardRun{f: f}).run(context.Background(), nil)
		if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "name a grant: oauthkit flow authcode|client-credentials|password|implicit|refresh") {
			t.Errorf("stdin tty %v, stderr tty %v: %v", tty[0], tty[1], err)
		}
	}
	f, _, _ := testFactory(nil)
	f.IOStreams.SetTTY(true, true, true)
	err := (&wizardRun{f: f}).run(context.Background(), []string{"authcod"})
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || err.Error() != `unknown grant "authcod": use authcode, client-credentials, password, implicit or refresh` {
		t.Errorf("unknown grant: %v", err)
	}
}

func TestWizardArgs(t *testing.T) {
	base := &flow.Profile{Issuer: "http://127.0.0.1:8080", Scopes: []string{"read"}, PasswordFile: "/p"}
	tests := []struct {
		name    string
		a       wizard.FlowAnswers
		base    *flow.Profile
		args    []string
		env     map[string]string
		display string
	}{
		{"issuer and secret", wizard.FlowAnswers{Grant: "client-credentials", Issuer: "http://127.0.0.1:8080", ClientID: "c", ClientSecret: "S", Scopes: []string{"openid", "read"}}, nil,
			[]string{"--issuer", "http://127.0.0.1:8080", "--client-id", "c", "--scope", "openid read"}, map[string]string{"OAUTHKIT_CLIENT_SECRET": "S"},
			"OAUTHKIT_CLIENT_SECRET=… oauthkit flow client-credentials --issuer http://127.0.0.1:8080 --client-id c --scope 'openid read'"},
		{"endpoints", wizard.FlowAnswers{Grant: "authcode", AuthorizeURL: "http://127.0.0.1:1/a", TokenURL: "http://127.0.0.1:1/t", ClientID: "pub"}, nil,
			[]string{"--authorize-url", "http://127.0.0.1:1/a", "--token-url", "http://127.0.0.1:1/t", "--client-id", "pub"}, map[string]string{},
			"oauthkit flow authcode --authorize-url http://127.0.0.1:1/a --token-url http://127.0.0.1:1/t --client-id pub"},
		{"profile, emptied answers stay empty", wizard.FlowAnswers{Profile: "p", Grant: "password", TokenURL: "http://127.0.0.1:1/t", ClientID: "c", Username: "al ice", Password: "PW"}, base,
			[]string{"--profile", "p", "--issuer=", "--token-url", "http://127.0.0.1:1/t", "--client-id", "c", "--username", "al ice", "--scope=", "--password-file="},
			map[string]string{"OAUTHKIT_PASSWORD": "PW"},
			"OAUTHKIT_PASSWORD=… oauthkit flow password --profile p --issuer= --token-url http://127.0.0.1:1/t --client-id c --username 'al ice' --scope= --password-file="},
		{"profile, answers as in the profile", wizard.FlowAnswers{Profile: "p", Grant: "client-credentials", Issuer: "http://127.0.0.1:8080", ClientID: "c", Scopes: []string{"read"}},
			&flow.Profile{Issuer: "http://127.0.0.1:8080", ClientID: "c", Scopes: []string{"read"}},
			[]string{"--profile", "p"}, map[string]string{}, "oauthkit flow client-credentials --profile p"},
		{"refresh token", wizard.FlowAnswers{Grant: "refresh", Issuer: "http://127.0.0.1:8080", ClientID: "c", RefreshToken: "RT"}, nil,
			[]string{"--issuer", "http://127.0.0.1:8080", "--client-id", "c", "--refresh-token-file", "-"}, map[string]string{},
			"oauthkit flow refresh --issuer http://127.0.0.1:8080 --client-id c --refresh-token-file FILE"},
	}
	for _, tt := range tests {
		args, env := wizardArgs(tt.a, tt.base)
		if !slices.Equal(args, tt.args) {
			t.Errorf("%s: args %q, want %q", tt.name, args, tt.args)
		}
		if len(env) != len(tt.env) {
			t.Errorf("%s: env %v, want %v", tt.name, env, tt.env)
		}
		for k, v := range tt.env {
			if env[k] != v {
				t.Errorf("%s: env %s = %q, want %q", tt.name, k, env[k], v)
			}
		}
		if got := displayCommand(tt.a, tt.base); got != tt.display {
			t.Errorf("%s: display\n %s\nwant\n %s", tt.name, got, tt.display)
		}
	}
}

func TestNameFromURL(t *testing.T) {
	for in, want := range map[string]string{"http://127.0.0.1:8080": "127.0.0.1-8080", "https://login.example.com/realms/x": "login.example.com",
		"http://[::1]:9000/token": "default", "": "default"} {
		if got := nameFromURL(in); got != want {
			t.Errorf("nameFromURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// The wizard's "same as" command is laid out with \ continuations between
// arguments, never inside one, so it pastes into a shell as it runs.
func TestCommandLines(t *testing.T) {
	long := "https://login.example.com/realms/a-rather-long-realm-name/protocol/openid-connect/token"
	a := wizard.FlowAnswers{Grant: "client-credentials", TokenURL: long, ClientID: "oauthkit-demo", ClientSecret: "S",
		Scopes: []string{"openid", "read", "write"}}
	got := commandLines(commandParts(a, nil), commandWidth)
	want := "OAUTHKIT_CLIENT_SECRET=… oauthkit flow client-credentials \\\n" +
		"    --token-url " + long + " \\\n" +
		"    --client-id oauthkit-demo --scope 'openid read write'"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	// what the shell reads back is the one-line command
	if joined := strings.ReplaceAll(got, " \\\n    ", " "); joined != displayCommand(a, nil) {
		t.Errorf("joined %q\nwant   %q", joined, displayCommand(a, nil))
	}
	short := commandLines(commandParts(wizard.FlowAnswers{Grant: "refresh", Issuer: "http://127.0.0.1:8080", ClientID: "c", RefreshToken: "RT"}, nil), commandWidth)
	if short != "oauthkit flow refresh --issuer http://127.0.0.1:8080 \\\n    --client-id c --refresh-token-file FILE" {
		t.Errorf("short: %q", short)
	}
}

// The typed refresh token reaches the refresh command through its standard
// input, never as --refresh-token: no argv warning, the token sent as typed.
func TestWizardRefreshTokenNotInArgs(t *testing.T) {
	tokenURL, seen := tokenServer(t)
	e := newWizardEnv(t)
	done := e.start()
	e.answer(t, "? Which grant?", "5")
	e.answer(t, "? Issuer URL", "\r")
	e.answer(t, "? Token endpoint URL", tokenURL+"\r")
	e.answer(t, "? Client ID", "cli\r")
	e.answer(t, "? Client secret", "s3cret\r")
	e.answer(t, "? Refresh token", "RT-typed\r")
	e.answer(t, "? Scopes", "\r")
	e.answer(t, "? Run it?", "1")
	e.answerSave(t, "? Save these answers as a profile?", "2")
	if err := <-done; err != nil {
		t.Fatalf("wizard: %v\n%s", err, e.errOut.String())
	}
	if len(*seen) != 1 || (*seen)[0] != "cli:s3cret grant_type=refresh_token&refresh_token=RT-typed" {
		t.Errorf("token requests %q", *seen)
	}
	if screen := e.errOut.String(); strings.Contains(screen, "visible to other users") || strings.Contains(screen, "RT-typed") {
		t.Errorf("argv warning or the token on the screen:\n%s", screen)
	}
}

// Ctrl-C at the save question: the token was printed, so exit 0; one line
// says nothing was saved, and no profile file is written.
func TestWizardCancelAtSave(t *testing.T) {
	tokenURL, _ := tokenServer(t)
	e := newWizardEnv(t)
	done := e.start()
	e.clientCredentials(t, tokenURL, "s3cret", "read")
	e.answer(t, "the same as: OAUTHKIT_CLIENT_SECRET=… oauthkit flow client-credentials", "\r")
	e.answerSave(t, "? Save these answers as a profile?", "\x03")
	if err := <-done; err != nil {
		t.Fatalf("wizard: %v\n%s", err, e.errOut.String())
	}
	if !strings.Contains(e.out.String(), `"access_token": "AT-wizard"`) {
		t.Errorf("stdout:\n%s", e.out.String())
	}
	if got := e.errOut.String(); !strings.HasSuffix(got, "not saved\n") || strings.Contains(got, "cancelled") {
		t.Errorf("stderr does not end with the one line \"not saved\":\n%q", got[max(0, len(got)-300):])
	}
	if _, err := os.Stat(e.config); !os.IsNotExist(err) {
		t.Errorf("a profile file was written (%v)", err)
	}
}
