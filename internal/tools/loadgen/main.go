// Command loadgen is the load generator of scripts/bench-peers.sh
// (`make bench-peers`, docs/performance.md). It drives any OAuth 2.0
// authorization server found by discovery, so oauthkit and its peers get
// the same load in the same run.
//
//	loadgen load    -creds FILE -mode cc|refresh|introspect|authcode [-c 16] [-d 10s] [-pid PID] [-name NAME] [-tool go|wrk] [-replica URL]...
//	loadgen startup [-runs 10] [-until line|exit] -- BIN ARGS...
//	loadgen report  RESULTS.jsonl
//
// load prints one JSON line per run on standard output (and a summary on
// standard error); report turns those lines into the tables of
// docs/performance.md. The client secret is read from the -creds file (a
// JSON object with issuer, client_id and client_secret: what
// testdata/interop/bench-oidc-provider.mjs prints), never from the command
// line. -replica (repeatable) spreads the workers over several serve
// processes of one issuer: discovery goes to the issuer, and worker i
// sends its requests to the same paths on replica i mod n.
//
// Exit codes: 0 done, 1 the run failed (server unreachable, errors in the
// answers), 2 bad usage.
package main

import (
	"errors"
	"fmt"
	"os"
)

// usageError is bad input on the command line (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func main() {
	err := run(os.Args[1:])
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	if errors.As(err, new(usageError)) {
		os.Exit(2)
	}
	os.Exit(1)
}

func run(args []string) error {
	if len(args) == 0 {
		return usagef("usage: loadgen load|startup|report [flags] (see internal/tools/loadgen/main.go)")
	}
	switch args[0] {
	case "load":
		return runLoad(args[1:], os.Stdout, os.Stderr)
	case "startup":
		return runStartup(args[1:], os.Stdout, os.Stderr)
	case "report":
		return runReport(args[1:], os.Stdout)
	}
	return usagef("unknown command %q (want load, startup or report)", args[0])
}
