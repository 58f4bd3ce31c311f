package flow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RemoveProfile drops one profile and keeps the others, their comments and
// the file's mode; a file that does not parse is left alone.
func TestRemoveProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	in := "# my profiles\nprofiles:\n  # the CI one\n  ci:\n    issuer: http://127.0.0.1:8080\n    client_id: ci\n  gone:\n    issuer: http://127.0.0.1:9090\n    client_id: dcr-1\n    registration_client_uri: http://127.0.0.1:9090/register/dcr-1\n    registration_token_file: gone.registration-token\n"
	if err := os.WriteFile(path, []byte(in), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := RemoveProfile(path, "gone"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# my profiles\nprofiles:\n  # the CI one\n  ci:\n    issuer: http://127.0.0.1:8080\n    client_id: ci\n"
	if string(got) != want {
		t.Errorf("file after RemoveProfile:\n%s\nwant:\n%s", got, want)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", st.Mode().Perm())
	}
	if err := RemoveProfile(path, "nonexistent"); err != nil {
		t.Errorf("removing a missing profile: %v", err)
	}
	if err := os.WriteFile(path, []byte("profiles:\n  x:\n    client_secret: nope\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := RemoveProfile(path, "x"); err == nil || !strings.Contains(err.Error(), "not editing a profile file that does not parse") {
		t.Errorf("a broken file: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "profiles:\n  x:\n    client_secret: nope\n" {
		t.Errorf("a broken file was changed: %q", got)
	}
}
