package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestFlowWizardInTmux drives `oauthkit flow` (no grant: the wizard) in a
// real 80x24 terminal against `oauthkit serve`, key by key, waiting for
// each question before answering it, then checks the token it printed,
// the profiles it saved and that the saved profiles work on their own.
func TestFlowWizardInTmux(t *testing.T) {
	tm := startTmux(t)
	bin := buildOauthkit(t)
	issuer, secret := startServeDemo(t, bin)
	u, err := url.Parse(issuer)
	if err != nil {
		t.Fatal(err)
	}
	// The home the first two runs share: the second starts from the
	// profile the first saved.
	home := t.TempDir()
	cfgDir := filepath.Join(home, "config", "oauthkit")
	cfgPath := filepath.Join(cfgDir, "config.yaml")
	wantDemo := map[string]any{"issuer": issuer, "client_id": "oauthkit-demo",
		"client_secret_env": "OAUTHKIT_DEMO_CLIENT_SECRET", "scopes": []any{"read", "write"}}
	masked := "> " + strings.Repeat("•", len([]rune(secret)))

	t.Run("client credentials, saved with an environment variable", func(t *testing.T) {
		p := startWizard(t, tm, "env", bin, home, secret)
		p.waitLines("the grant question", "? Which grant?",
			"> 1. authcode            sign in through the browser (code + PKCE)",
			"  2. client-credentials  the client on its own behalf",
			"  5. refresh             exchange a refresh token")
		if s := p.screen(); strings.Contains(s, "? Start from a profile?") {
			t.Fatalf("a profile is offered though the profile file does not exist:\n%s", s)
		}
		p.typeText("2")
		p.waitLines("the issuer question", "? Issuer URL", "  grant  client-credentials")
		p.typeText(issuer)
		p.keys("Enter")
		p.waitLines("the client id question", "? Client ID", "  issuer  "+issuer)
		p.typeText("oauthkit-demo")
		p.keys("Enter")
		p.waitLines("the client secret question", "? Client secret",
			"  empty for a public client; it is masked here and never printed")
		p.typeText(secret)
		p.waitLines("the secret typed, masked", masked)
		p.keys("Enter")
		p.waitLines("the scopes question", "? Scopes", "  client secret  •••••• (hidden)")
		p.typeText("read write")
		p.keys("Enter")
		screen := p.waitLines("the run question", "? Run it?", "  scopes         read write", "> 1. run",
			"  2. go back and change an answer")
		// laid out with \ continuations between arguments (noteOf joins the lines)
		want := "the same as: OAUTHKIT_CLIENT_SECRET=… oauthkit flow client-credentials \\ --issuer " + issuer +
			" --client-id oauthkit-demo \\ --scope 'read write'"
		if got := noteOf(screen, "? Run it?"); got != want {
			t.Errorf("the note of the run question:\n%s\nwant:\n%s\nscreen:\n%s", got, want, screen)
		}
		if os.Getenv("OAUTHKIT_UPDATE_SCREENSHOTS") == "1" && !t.Failed() {
			// The frame linked from the README, with a stable issuer.
			frame := strings.ReplaceAll(screen, issuer, screenshotIssuer)
			if err := os.WriteFile(filepath.Join("..", "..", "..", "docs", "images", "flow-wizard.txt"), []byte(frame), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote docs/images/flow-wizard.txt:\n%s", frame)
		}
		p.keys("Enter")
		p.waitLines("the save question", "? Save these answers as a profile?",
			"  next time: oauthkit flow client-credentials --profile NAME", "> 1. yes", "  2. no")
		p.typeText("1")
		// The name offered is the issuer's host and port.
		p.waitLines("the profile name question", "? Profile name", "> "+u.Hostname()+"-"+u.Port())
		p.keys("C-u")
		p.typeText("demo")
		p.keys("Enter")
		p.waitLines("the question where the secret goes", "? Where does the profile find the client secret?",
			"  the secret itself is never written into the profile file",
			"> 1. an environment variable  you export it yourself")
		p.typeText("1")
		p.waitLines("the variable name question", "? Environment variable name", "> OAUTHKIT_DEMO_CLIENT_SECRET")
		p.keys("Enter")
		p.waitLines("the saved profile",
			"  variable       OAUTHKIT_DEMO_CLIENT_SECRET",
			"saved profile demo in "+cfgPath,
			"the client secret is read from $OAUTHKIT_DEMO_CLIENT_SECRET (export it first)",
			"next time: oauthkit flow client-credentials --profile demo")
		p.finish("EXIT=0")

		checkTokenJSON(t, p.stdout(), issuer, "read write")
		checkProfiles(t, cfgPath, secret, map[string]any{"demo": wantDemo})

		// The saved profile on its own: the secret from the variable it names.
		out, errOut, code := runOauthkit(t, bin, home, []string{"OAUTHKIT_DEMO_CLIENT_SECRET=" + secret},
			"flow", "client-credentials", "--profile", "demo", "-o", "token")
		if code != 0 {
			t.Fatalf("flow client-credentials --profile demo: exit %d\n%s", code, errOut)
		}
		checkClientJWT(t, oneJWT(t, out), issuer, "read write")
		// ...and without the variable it is the variable that is missed.
		_, errOut, code = runOauthkit(t, bin, home, nil, "flow", "client-credentials", "--profile", "demo", "-o", "token")
		if want := "oauthkit: profile demo: the environment variable OAUTHKIT_DEMO_CLIENT_SECRET (client_secret_env) is empty\n"; code != 1 || errOut != want {
			t.Errorf("flow client-credentials --profile demo without $OAUTHKIT_DEMO_CLIENT_SECRET: exit %d\n%s\nwant exit 1\n%s", code, errOut, want)
		}
	})

	t.Run("starting from the saved profile, secret saved to a file", func(t *testing.T) {
		if _, err := os.Stat(cfgPath); err != nil {
			t.Skipf("needs the profile the previous subtest saves: %v", err)
		}
		secretFile := filepath.Join(cfgDir, "ci.secret")
		p := startWizard(t, tm, "file", bin, home, secret)
		p.waitLines("the profile question", "? Start from a profile?",
			"> 1. (none)  start from scratch", "  2. demo    "+issuer)
		p.typeText("2")
		p.waitLines("the grant question", "? Which grant?", "  profile  demo",
			"> 1. authcode            sign in through the browser (code + PKCE)")
		p.keys("Down")
		p.waitLines("the second grant selected", "> 2. client-credentials  the client on its own behalf")
		p.keys("Enter")
		// The profile's answers are prefilled.
		p.waitLines("the issuer question, prefilled", "? Issuer URL", "> "+issuer)
		p.keys("Enter")
		p.waitLines("the client id question, prefilled", "? Client ID", "> oauthkit-demo")
		// esc goes back one question, keeping the answer.
		p.keys("Escape")
		p.waitLines("the issuer question again", "? Issuer URL", "> "+issuer, "  grant    client-credentials")
		p.keys("Enter")
		p.waitLines("the client id question again", "? Client ID", "> oauthkit-demo")
		p.keys("Enter")
		p.waitLines("the client secret question", "? Client secret",
			"  empty: the profile's variable $OAUTHKIT_DEMO_CLIENT_SECRET", ">")
		p.typeText(secret)
		p.waitLines("the secret typed, masked", masked)
		p.keys("Enter")
		p.waitLines("the scopes question, prefilled", "? Scopes", "> read write")
		p.keys("Enter")
		screen := p.waitLines("the run question", "? Run it?", "> 1. run")
		// What the profile says is left to it.
		want := "the same as: OAUTHKIT_CLIENT_SECRET=… oauthkit flow client-credentials \\ --profile demo"
		if got := noteOf(screen, "? Run it?"); got != want {
			t.Errorf("the note of the run question:\n%s\nwant:\n%s\nscreen:\n%s", got, want, screen)
		}
		// "go back" returns to the scopes, then on to the same question.
		p.typeText("2")
		p.waitLines("the scopes question after go back", "? Scopes", "> read write")
		p.keys("Enter")
		p.waitLines("the run question again", "? Run it?", "> 1. run")
		p.typeText("1")
		p.waitLines("the save question", "? Save these answers as a profile?", "> 1. yes")
		p.typeText("1")
		// The name offered is the profile's the answers started from.
		p.waitLines("the profile name question", "? Profile name", "> demo")
		p.keys("C-u")
		p.typeText("ci")
		p.keys("Enter")
		p.waitLines("the question where the secret goes", "? Where does the profile find the client secret?",
			"  2. a file                   written now, readable by you alone (0600)")
		p.typeText("2")
		p.waitLines("the secret file question", "? File for the client secret", "> "+secretFile)
		p.keys("Enter")
		p.waitLines("the saved profile",
			"saved profile ci in "+cfgPath,
			"the client secret is in "+secretFile+" (mode 0600)",
			"next time: oauthkit flow client-credentials --profile ci")
		p.finish("EXIT=0")

		checkTokenJSON(t, p.stdout(), issuer, "read write")
		checkMode(t, secretFile)
		if b, err := os.ReadFile(secretFile); err != nil || string(b) != secret+"\n" {
			t.Errorf("%s holds %q (%v), want the secret and a newline", secretFile, b, err)
		}
		checkProfiles(t, cfgPath, secret, map[string]any{"demo": wantDemo, "ci": map[string]any{
			"issuer": issuer, "client_id": "oauthkit-demo", "client_secret_file": secretFile, "scopes": []any{"read", "write"}}})

		out, errOut, code := runOauthkit(t, bin, home, nil, "flow", "client-credentials", "--profile", "ci", "-o", "token")
		if code != 0 {
			t.Fatalf("flow client-credentials --profile ci: exit %d\n%s", code, errOut)
		}
		checkClientJWT(t, oneJWT(t, out), issuer, "read write")
	})

	t.Run("ctrl+c cancels with 130", func(t *testing.T) {
		fresh := t.TempDir()
		p := startWizard(t, tm, "cancel", bin, fresh, secret)
		p.waitLines("the grant question", "? Which grant?")
		p.typeText("2")
		p.waitLines("the issuer question", "? Issuer URL")
		p.typeText("http://127.0.0.1:1")
		p.waitLines("the issuer typed", "> http://127.0.0.1:1")
		p.keys("C-c")
		p.waitLines("the cancelled wizard", "oauthkit: cancelled")
		p.finish("EXIT=130")
		// One clean line: the form leaves nothing of its own.
		if all := p.tm.screen(p.name, true); strings.Count(all, "cancelled") != 1 || strings.Contains(all, "? Issuer URL") {
			t.Errorf("want only the one \"oauthkit: cancelled\" line after ctrl+c:\n%s", all)
		}
		if out := p.stdout(); len(out) != 0 {
			t.Errorf("standard output after ctrl+c = %q, want nothing", out)
		}
		if _, err := os.Lstat(filepath.Join(fresh, "config")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ctrl+c left %s/config behind (%v), want no profile file", fresh, err)
		}
	})
}

// wizardPane is one `oauthkit flow` run in a tmux pane, standard output
// to out.json, with HOME and XDG_CONFIG_HOME in home.
type wizardPane struct {
	t      *testing.T
	tm     *tmuxServer
	name   string
	run    *flowRun
	secret string // must never be on the screen
}

// startWizard starts `oauthkit flow` in a new pane; the script runs in a
// directory of its own (exit.txt, out.json) while home may be shared.
func startWizard(t *testing.T, tm *tmuxServer, name, bin, home, secret string) *wizardPane {
	t.Helper()
	dir := t.TempDir()
	script := fmt.Sprintf("cd %s || exit 1\nexport HOME=%s XDG_CONFIG_HOME=%s\nunset OAUTHKIT_CLIENT_SECRET OAUTHKIT_PASSWORD\n"+
		"%s flow > out.json\necho \"EXIT=$?\" > exit.txt\nexec sleep 600\n",
		shellQuote(dir), shellQuote(home), shellQuote(filepath.Join(home, "config")), shellQuote(bin))
	path := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	tm.session(name, path)
	return &wizardPane{t: t, tm: tm, name: name, run: &flowRun{t: t, dir: dir, script: path}, secret: secret}
}

// screen is the visible pane; a secret on it fails the test at once.
func (p *wizardPane) screen() string {
	p.t.Helper()
	s := p.tm.screen(p.name, false)
	if strings.Contains(s, p.secret) {
		p.t.Fatalf("the client secret is on the screen:\n%s", s)
	}
	return s
}

// waitLines waits until each of lines is a whole line of the screen and
// returns that screen; it gives up early when the command has ended.
func (p *wizardPane) waitLines(what string, lines ...string) string {
	p.t.Helper()
	var screen string
	waitFor(p.t, what, func() (bool, string) {
		screen = p.screen()
		missing := missingLines(screen, lines)
		if len(missing) > 0 && p.run.exited() {
			// The command may have printed its last lines between the
			// capture above and its exit, and tmux may not have drawn
			// them yet: give the pane a moment before giving up.
			for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
				screen = p.screen()
				if missing = missingLines(screen, lines); len(missing) == 0 {
					return true, ""
				}
			}
			p.t.Fatalf("the command ended (%s) before %s; missing %q; screen:\n%s",
				p.run.exitLine(), what, missing, p.tm.screen(p.name, true))
		}
		return len(missing) == 0, fmt.Sprintf("missing %q on the screen:\n%s", missing, screen)
	})
	return screen
}

