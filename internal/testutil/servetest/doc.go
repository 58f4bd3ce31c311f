// Package servetest is the end-to-end harness every suite that runs the
// real `oauthkit` binary shares: it builds the binary once per source tree
// (a cache keyed by a hash of the module's Go sources, go.mod and go.sum,
// so parallel test packages of one `go test` run share one build), starts
// `oauthkit serve` as a child process, reads its issuer from the first line
// of standard output, collects its output in a LockedBuffer, and stops or
// kills it.
//
// $OAUTHKIT_BIN names an installed binary to test instead of building one.
//
// It is a normal package, not a _test.go file, so the test packages of
// internal/conformance, internal/conformance/fault, internal/tui/e2e,
// internal/cli/serve and cmd/oauthkit can import it. Production code never
// does.
package servetest
