package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

// TestDocsExitCodesMatchTable: the exit codes the docs list are those of
// the one table (cmdutil.ExitCodes) that `oauthkit help exit-codes` prints,
// with the same names (issue 14 item 6).
func TestDocsExitCodesMatchTable(t *testing.T) {
	var want []string
	for _, c := range cmdutil.ExitCodes() {
		want = append(want, strconv.Itoa(c.Code)+" "+c.Name)
	}

	readme := readRepoFile(t, "README.md")
	line := regexp.MustCompile(`(?s)- Exit codes \(.*?\):(.*?)\.`).FindStringSubmatch(readme)
	if line == nil {
		t.Fatal("README.md: no '- Exit codes (...): ...' line")
	}
	var got []string
	for _, m := range regexp.MustCompile(`(\d+) ([a-z]+)`).FindAllStringSubmatch(line[1], -1) {
		got = append(got, m[1]+" "+m[2])
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("README.md lists the exit codes %q, the table has %q", got, want)
	}

	flowDoc := readRepoFile(t, "docs/flow.md")
	i := strings.Index(flowDoc, "## Exit codes")
	if i < 0 {
		t.Fatal("docs/flow.md: no '## Exit codes' section")
	}
	got = nil
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \| ([a-z]+)`).FindAllStringSubmatch(flowDoc[i:], -1) {
		got = append(got, m[1]+" "+m[2])
	}
	var wantCodes []string
	for _, c := range cmdutil.ExitCodes() {
		wantCodes = append(wantCodes, strconv.Itoa(c.Code))
	}
	var gotCodes []string
	for _, g := range got {
		gotCodes = append(gotCodes, strings.Fields(g)[0])
	}
	if strings.Join(gotCodes, ",") != strings.Join(wantCodes, ",") {
		t.Errorf("docs/flow.md's exit-code table has the codes %v, the table %v", gotCodes, wantCodes)
	}
}

func readRepoFile(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