func missingLines(screen string, lines []string) []string {
	have := map[string]bool{}
	for _, l := range strings.Split(screen, "\n") {
		have[l] = true
	}
	var missing []string
	for _, l := range lines {
		if !have[l] {
			missing = append(missing, l)
		}
	}
	return missing
}

func (p *wizardPane) typeText(s string) { p.tm.run("send-keys", "-t", p.name, "-l", s) }

func (p *wizardPane) keys(keys ...string) {
	p.tm.run(append([]string{"send-keys", "-t", p.name}, keys...)...)
}

// finish waits for the command's end, checks its exit status and that the
// secret is nowhere in the pane's history.
func (p *wizardPane) finish(wantExit string) {
	p.t.Helper()
	waitFor(p.t, "the exit status", func() (bool, string) { return p.run.exited(), p.tm.screen(p.name, true) })
	all := p.tm.screen(p.name, true)
	if got := p.run.exitLine(); got != wantExit {
		p.t.Fatalf("%s, want %s; screen:\n%s", got, wantExit, all)
	}
	if strings.Contains(all, p.secret) {
		p.t.Fatalf("the client secret is in the terminal's history:\n%s", all)
	}
}

func (p *wizardPane) stdout() []byte {
	p.t.Helper()
	b, err := os.ReadFile(filepath.Join(p.run.dir, "out.json"))
	if err != nil {
		p.t.Fatal(err)
	}
	return b
}

