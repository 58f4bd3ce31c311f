package flow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseProfiles(t *testing.T) {
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"ok", "profiles:\n  dev:\n    issuer: http://127.0.0.1:8080\n    client_id: app\n    client_secret_env: APP_SECRET\n    scopes: [read]\n", ""},
		{"empty file", "", ""},
		{"secret inline", "profiles:\n  dev:\n    client_id: app\n    client_secret: s3cret\n", "f.yaml:4: profiles.dev.client_secret: secrets are not kept in the profile file; use client_secret_file or client_secret_env"},
		{"password inline", "profiles:\n  dev:\n    password: pw\n", "f.yaml:3: profiles.dev.password: secrets are not kept in the profile file"},
		{"unknown key", "profiles:\n  dev:\n    isuer: x\n", `f.yaml:3: profiles.dev: unknown key "isuer" (did you mean "issuer"?)`},
		{"scope for scopes", "profiles:\n  dev:\n    client_id: a\n\n  ci:\n    issuer: https://as\n    scope: read\n", `f.yaml:7: profiles.ci: unknown key "scope" (did you mean "scopes"?)`},
		{"far from any key", "profiles:\n  dev:\n    colour: red\n", `f.yaml:3: profiles.dev: unknown key "colour"`},
		{"unknown top-level key", "profile:\n  dev: {}\n", `f.yaml:1: unknown key "profile" (did you mean "profiles"?)`},
		{"wrong type", "profiles:\n  dev:\n    callback_port: eighty\n", "f.yaml:3: cannot unmarshal !!str `eighty` into int"},
		{"bad indent", "profiles:\n  dev:\n    issuer: a\n   client_id: b\n", "f.yaml:4: "},
		{"bad auth method", "profiles:\n  dev:\n    auth_method: jwt\n", `profiles.dev.auth_method: auth method "jwt" is not one of basic, post, none`},
		{"both secret refs", "profiles:\n  dev:\n    client_secret_file: a\n    client_secret_env: B\n", "give client_secret_file or client_secret_env, not both"},
		{"two documents", "profiles: {}\n---\nprofiles: {}\n", "only one YAML document is allowed"},
		{"empty profile", "profiles:\n  dev:\n", `profile "dev" is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseProfiles("f.yaml", []byte(tt.yaml))
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "not found in type")) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadProfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "oauthkit", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("profiles:\n  dev:\n    client_id: app\n    client_secret_file: secret.txt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ProfilePath(func(k string) string { return map[string]string{"XDG_CONFIG_HOME": dir, "HOME": "/nowhere"}[k] })
	if err != nil || got != path {
		t.Fatalf("ProfilePath = %q, %v", got, err)
	}
	if got, _ := ProfilePath(func(k string) string { return map[string]string{"XDG_CONFIG_HOME": "relative", "HOME": "/home/u"}[k] }); got != "/home/u/.config/oauthkit/config.yaml" {
		t.Errorf("relative XDG_CONFIG_HOME: %q", got)
	}
	p, err := LoadProfile(path, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if p.ClientID != "app" || p.ClientSecretFile != filepath.Join(dir, "oauthkit", "secret.txt") {
		t.Errorf("profile %+v", p)
	}
	if _, err := LoadProfile(path, "prod"); err == nil || err.Error() != "--profile prod: no such profile in "+path {
		t.Errorf("err = %v", err)
	}
	if _, err := LoadProfile(filepath.Join(dir, "none.yaml"), "dev"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("err = %v", err)
	}
}

// A profile name is a plain YAML key, a --profile argument and part of a
// file name.
func TestValidProfileName(t *testing.T) {
	for _, name := range []string{"dev", "a", "Dev-2", "ci.staging_eu", "0", strings.Repeat("x", 64)} {
		if !ValidProfileName(name) {
			t.Errorf("ValidProfileName(%q) = false, want true", name)
		}
	}
	for _, name := range []string{"", ".hidden", "-x", "_x", "a b", "a/b", "../x", "é", "a:b", "x\n", strings.Repeat("x", 65)} {
		if ValidProfileName(name) {
			t.Errorf("ValidProfileName(%q) = true, want false", name)
		}
	}
}
