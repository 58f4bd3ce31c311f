package servetest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeEnv makes the test binary act as a fake `oauthkit serve` (see
// TestMain): its value says what the fake does.
const fakeEnv = "SERVETEST_FAKE"

func TestMain(m *testing.M) {
	switch os.Getenv(fakeEnv) {
	case "":
		os.Exit(m.Run())
	case "serve": // the issuer, a banner line, then wait for a signal
		if len(os.Args) < 2 || os.Args[1] != "serve" {
			fmt.Fprintf(os.Stderr, "fake: args %q, want serve first\n", os.Args[1:])
			os.Exit(2)
		}
		fmt.Println("http://127.0.0.1:1")
		fmt.Fprintln(os.Stderr, "ready; args", strings.Join(os.Args[2:], " "))
		time.Sleep(time.Hour)
	case "fail":
		fmt.Fprintln(os.Stderr, "serve: the configuration is broken")
		os.Exit(3)
	case "silent":
		time.Sleep(time.Hour)
	}
}

func fake(t *testing.T, mode string, extra ...string) Options {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Options{Bin: exe, Env: []string{fakeEnv + "=" + mode}, Args: extra}
}

func TestStartReadsTheIssuerAndStops(t *testing.T) {
	var file strings.Builder
	o := fake(t, "serve", "--addr", "127.0.0.1:0")
	o.Stderr = &lockedBuilder{b: &file}
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	if s.URL != "http://127.0.0.1:1" {
		t.Errorf("URL %q, want the first stdout line http://127.0.0.1:1", s.URL)
	}
	got, err := s.Stderr.WaitFor(func(s string) bool { return strings.Contains(s, "\n") }, s.Done(), 10*time.Second)
	if err != nil || got != "ready; args --addr 127.0.0.1:0\n" {
		t.Errorf("stderr %q (%v), want the fake's banner with the arguments after serve", got, err)
	}
	if s.Exited() {
		t.Fatal("the server exited on its own")
	}
	code, err := s.Stop(syscall.SIGTERM, 10*time.Second)
	if err != nil || code != -1 || !s.Exited() {
		t.Errorf("Stop(SIGTERM) = %d, %v; exited %v; want -1 (death by signal), nil, true", code, err, s.Exited())
	}
	if !strings.Contains(file.String(), "ready;") {
		t.Errorf("Options.Stderr got %q, want the banner too", file.String())
	}
	// Stopping a stopped server only reports its status.
	if code, err := s.Stop(syscall.SIGTERM, time.Second); code != -1 || err != nil {
		t.Errorf("second Stop = %d, %v; want -1, nil", code, err)
	}
}

func TestStartReportsAnEarlyExit(t *testing.T) {
	_, err := Start(fake(t, "fail"))
	if err == nil || !strings.Contains(err.Error(), "exited before printing its issuer") ||
		!strings.Contains(err.Error(), "the configuration is broken") || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("Start = %v; want the early exit, its status and its stderr", err)
	}
}

func TestStartGivesUpWithoutAnIssuer(t *testing.T) {
	o := fake(t, "silent")
	o.StartTimeout = 300 * time.Millisecond
	_, err := Start(o)
	if err == nil || !strings.Contains(err.Error(), "printed no issuer within 300ms") {
		t.Fatalf("Start = %v; want a timeout naming the limit", err)
	}
}

func TestRunKillsAtCleanup(t *testing.T) {
	var s *Server
	t.Run("inner", func(t *testing.T) { s = Run(t, fake(t, "serve")) })
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the server still runs after the test that started it ended")
	}
	if code := s.ExitCode(); code != -1 {
		t.Errorf("exit status %d, want -1 (killed)", code)
	}
}