// noteOf is the note under the question title on the screen, its lines
// (the wizard wraps them) joined by spaces.
func noteOf(screen, title string) string {
	_, after, ok := strings.Cut(screen, "\n"+title+"\n")
	if !ok {
		return ""
	}
	var words []string
	for _, l := range strings.Split(after, "\n") {
		if !strings.HasPrefix(l, "  ") || strings.HasPrefix(l, "  1. ") || strings.HasPrefix(l, "  2. ") {
			break
		}
		words = append(words, strings.TrimSpace(l))
	}
	return strings.Join(words, " ")
}

// runOauthkit runs bin args without a terminal, with HOME and
// XDG_CONFIG_HOME in home, no OAUTHKIT_* variable but env.
func runOauthkit(t *testing.T, bin, home string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OAUTHKIT_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config")), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return out.String(), errOut.String(), ee.ExitCode()
	case err != nil:
		t.Fatalf("oauthkit %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), 0
}

var jwtLine = regexp.MustCompile(`^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\n$`)

// oneJWT: out is one JWT and a newline; it returns the JWT.
func oneJWT(t *testing.T, out string) string {
	t.Helper()
	m := jwtLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output %q is not one JWT and a newline", out)
	}
	return m[1]
}

// checkTokenJSON: out is the token response as JSON, its access token a
// JWT the issuer gave the demo confidential client for scope.
func checkTokenJSON(t *testing.T, out []byte, issuer, scope string) {
	t.Helper()
	var resp map[string]any
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("standard output is not the token JSON: %v\n%s", err, out)
	}
	keys := make([]string, 0, len(resp))
	for k := range resp {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"access_token", "expires_at", "expires_in", "scope", "token_type"}; !slices.Equal(keys, want) {
		t.Errorf("token JSON fields %v, want %v:\n%s", keys, want, out)
	}
	if resp["token_type"] != "Bearer" || resp["scope"] != scope {
		t.Errorf("token_type %v, scope %v; want Bearer, %q", resp["token_type"], resp["scope"], scope)
	}
	if n, ok := resp["expires_in"].(float64); !ok || n <= 0 {
		t.Errorf("expires_in %v, want a positive number", resp["expires_in"])
	}
	if s, _ := resp["expires_at"].(string); s == "" {
		t.Errorf("expires_at %v, want a time", resp["expires_at"])
	} else if _, err := time.Parse(time.RFC3339, s); err != nil {
		t.Errorf("expires_at: %v", err)
	}
	at, _ := resp["access_token"].(string)
	checkClientJWT(t, at, issuer, scope)
}

// checkClientJWT: jwt was issued by issuer to the demo confidential
// client oauthkit-demo (for itself) with scope.
func checkClientJWT(t *testing.T, jwt, issuer, scope string) {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Errorf("access token %q is not a JWT", jwt)
		return
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Errorf("token payload: %v", err)
		return
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Errorf("token claims: %v", err)
		return
	}
	for k, want := range map[string]string{"iss": issuer, "client_id": "oauthkit-demo", "sub": "oauthkit-demo", "scope": scope} {
		if claims[k] != want {
			t.Errorf("token claim %s = %v, want %q", k, claims[k], want)
		}
	}
}

// checkProfiles: the profile file is readable by its owner alone, does
// not hold the secret and has exactly the profiles want.
func checkProfiles(t *testing.T, path, secret string, want map[string]any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkMode(t, path)
	if bytes.Contains(b, []byte(secret)) {
		t.Errorf("%s holds the client secret:\n%s", path, b)
	}
	var got map[string]any
	if err := yaml.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	if w := map[string]any{"profiles": want}; !reflect.DeepEqual(got, w) {
		t.Errorf("%s:\n%s\nwant the profiles %v", path, b, want)
	}
}

func checkMode(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("%s has mode %#o, want 0600", path, m)
	}
}
