package version

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

func execVersion(t *testing.T, args ...string) string {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	cmd := NewCmdVersion(cmdutil.NewFactory(ios, func(string) string { return "" }), nil)
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if _, err := cmd.ExecuteC(); err != nil {
		t.Fatalf("version %v: %v", args, err)
	}
	if errOut.Len() != 0 {
		t.Fatalf("stderr: %q", errOut)
	}
	return out.String()
}

// The signer line names this build's signer: signerPattern comes from
// signer_go_test.go or signer_openssl_test.go.
func TestVersionNamesTheRSASigner(t *testing.T) {
	text := execVersion(t)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "oauthkit ") || !strings.HasPrefix(lines[3], "go: go1.") {
		t.Fatalf("output:\n%s", text)
	}
	if !regexp.MustCompile(`^rsa signer: ` + signerPattern + `$`).MatchString(lines[4]) {
		t.Fatalf("last line %q, want rsa signer: %s", lines[4], signerPattern)
	}

	var got map[string]any
	if err := json.Unmarshal([]byte(execVersion(t, "-o", "json")), &got); err != nil {
		t.Fatal(err)
	}
	if s, _ := got["rsa_signer"].(string); "rsa signer: "+s != lines[4] {
		t.Fatalf("JSON rsa_signer %q, text says %q", s, lines[4])
	}
	for _, k := range []string{"version", "commit", "date", "go_version", "platform"} {
		if _, ok := got[k]; !ok {
			t.Errorf("JSON lacks %q: %v", k, got)
		}
	}
}