// lockedBuilder is an io.Writer the child's copier goroutine writes while
// the test reads.
type lockedBuilder struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSourceHashFollowsWhatTheBinaryIsBuiltFrom(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":                    "module github.com/oauthkit/oauthkit\n\ngo 1.26\n",
		"cmd/oauthkit/main.go":      "package main\n\nfunc main() {}\n",
		"cmd/oauthkit/main_test.go": "package main\n",
		"internal/p/tpl/page.html":  "<p>a</p>",
		"internal/p/testdata/x.txt": "x",
		"docs/guide.md":             "guide",
		"README.md":                 "readme",
	})
	hash := func() string {
		t.Helper()
		h, err := SourceHash(root)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	base := hash()
	for _, name := range []string{"cmd/oauthkit/main_test.go", "internal/p/testdata/x.txt", "docs/guide.md", "README.md"} {
		writeFiles(t, root, map[string]string{name: "changed"})
		if h := hash(); h != base {
			t.Errorf("changing %s changed the hash: it does not go into the binary", name)
		}
	}
	for _, name := range []string{"cmd/oauthkit/main.go", "internal/p/tpl/page.html", "go.mod", "go.sum", "internal/q/new.go"} {
		writeFiles(t, root, map[string]string{name: "changed " + name})
		h := hash()
		if h == base {
			t.Errorf("changing %s kept the hash: the binary would be stale", name)
		}
		base = h
	}
}

// A tiny module of the same path stands in for oauthkit: parallel callers
// get one build, a second call is a cache hit, a changed source a new one.
func TestBuildCachedBuildsOnceAndRebuildsOnChange(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	root, cache := t.TempDir(), t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":               "module github.com/oauthkit/oauthkit\n\ngo 1.26\n",
		"cmd/oauthkit/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"one\") }\n",
	})
	var wg sync.WaitGroup
	paths := make([]string, 3)
	errs := make([]error, 3)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = BuildCached(root, cache)
		}()
	}
	wg.Wait()
	for i := range paths {
		if errs[i] != nil || paths[i] != paths[0] {
			t.Fatalf("BuildCached #%d = %q, %v; want %q", i, paths[i], errs[i], paths[0])
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(paths[0]))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "lock oauthkit" {
		t.Errorf("cache entry holds %q, want just the binary and its lock file", names)
	}
	if out, err := exec.Command(paths[0]).Output(); err != nil || string(out) != "one\n" {
		t.Fatalf("built binary printed %q (%v), want one", out, err)
	}
	before, _ := os.Stat(paths[0])
	again, err := BuildCached(root, cache)
	after, _ := os.Stat(again)
	if err != nil || again != paths[0] || !os.SameFile(before, after) {
		t.Errorf("second BuildCached = %q, %v; want the same file, not a rebuild", again, err)
	}
	writeFiles(t, root, map[string]string{
		"cmd/oauthkit/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"two\") }\n",
	})
	changed, err := BuildCached(root, cache)
	if err != nil || changed == paths[0] {
		t.Fatalf("after a change BuildCached = %q, %v; want a new binary", changed, err)
	}
	if out, err := exec.Command(changed).Output(); err != nil || string(out) != "two\n" {
		t.Errorf("rebuilt binary printed %q (%v), want two", out, err)
	}
}

func TestBinaryHonoursOAUTHKIT_BIN(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(BinEnv, exe)
	if got, err := Binary(); err != nil || got != exe {
		t.Errorf("Binary() = %q, %v; want $%s", got, err, BinEnv)
	}
	t.Setenv(BinEnv, filepath.Join(t.TempDir(), "missing"))
	if _, err := Binary(); err == nil || !strings.Contains(err.Error(), "$"+BinEnv) {
		t.Errorf("Binary() with a missing $%s = %v; want an error naming it", BinEnv, err)
	}
}

// The binary under test is built with the suite's tags: under
// `go test -tags openssl` it signs RSA through OpenSSL.
func TestBinaryHasTheSuitesSigner(t *testing.T) {
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv(BinEnv) != "" {
		t.Skipf("$%s names the binary under test", BinEnv)
	}
	out, err := exec.Command(bin, "version", "-o", "json").Output()
	if err != nil {
		t.Fatalf("oauthkit version: %v", err)
	}
	var v struct {
		RSASigner string `json:"rsa_signer"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("oauthkit version -o json: %v: %s", err, out)
	}
	if got, want := strings.Contains(v.RSASigner, "openssl"), BuildTags == "openssl"; got != want {
		t.Fatalf("rsa_signer %q with build tags %q", v.RSASigner, BuildTags)
	}
}
