package flow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestSaveProfileNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauthkit", "config.yaml")
	p := &Profile{Issuer: "http://127.0.0.1:8080", ClientID: "oauthkit-demo", ClientSecretEnv: "DEMO_SECRET", Scopes: []string{"openid", "read"}}
	if err := SaveProfile(path, "demo", p); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("new profile file mode %v, want 0600", st.Mode().Perm())
	}
	if dst, _ := os.Stat(filepath.Dir(path)); dst.Mode().Perm() != 0o700 {
		t.Errorf("new folder mode %v, want 0700", dst.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	want := "profiles:\n  demo:\n    issuer: http://127.0.0.1:8080\n    client_id: oauthkit-demo\n    client_secret_env: DEMO_SECRET\n    scopes:\n      - openid\n      - read\n"
	if string(data) != want {
		t.Errorf("file:\n%s\nwant:\n%s", data, want)
	}
	got, err := LoadProfile(path, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if got.Issuer != p.Issuer || got.ClientID != p.ClientID || got.ClientSecretEnv != "DEMO_SECRET" || strings.Join(got.Scopes, " ") != "openid read" {
		t.Errorf("loaded back %+v", got)
	}
}

// The rest of the file is kept: other profiles, their comments, the mode.
func TestSaveProfileKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	old := "# my profiles\nprofiles:\n  # the staging server\n  staging:\n    issuer: https://staging.example # not prod\n    client_id: s1\n  demo:\n    issuer: http://127.0.0.1:9999\n    params:\n      prompt: login\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SaveProfile(path, "demo", &Profile{Issuer: "http://127.0.0.1:8080", ClientID: "d"}); err != nil {
		t.Fatal(err)
	}
	if err := SaveProfile(path, "new", &Profile{TokenURL: "http://127.0.0.1:8080/token", ClientID: "nc"}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, w := range []string{"# my profiles", "# the staging server", "issuer: https://staging.example # not prod",
		"demo:\n    issuer: http://127.0.0.1:8080\n    client_id: d\n", "new:\n    token_url: http://127.0.0.1:8080/token\n    client_id: nc\n"} {
		if !strings.Contains(string(data), w) {
			t.Errorf("%q missing from:\n%s", w, data)
		}
	}
	if strings.Contains(string(data), "9999") || strings.Contains(string(data), "prompt") {
		t.Errorf("the replaced profile's old settings are still there:\n%s", data)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode changed to %v", st.Mode().Perm())
	}
	pf, err := ReadProfiles(path)
	if err != nil || len(pf.Profiles) != 3 {
		t.Fatalf("read back: %v, %d profiles", err, len(pf.Profiles))
	}
}

// A file that does not parse is not touched; secrets are refused.
func TestSaveProfileRefuses(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.yaml")
	bad := "profiles:\n  demo:\n    client_secret: hunter2\n"
	if err := os.WriteFile(broken, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	err := SaveProfile(broken, "x", &Profile{ClientID: "x"})
	if err == nil || !strings.Contains(err.Error(), "does not parse") {
		t.Errorf("err = %v", err)
	}
	if data, _ := os.ReadFile(broken); string(data) != bad {
		t.Errorf("the broken file was changed:\n%s", data)
	}
	p := &Profile{ClientID: "x"}
	p.ClientSecret = yaml.Node{Kind: yaml.ScalarNode, Value: "s"}
	fresh := filepath.Join(dir, "fresh.yaml")
	if err := SaveProfile(fresh, "x", p); err == nil {
		t.Error("a profile with a secret was saved")
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Error("a file was written for a refused profile")
	}
}

func TestReadProfilesMissingFile(t *testing.T) {
	pf, err := ReadProfiles(filepath.Join(t.TempDir(), "none.yaml"))
	if err != nil || len(pf.Profiles) != 0 {
		t.Errorf("%v, %+v", err, pf)
	}
}
