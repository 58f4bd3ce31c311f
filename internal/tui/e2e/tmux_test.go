package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestFlowProgressInTmux runs `oauthkit flow authcode` in a real 80x24
// terminal (tmux) against `oauthkit serve` and reads what a person sees.
func TestFlowProgressInTmux(t *testing.T) {
	tm := startTmux(t)
	bin := buildOauthkit(t)
	issuer := startServe(t, bin, "--auto-approve", "demo")
	headless := []string{"flow", "authcode", "--issuer", issuer, "--client-id", "oauthkit-demo-public",
		"--headless", "--scope", "openid profile", "-o", "token"}

	t.Run("stdout to a file: the view closes by itself, the whole summary stays", func(t *testing.T) {
		run := newRun(t, bin, headless, "tok.txt")
		tm.session("file", run.script)
		var all string
		waitFor(t, "the summary and the exit status", func() (bool, string) {
			all = tm.screen("file", true)
			return strings.Contains(all, "\nToken\n") && run.exited(), all
		})
		if got := run.exitLine(); got != "EXIT=0" {
			t.Fatalf("%s, want EXIT=0; terminal:\n%s", got, all)
		}
		// The summary is taller than the 24-line screen: it is printed as
		// lines after the view, whole, and scrolls like any output.
		if n := strings.Count(all, "oauthkit flow authcode\n"); n != 1 {
			t.Errorf("the title is on the terminal %d times, want once (no frame left behind):\n%s", n, all)
		}
		summary := all[strings.LastIndex(all, "oauthkit flow authcode\n"):]
		if n := strings.Count(summary, "\n"); n <= 24 {
			t.Errorf("the summary is %d lines; this test needs one taller than the screen:\n%s", n, summary)
		}
		for _, want := range []string{
			`^ ✓ discovery      ` + regexp.QuoteMeta(issuer) + `$`,
			`^ ✓ catcher        listening on http://127\.0\.0\.1:\d+/callback$`,
			`^ ✓ browser        none \(--headless: oauthkit follows the redirects\)$`,
			`^ ✓ callback       authorization response received$`,
			`^ ✓ code exchange  tokens received$`,
			`^Token$`,
			`^  type     Bearer$`,
			`^  scopes   openid profile$`,
			`^  expires  in (30m|29m\d+s) \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$`,
			`^Access token claims \(a JWT; not verified here\)$`,
			`^  sub +"demo"$`,
			`^ID token claims \(verified\)$`,
			`^  nonce +"[A-Za-z0-9_-]+"$`,
			`^  aud +"oauthkit-demo-public"$`,
		} {
			if !regexp.MustCompile(`(?m)` + want).MatchString(summary) {
				t.Errorf("no line matches %s in the summary:\n%s", want, summary)
			}
		}
		if strings.Contains(summary, "q/enter done") || strings.Contains(summary, "\x1b") {
			t.Errorf("key help or escape codes left in the summary:\n%q", summary)
		}
		tok, err := os.ReadFile(filepath.Join(run.dir, "tok.txt"))
		if err != nil {
			t.Fatal(err)
		}
		claims := checkJWT(t, string(tok), issuer)
		if t.Failed() {
			return
		}
		if os.Getenv("OAUTHKIT_UPDATE_SCREENSHOTS") == "1" {
			frame := normalizeFrame(t, strings.TrimRight(summary, "\n")+"\n", issuer, claims)
			if err := os.WriteFile(filepath.Join("..", "..", "..", "docs", "images", "flow-progress.txt"), []byte(frame), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote docs/images/flow-progress.txt:\n%s", frame)
		}
	})

	t.Run("stdout to the terminal: the summary waits for q", func(t *testing.T) {
		run := newRun(t, bin, headless, "")
		tm.session("tty", run.script)
		var screen string
		waitFor(t, "the summary with its key help", func() (bool, string) {
			screen = tm.screen("tty", false)
			return strings.Contains(screen, "\n  scopes   openid profile\n") && strings.Contains(screen, "q/enter done"), screen
		})
		time.Sleep(500 * time.Millisecond)
		if run.exited() {
			t.Fatalf("the command ended (%s) before q; the summary must wait; screen:\n%s", run.exitLine(), tm.screen("tty", true))
		}
		if strings.Contains(screen, "eyJ") {
			t.Fatalf("the token is on the screen before q:\n%s", screen)
		}
		tm.run("send-keys", "-t", "tty", "q")
		waitFor(t, "the exit status after q", func() (bool, string) { return run.exited(), tm.screen("tty", true) })
		if got := run.exitLine(); got != "EXIT=0" {
			t.Fatalf("%s after q, want EXIT=0; screen:\n%s", got, tm.screen("tty", true))
		}
		all := tm.screen("tty", true)
		m := regexp.MustCompile(`(?m)^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`).FindString(all)
		if m == "" {
			t.Fatalf("no token line on the terminal after q:\n%s", all)
		}
		checkJWT(t, m+"\n", issuer)
	})

	t.Run("q while waiting for the browser cancels with exit 130", func(t *testing.T) {
		manual := startServe(t, bin) // no --auto-approve: /authorize waits for a person
		run := newRun(t, bin, []string{"flow", "authcode", "--issuer", manual, "--client-id", "oauthkit-demo-public",
			"--no-browser", "--scope", "openid profile", "-o", "token"}, "tok.txt")
		tm.session("cancel", run.script)
		var screen string
		waitFor(t, "the spinner waiting for the authorization response", func() (bool, string) {
			screen = tm.screen("cancel", false)
			return strings.Contains(screen, " waiting        for the authorization response · "), screen
		})
		for _, want := range []string{
			`^ · browser        open the URL above in a browser$`,
			`^ · code exchange$`,
			`^o open the browser again · q cancel$`,
		} {
			if !regexp.MustCompile(`(?m)` + want).MatchString(screen) {
				t.Errorf("no line matches %s on the screen:\n%s", want, screen)
			}
		}
		// The URL is printed above the view, whole: one logical line a
		// person can select (the terminal only wraps it softly).
		all := tm.screen("cancel", true)
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(manual) + `/authorize\?\S*client_id=oauthkit-demo-public\S*$`).MatchString(all) {
			t.Errorf("the authorization URL is not on one line of the terminal:\n%s", all)
		}
		tm.run("send-keys", "-t", "cancel", "q")
		waitFor(t, "the exit status after q", func() (bool, string) { return run.exited(), tm.screen("cancel", true) })
		screen = tm.screen("cancel", false)
		if got := run.exitLine(); got != "EXIT=130" {
			t.Fatalf("%s after q, want EXIT=130; screen:\n%s", got, screen)
		}
		if !regexp.MustCompile(`(?m)^oauthkit: cancelled$`).MatchString(screen) {
			t.Errorf("no \"oauthkit: cancelled\" line:\n%s", screen)
		}
		// One clean line: the view leaves no frozen spinner, no key help and
		// no "cancelled" of its own.
		all = tm.screen("cancel", true)
		if n := strings.Count(all, "cancelled"); n != 1 {
			t.Errorf("\"cancelled\" is on the terminal %d times, want once:\n%s", n, all)
		}
		for _, left := range []string{"waiting        for the authorization response", "q cancel", " ✓ catcher"} {
			if strings.Contains(all, left) {
				t.Errorf("the view's frame is left on the terminal (%q):\n%s", left, all)
			}
		}
		if tok, _ := os.ReadFile(filepath.Join(run.dir, "tok.txt")); len(tok) != 0 {
			t.Errorf("standard output after cancel = %q, want nothing", tok)
		}
	})

	t.Run("q with the default output (JSON) also leaves one line", func(t *testing.T) {
		manual := startServe(t, bin)
		run := newRun(t, bin, []string{"flow", "authcode", "--issuer", manual, "--client-id", "oauthkit-demo-public",
			"--no-browser", "--scope", "openid profile"}, "out.json")
		tm.session("cancel-json", run.script)
		waitFor(t, "the spinner waiting for the authorization response", func() (bool, string) {
			screen := tm.screen("cancel-json", false)
			return strings.Contains(screen, " waiting        for the authorization response · "), screen
		})
		tm.run("send-keys", "-t", "cancel-json", "q")
		waitFor(t, "the exit status after q", func() (bool, string) { return run.exited(), tm.screen("cancel-json", true) })
		all := tm.screen("cancel-json", true)
		if got := run.exitLine(); got != "EXIT=130" {
			t.Fatalf("%s after q, want EXIT=130; terminal:\n%s", got, all)
		}
		// After the URL block, the one line left is the error, not a JSON
		// object spread over several lines.
		after := all[strings.Index(all, "/authorize?"):]
		_, after, _ = strings.Cut(after, "\n")
		if got := strings.TrimSpace(after); got != "oauthkit: cancelled" {
			t.Errorf("after the URL the terminal shows %q, want the one line \"oauthkit: cancelled\"", got)
		}
		if out, _ := os.ReadFile(filepath.Join(run.dir, "out.json")); len(out) != 0 {
			t.Errorf("standard output after cancel = %q, want nothing", out)
		}
	})
}

