package main

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/oauthkit/oauthkit/internal/cli"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"oauthkit": func() { os.Exit(cli.Main(os.Args[1:], iostreams.System())) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script against the
// real oauthkit binary (testscript re-executes this test binary as it).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			// A clean environment: no inherited secrets or colour settings.
			env.Setenv("OAUTHKIT_CLIENT_SECRET", "")
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// waitfile, setvar, perm: see script_cmds_test.go (serve scripts).
			"waitfile": cmdWaitFile,
			"setvar":   cmdSetVar,
			"perm":     cmdPerm,
			// exitcode N PROG ARGS... runs PROG like exec and asserts its exit code.
			"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exitcode N program [args...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("exitcode: %v", err)
				}
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("exitcode: %v", err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("exit code %d, want %d", got, want)
				}
			},
		},
		Condition: func(cond string) (bool, error) {
			// [have-openssl] and the like: is a tool on PATH?
			const prefix = "have-"
			if len(cond) > len(prefix) && cond[:len(prefix)] == prefix {
				_, err := exec.LookPath(cond[len(prefix):])
				if err != nil && os.Getenv("CI") == "true" {
					t.Fatalf("CI: %s is required by the scripts but is not installed", cond[len(prefix):])
				}
				return err == nil, nil
			}
			return false, nil
		},
	})
}
