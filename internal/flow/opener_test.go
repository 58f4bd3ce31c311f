package flow

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeXDGOpen puts an xdg-open on PATH that writes lines to stderr the way
// xdg-open does on a machine without a browser, and exits with code.
func fakeXDGOpen(t *testing.T, code string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the opener on Linux only")
	}
	dir := t.TempDir()
	script := "#!/bin/sh\n" +
		"for b in www-browser links2 elinks links lynx w3m; do echo \"/usr/bin/xdg-open: 882: $b: not found\" >&2; done\n" +
		"echo \"xdg-open: no method available for opening '$1'\" >&2\n" +
		"exit " + code + "\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestSystemOpenerKeepsTheOpenersOutput(t *testing.T) {
	fakeXDGOpen(t, "3")
	var stderr bytes.Buffer
	err := SystemOpener{Getenv: func(string) string { return "" }, Stderr: &stderr}.Open("http://127.0.0.1:1/authorize?state=x")
	if err == nil {
		t.Fatal("a failing opener reported success")
	}
	want := "exit status 3: /usr/bin/xdg-open: 882: www-browser: not found"
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if stderr.Len() != 0 {
		t.Errorf("the opener's output reached standard error:\n%s", stderr.String())
	}
}

func TestSystemOpenerSuccessSaysNothing(t *testing.T) {
	fakeXDGOpen(t, "0")
	var stderr bytes.Buffer
	if err := (SystemOpener{Getenv: func(string) string { return "" }, Stderr: &stderr}).Open("http://127.0.0.1:1/"); err != nil {
		t.Fatalf("err = %v", err)
	}
	if stderr.Len() != 0 {
		t.Errorf("the opener's output reached standard error:\n%s", stderr.String())
	}
}

// A line an opener prints is shown escaped: it cannot drive the terminal.
func TestFirstLineIsSafe(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\n  \n\x1b]0;title\x07 not found\u202e\nsecond\n"); err != nil {
		t.Fatal(err)
	}
	got := firstLine(f, 40)
	if want := `\u001b]0;title\u0007 not found\u202e`; got != want {
		t.Errorf("firstLine = %q, want %q", got, want)
	}
	if strings.Contains(got, "second") {
		t.Error("more than the first line")
	}
}
