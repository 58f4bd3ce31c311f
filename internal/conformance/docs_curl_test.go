package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Interop cell "curl lines from docs/serve.md": the console examples of
// docs/serve.md §4 marked `<!-- doc-test: NAME -->` are run with sh against
// a real zero-configuration `oauthkit serve`, with ISSUER, SECRET and
// PASSWORD set as the Quick start sets them, and each answer must have the
// shape the document shows: the status line and headers of a `curl -i`
// example, the JSON members, and the values that do not change from run
// to run.

// docExample is one `$ command` of a marked block and the output shown
// under it.
type docExample struct {
	cmd, output string
}

// docSequence is the order a reader follows: the document's order, with
// the password grant run again where §4 says to get a fresh token.json
// (before /introspect; and before /protected, since /revoke ended that
// grant).
var docSequence = []string{"client_credentials", "password", "refresh", "password", "introspect", "revoke", "password", "protected"}

var docMarker = regexp.MustCompile(`^<!-- doc-test: ([a-z_]+) -->$`)

// docBlocks extracts the marked console blocks of a Markdown file.
func docBlocks(t *testing.T, path string) map[string][]docExample {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	blocks := map[string][]docExample{}
	for i := 0; i < len(lines); i++ {
		m := docMarker.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		if i+1 >= len(lines) || lines[i+1] != "```console" {
			t.Fatalf("%s:%d: the doc-test marker %q is not followed by a ```console block", path, i+1, m[1])
		}
		var ex []docExample
		for i += 2; i < len(lines) && lines[i] != "```"; i++ {
			l := lines[i]
			if cmd, ok := strings.CutPrefix(l, "$ "); ok {
				for strings.HasSuffix(cmd, `\`) && i+1 < len(lines) {
					i++
					cmd = strings.TrimSuffix(cmd, `\`) + " " + strings.TrimSpace(lines[i])
				}
				ex = append(ex, docExample{cmd: cmd})
				continue
			}
			if len(ex) == 0 {
				t.Fatalf("%s:%d: output before the first command in block %q", path, i+1, m[1])
			}
			ex[len(ex)-1].output += l + "\n"
		}
		blocks[m[1]] = ex
	}
	return blocks
}

// docResponse is an answer as curl prints it: with -i, the status and
// headers before the body.
type docResponse struct {
	status int // 0 without -i
	header http.Header
	body   string
}

func parseDocResponse(t *testing.T, s string) docResponse {
	t.Helper()
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if !strings.HasPrefix(s, "HTTP/") {
		return docResponse{body: strings.TrimSpace(s)}
	}
	head, body, _ := strings.Cut(s, "\n\n")
	hl := strings.Split(head, "\n")
	f := strings.Fields(hl[0])
	if len(f) < 2 {
		t.Fatalf("status line %q", hl[0])
	}
	status, err := strconv.Atoi(f[1])
	if err != nil {
		t.Fatalf("status line %q", hl[0])
	}
	r := docResponse{status: status, header: http.Header{}, body: strings.TrimSpace(body)}
	for _, l := range hl[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok {
			r.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	return r
}

// stableMembers are compared by value; the others (tokens, times) only by
// presence.
var stableMembers = []string{"token_type", "scope", "error", "active", "client_id", "sub", "message", "aud", "iss", "expires_in"}

// checkDocShape compares an actual answer with the one the document shows.
func checkDocShape(t *testing.T, issuer string, want, got docResponse) {
	t.Helper()
	if want.status != 0 {
		if got.status != want.status {
			t.Errorf("status %d, the document shows %d", got.status, want.status)
		}
		for k := range want.header {
			if w, g := want.header.Get(k), got.header.Get(k); w != g {
				t.Errorf("header %s: %q, the document shows %q", k, g, w)
			}
		}
	}
	if want.body == "" {
		if got.body != "" {
			t.Errorf("body %q, the document shows none", got.body)
		}
		return
	}
	var w, g map[string]any
	if err := json.Unmarshal([]byte(want.body), &w); err != nil {
		t.Fatalf("the document's answer is not a JSON object: %v\n%s", err, want.body)
	}
	if err := json.Unmarshal([]byte(got.body), &g); err != nil {
		t.Fatalf("the answer is not a JSON object: %v\n%s", err, got.body)
	}
	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(keys(w), keys(g)) {
		t.Errorf("members %v, the document shows %v", keys(g), keys(w))
	}
	for _, k := range stableMembers {
		wv, ok := w[k]
		if !ok {
			continue
		}
		if s, isString := wv.(string); isString {
			wv = strings.ReplaceAll(s, "http://127.0.0.1:8080", issuer) // the document's issuer
		}
		if fmt.Sprint(wv) != fmt.Sprint(g[k]) {
			t.Errorf("%s = %v, the document shows %v", k, g[k], wv)
		}
	}
}

// needTools skips (or fails under CI) when a tool the examples use is
// missing.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not on PATH: the docs/serve.md curl examples cannot run (CI requires them)", tool)
			}
			t.Skipf("SKIPPING the docs/serve.md curl examples: %s is not on PATH (CI=true makes this a failure)", tool)
		}
	}
}

// startZeroConfig starts `oauthkit serve` without a configuration (the
// demo client and user) on a SQLite store of its own, and returns the
// server and the demo credentials saved next to the store.
func startZeroConfig(t *testing.T) (s *server, secret, password string) {
	t.Helper()
	dir := t.TempDir()
	store := filepath.Join(dir, "ci.db")
	s = startIn(t, dir, store, "--store", "sqlite:"+store, "--addr", "127.0.0.1:0")
	raw, err := os.ReadFile(s.store + ".demo.json")
	if err != nil {
		t.Fatalf("demo credentials (docs/serve.md: saved in PATH.demo.json): %v", err)
	}
	var creds struct {
		ClientSecret string `json:"client_secret"`
		Password     string `json:"password"`
	}
	if err := json.Unmarshal(raw, &creds); err != nil || creds.ClientSecret == "" || creds.Password == "" {
		t.Fatalf("demo credentials %s: %v", raw, err)
	}
	return s, creds.ClientSecret, creds.Password
}

func TestInterop_DocsServeCurlExamples(t *testing.T) {
	needTools(t, "sh", "curl", "jq")
	blocks := docBlocks(t, filepath.Join("..", "..", "docs", "serve.md"))
	for _, name := range docSequence {
		if len(blocks[name]) == 0 {
			t.Fatalf("docs/serve.md has no <!-- doc-test: %s --> console block with commands", name)
		}
	}
	s, secret, password := startZeroConfig(t)
	work := t.TempDir() // token.json lives here, as in the reader's directory
	for i, name := range docSequence {
		for j, ex := range blocks[name] {
			t.Run(fmt.Sprintf("%02d_%s_%d", i, name, j+1), func(t *testing.T) {
				cmd := exec.Command("sh", "-c", ex.cmd)
				cmd.Dir = work
				cmd.Env = append(os.Environ(), "ISSUER="+s.url, "SECRET="+secret, "PASSWORD="+password)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("%s: %v\n%s", ex.cmd, err, stderr.String())
				}
				t.Logf("$ %s\n%s", ex.cmd, out)
				checkDocShape(t, s.url, parseDocResponse(t, ex.output), parseDocResponse(t, string(out)))
			})
		}
	}
}
