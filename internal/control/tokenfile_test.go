package control

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestEnsureTokenFile(t *testing.T) {
	dir := t.TempDir()
	path, tok, err := EnsureTokenFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, TokenFileName) || len(tok) != 43 {
		t.Fatalf("path %s token length %d", path, len(tok))
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o", info.Mode().Perm())
	}
	if got, err := ReadTokenFile(path); err != nil || got != tok {
		t.Errorf("read back %q %v", got, err)
	}
	// A second server on the same state directory shares the token.
	if _, again, err := EnsureTokenFile(dir); err != nil || again != tok {
		t.Errorf("second start: %q %v, want the same token", again, err)
	}
	// One that others could read is replaced.
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, fresh, err := EnsureTokenFile(dir); err != nil || fresh == tok {
			t.Errorf("a world-readable token file was kept: %v", err)
		}
		if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
			t.Errorf("mode after replacing: %04o", info.Mode().Perm())
		}
	}
}

func TestReadTokenFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if tok, err := ReadTokenFile(write("ok", "s3cret-token\r\n")); err != nil || tok != "s3cret-token" {
		t.Errorf("ok: %q %v", tok, err)
	}
	for name, tc := range map[string]struct{ content, want string }{
		"empty":  {"\n", "is empty"},
		"spaces": {"two words", "one line of printable ASCII"},
		"lines":  {"a\nb", "one line of printable ASCII"},
		"big":    {strings.Repeat("a", 5000), "larger than 4096 bytes"},
	} {
		_, err := ReadTokenFile(write(name, tc.content))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), tc.content) && len(tc.content) > 3 {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	if _, err := ReadTokenFile(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("missing: %v", err)
	}
}
