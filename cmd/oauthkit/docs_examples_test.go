package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The console examples of README.md and docs/*.md run as printed (issue 14
// item 17). Every ```sh and ```console block of a Markdown file is run, in
// order, in one bash session per file (so a later block may use what an
// earlier one created, as a reader following the page would), in an empty
// directory with the real oauthkit binary first on PATH:
//
//   - ```sh: every line is a command (a trailing \ continues it; comment
//     lines are skipped);
//   - ```console: the lines that start with "$ " are commands, the others are
//     what they print; "$ echo $?" followed by a number is the exit status the
//     command before it must have.
//
// A command must exit 0 (or with the status shown by "$ echo $?"); a command
// sent to the background with & is not checked. pipefail is on, so a failing
// command cannot hide behind "| jq". A block that cannot run in a test (it
// needs a browser or the network, or runs the Go test suite) is preceded by
// the line
//
//	<!-- doc-test: skip (the reason) -->
//
// and an unmarked block that does not run fails the test.
func TestDocExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the doc examples start servers")
	}
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI: the doc examples need %s, which is not installed", tool)
			}
			t.Skipf("SKIPPED LOUDLY: the doc examples need %s, which is not installed", tool)
		}
	}
	files := docFiles(t)
	if only := os.Getenv("OAUTHKIT_DOC_TEST_FILE"); only != "" {
		// A single page while editing it: OAUTHKIT_DOC_TEST_FILE=README.md.
		files = []string{filepath.Join("..", "..", only)}
	}
	// The examples call it "oauthkit": a directory where it has that name
	// goes first on PATH, whatever the built (or $OAUTHKIT_BIN) file is called.
	bin := filepath.Join(t.TempDir(), "oauthkit")
	if err := os.Symlink(buildInteropBinary(t), bin); err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		blocks, err := parseDocBlocks(file)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(filepath.Join("..", ".."), file)
		t.Run(strings.ReplaceAll(rel, "/", "_"), func(t *testing.T) {
			runDocBlocks(t, bin, rel, blocks)
		})
	}
}

// TestDocExampleParser pins the rules above on a small page, so that a
// change in them cannot silently make TestDocExamples check nothing.
func TestDocExampleParser(t *testing.T) {
	page := "# t\n\n```sh\nA=1 \\\n  B=2   # both\n# a comment\nserve &\n```\n\n" +
		"<!-- doc-test: skip (needs a browser) -->\n```console\n$ open it\n```\n\n" +
		"```console\n$ false\nHTTP/1.1 400 Bad Request\n{\"error\":\"invalid_grant\"}\n$ echo $?\n1\n$ true # x\n{\"active\":false}\noauthkit: token endpoint answered error=invalid_client error_description=\"x\" (HTTP 401)\n```\n\n```yaml\na: b\n```\n" +
		"```sh\ncat > c.yaml <<'EOF'\nclients:\n  - id: spa\nEOF\nnext\n```\n"
	path := filepath.Join(t.TempDir(), "p.md")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	blocks, err := parseDocBlocks(path)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%+v", blocks)
	want := "[{Line:3 Lang:sh Skip: Cmds:[{Line:4 Text:A=1 \\\n  B=2   # both Want:0 Background:false Expect:[]} {Line:7 Text:serve & Want:0 Background:true Expect:[]}]} " +
		"{Line:11 Lang:console Skip:needs a browser Cmds:[{Line:12 Text:open it Want:0 Background:false Expect:[]}]} " +
		"{Line:15 Lang:console Skip: Cmds:[{Line:16 Text:false Want:1 Background:false Expect:[HTTP/1.1 400 \"error\":\"invalid_grant\"]} {Line:21 Text:true # x Want:0 Background:false Expect:[\"active\":false oauthkit: token endpoint answered error=invalid_client error_description=]}]} " +
		"{Line:29 Lang:sh Skip: Cmds:[{Line:30 Text:cat > c.yaml <<'EOF'\nclients:\n  - id: spa\nEOF Want:0 Background:false Expect:[]} {Line:34 Text:next Want:0 Background:false Expect:[]}]}]"
	if got != want {
		t.Errorf("parsed\n%s\nwant\n%s", got, want)
	}
	for _, bad := range []string{"<!-- doc-test: skip -->\n```sh\nx\n```\n", "<!-- doc-test: skip () -->\n```sh\nx\n```\n", "<!-- doc-test: skp (x) -->\n```sh\nx\n```\n", "<!-- doc-test: Skip -->\n```sh\nx\n```\n"} {
		if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := parseDocBlocks(path); err == nil {
			t.Errorf("a malformed marker was accepted:\n%s", bad)
		}
	}
}

type docCommand struct {
	Line       int
	Text       string
	Want       int
	Background bool
	// Expect holds what the output must contain, taken from the output the
	// page shows: an HTTP status line of curl -i, an OAuth "error" code, an
	// introspection "active" answer, the fixed start of an error or warning
	// line of oauthkit. The rest of the shown output varies
	// from run to run (tokens, times, ports) and is not compared.
	Expect []string
}

var outputMarkREs = []*regexp.Regexp{
	regexp.MustCompile(`^HTTP/1\.1 \d{3}\b`),
	regexp.MustCompile(`"error":"[a-z_]+"`),
	regexp.MustCompile(`"active":(true|false)`),
	// An error or warning line of oauthkit, up to the first value that varies
	// (a quoted value, a number, an ellipsis).
	regexp.MustCompile(`^(oauthkit|warning|hint): [^"0-9…]+`),
}

// outputMarks returns the parts of a shown output line that every run must
// print too.
func outputMarks(line string) []string {
	var marks []string
	for _, re := range outputMarkREs {
		if m := re.FindString(line); m != "" {
			marks = append(marks, m)
		}
	}
	return marks
}

type docBlock struct {
	Line int
	Lang string
	Skip string // the reason of a doc-test: skip marker
	Cmds []docCommand
}

func docFiles(t *testing.T) []string {
	t.Helper()
	root := filepath.Join("..", "..")
	files := []string{filepath.Join(root, "README.md")}
	more, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, more...)
	if len(files) < 3 {
		t.Fatalf("only %d Markdown files found under %s", len(files), root)
	}
	return files
}

var (
	markerRE     = regexp.MustCompile(`^<!--\s*doc-test:`)
	skipMarkerRE = regexp.MustCompile(`^<!--\s*doc-test:\s*skip\s*\(([^()]*\S[^()]*)\)\s*-->\s*$`)
	// A block named for internal/conformance's TestInterop_DocsServeCurlExamples
	// (<!-- doc-test: password -->) still runs here.
	nameMarkerRE = regexp.MustCompile(`^<!-- doc-test: [a-z_]+ -->$`)
	backgroundRE = regexp.MustCompile(`[^&]&\s*(#.*)?$`)
	heredocRE    = regexp.MustCompile(`<<-?\s*'?"?(\w+)'?"?\s*(#.*)?$`)
)

// parseDocBlocks reads the ```sh and ```console blocks of a Markdown file.
func parseDocBlocks(path string) ([]docBlock, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(data), "\n")
	var blocks []docBlock
	lastText := "" // the last non-blank line outside a block
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if !strings.HasPrefix(line, "```") {
			if strings.TrimSpace(line) != "" {
				lastText = strings.TrimSpace(line)
				if markerRE.MatchString(lastText) && !skipMarkerRE.MatchString(lastText) && !(nameMarkerRE.MatchString(lastText) && !strings.Contains(lastText, "doc-test: skip ")) {
					return nil, fmt.Errorf("%s:%d: malformed marker %q: want <!-- doc-test: skip (reason) -->", path, i+1, lastText)
				}
			}
			continue
		}
		lang := strings.TrimSpace(strings.TrimPrefix(line, "```"))
		start := i
		var body []string
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			body = append(body, lines[i])
		}
		skip := ""
		if m := skipMarkerRE.FindStringSubmatch(lastText); m != nil {
			skip = strings.TrimSpace(m[1])
		}
		lastText = ""
		if lang != "sh" && lang != "console" {
			continue
		}
		b := docBlock{Line: start + 1, Lang: lang, Skip: skip}
		b.Cmds = parseCommands(lang, body, start+2)
		blocks = append(blocks, b)
	}
	return blocks, nil
}

func parseCommands(lang string, body []string, firstLine int) []docCommand {
	var cmds []docCommand
	for j := 0; j < len(body); j++ {
		l := body[j]
		text := ""
		switch lang {
		case "sh":
			if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			text = l
		case "console":
			if !strings.HasPrefix(l, "$ ") {
				if len(cmds) > 0 {
					cmds[len(cmds)-1].Expect = append(cmds[len(cmds)-1].Expect, outputMarks(l)...)
				}
				continue
			}
			text = strings.TrimPrefix(l, "$ ")
		}
		c := docCommand{Line: firstLine + j}
		for strings.HasSuffix(strings.TrimRight(text, " "), "\\") && j+1 < len(body) {
			j++
			text += "\n" + body[j]
		}
		if m := heredocRE.FindStringSubmatch(text); m != nil {
			// The here-document's lines belong to the command, up to its end word.
			for j+1 < len(body) {
				j++
				text += "\n" + body[j]
				if strings.TrimSpace(body[j]) == m[1] {
					break
				}
			}
		}
		c.Text = text
		if lang == "console" && strings.TrimSpace(text) == "echo $?" && len(cmds) > 0 && j+1 < len(body) {
			if n, err := strconv.Atoi(strings.TrimSpace(body[j+1])); err == nil {
				cmds[len(cmds)-1].Want = n
				j++
				continue
			}
		}
		c.Background = backgroundRE.MatchString(text)
		cmds = append(cmds, c)
	}
	return cmds
}

// runDocBlocks runs the blocks of one file in one bash session and reports
// every command whose exit status is not the one the page shows.
func runDocBlocks(t *testing.T, bin, file string, blocks []docBlock) {
	dir := t.TempDir()
	failures := filepath.Join(dir, ".doctest-failures")
	var script strings.Builder
	script.WriteString("set -o pipefail\n")
	// Stop what the examples started in the background when the page ends.
	script.WriteString("trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT\n")
	ran, skipped := 0, 0
	for _, b := range blocks {
		if b.Skip != "" {
			t.Logf("%s:%d: skipped: %s", file, b.Line, b.Skip)
			skipped++
			continue
		}
		for _, c := range b.Cmds {
			ran++
			fmt.Fprintf(&script, "printf '\\n### %s:%d $ %%s\\n' %s >&2\n", file, c.Line, shellQuote(firstLine(c.Text)))
			if c.Background {
				script.WriteString(c.Text + "\n")
				continue
			}
			// In the current shell (assignments stay), its standard output
			// kept to be shown and checked.
			fmt.Fprintf(&script, "{ %s\n} > .doctest-out 2> .doctest-err; __rc=$?; cat .doctest-out; cat .doctest-err >&2; cat .doctest-err >> .doctest-out\n", c.Text)
			where := shellQuote(fmt.Sprintf("%s:%d: %s", file, c.Line, firstLine(c.Text)))
			fmt.Fprintf(&script, "if [ \"$__rc\" != %d ]; then printf '%%s\\n' %s\" exited $__rc, want %d\" >> %s; fi\n",
				c.Want, where, c.Want, shellQuote(failures))
			for _, e := range c.Expect {
				fmt.Fprintf(&script, "grep -qF -- %s .doctest-out || printf '%%s\\n' %s\" printed no %s, which the page shows\" >> %s\n",
					shellQuote(e), where, strings.ReplaceAll(shellQuote(e), `"`, `\"`), shellQuote(failures))
			}
		}
	}
	if ran == 0 {
		t.Logf("%s: no example runs here", file)
		return
	}
	home := filepath.Join(dir, ".home")
	for _, d := range []string{home, filepath.Join(home, ".config"), filepath.Join(home, ".local", "state")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-c", script.String())
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Env = docEnv(filepath.Dir(bin), home)
	out, err := cmd.CombinedOutput()
	// Whatever the examples left behind in the process group goes too.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if ctx.Err() != nil {
		t.Errorf("%s: the examples did not finish within 4 minutes", file)
	}
	if err != nil && ctx.Err() == nil {
		t.Errorf("%s: bash: %v", file, err)
	}
	if data, rerr := os.ReadFile(failures); rerr == nil {
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for sc.Scan() {
			t.Errorf("%s (run it, fix the page, or mark the block <!-- doc-test: skip (reason) -->)", sc.Text())
		}
	}
	t.Logf("%s: %d commands run, %d of %d blocks marked skip", file, ran, skipped, len(blocks))
	if t.Failed() || testing.Verbose() {
		t.Logf("transcript of %s:\n%s", file, out)
	}
}

func docEnv(binDir, home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "OAUTHKIT_") || strings.HasPrefix(k, "XDG_") || k == "HOME" || k == "PATH" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"), "NO_COLOR=1")
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