// flowRun is one command run in a pane: a script that runs it, writes
// "EXIT=<status>" to a file, then keeps the pane open for capture-pane.
type flowRun struct {
	t      *testing.T
	dir    string
	script string
}

// newRun writes the script: bin args [> stdoutFile].
func newRun(t *testing.T, bin string, args []string, stdoutFile string) *flowRun {
	t.Helper()
	dir := t.TempDir()
	var line strings.Builder
	line.WriteString(shellQuote(bin))
	for _, a := range args {
		line.WriteString(" " + shellQuote(a))
	}
	if stdoutFile != "" {
		line.WriteString(" > " + shellQuote(stdoutFile))
	}
	script := fmt.Sprintf("cd %s || exit 1\nexport HOME=%[1]s XDG_CONFIG_HOME=%[1]s/config\n%s\necho \"EXIT=$?\" > exit.txt\nexec sleep 600\n",
		shellQuote(dir), line.String())
	path := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	return &flowRun{t: t, dir: dir, script: path}
}

func (r *flowRun) exited() bool {
	b, err := os.ReadFile(filepath.Join(r.dir, "exit.txt"))
	return err == nil && strings.HasSuffix(string(b), "\n")
}

func (r *flowRun) exitLine() string {
	b, _ := os.ReadFile(filepath.Join(r.dir, "exit.txt"))
	return strings.TrimSpace(string(b))
}

// checkJWT: out is one JWT and a newline, issued by issuer to the demo
// public client with the scopes asked for; it returns the claims.
func checkJWT(t *testing.T, out, issuer string) map[string]any {
	t.Helper()
	if !regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$`).MatchString(out) {
		t.Errorf("token output %q is not one JWT and a newline", out)
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(out, ".")[1])
	if err != nil {
		t.Errorf("token payload: %v", err)
		return nil
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Errorf("token claims: %v", err)
		return nil
	}
	for k, want := range map[string]string{"iss": issuer, "client_id": "oauthkit-demo-public", "scope": "openid profile", "sub": "demo"} {
		if claims[k] != want {
			t.Errorf("token claim %s = %v, want %q", k, claims[k], want)
		}
	}
	return claims
}
