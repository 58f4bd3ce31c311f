package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// Extra testscript commands for scripts that run `oauthkit serve` in the
// background. A background command's own stdout is only readable after it
// exits, so the serve scripts redirect it to files with
//
//	exec sh -c 'exec oauthkit serve --addr 127.0.0.1:0 >srv.out 2>srv.err' &srv&
//
// and use these commands to wait for and read those files.

// waitFileTimeout bounds every waitfile: a server that does not come up
// fails the script instead of hanging it.
const waitFileTimeout = 30 * time.Second

// cmdWaitFile is `waitfile FILE REGEXP`: wait (at most 30 s) until FILE
// exists and its content matches REGEXP (multi-line mode, like grep).
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitfile FILE REGEXP")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(waitFileTimeout)
	for {
		data, err := os.ReadFile(path)
		if err == nil && re.Match(data) {
			return
		}
		if time.Now().After(deadline) {
			if err != nil {
				ts.Fatalf("waitfile: %s: %v after %s", args[0], err, waitFileTimeout)
			}
			ts.Fatalf("waitfile: no match for %#q in %s after %s; it holds:\n%s", args[1], args[0], waitFileTimeout, data)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdSetVar is `setvar VAR FILE`: set $VAR to the first line of FILE
// (which may be stdout or stderr of the last command). The line must not
// be empty.
func cmdSetVar(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: setvar VAR FILE")
	}
	line, _, _ := strings.Cut(ts.ReadFile(args[1]), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		ts.Fatalf("setvar: the first line of %s is empty", args[1])
	}
	ts.Setenv(args[0], line)
}

// cmdPerm is `[!] perm MODE FILE...`: each file's permission bits are (or
// are not) MODE, in octal (0600).
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: perm MODE FILE...")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	for _, f := range args[1:] {
		info, err := os.Stat(ts.MkAbs(f))
		ts.Check(err)
		got := info.Mode().Perm()
		switch {
		case !neg && got != os.FileMode(want):
			ts.Fatalf("%s has mode %04o, want %04o", f, got, want)
		case neg && got == os.FileMode(want):
			ts.Fatalf("%s has mode %04o", f, got)
		}
	}
}
