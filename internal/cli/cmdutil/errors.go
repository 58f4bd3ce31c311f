// Package cmdutil holds what every oauthkit command shares: the Factory, typed
// errors that map to exit codes, argument validators and output helpers.
package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes. Their names and meanings are in ExitCodes, the one table that
// `oauthkit help exit-codes`, docs/cli and the JSON error "kind" derive from.
const (
	ExitOK        = 0
	ExitFailure   = 1
	ExitUsage     = 2
	ExitOAuth     = 3
	ExitNetwork   = 4
	ExitTimeout   = 5
	ExitCancelled = 130
)

// ExitCodeInfo is one row of the exit-code table.
type ExitCodeInfo struct {
	Code int
	// Name is the default "kind" of an error with this code in JSON errors.
	Name string
	// Meaning is the sentence shown by `oauthkit help exit-codes`.
	Meaning string
}

// ExitCodes returns the exit-code table, in ascending order of code.
func ExitCodes() []ExitCodeInfo {
	return []ExitCodeInfo{
		{ExitOK, "ok", "success"},
		{ExitFailure, "failure", "failure: the input was read but is wrong (a key that does not parse, a token that does not verify), a file could not be written, the server misbehaved"},
		{ExitUsage, "usage", "usage error: unknown command or flag, wrong number of arguments, invalid flag value, an input file named on the command line that cannot be read (missing, unreadable, a directory)"},
		{ExitOAuth, "oauth", "the authorization server answered an OAuth error (invalid_grant, access_denied, ...) or sent a bad ID token"},
		{ExitNetwork, "network", "network or TLS error (server unreachable, certificate not trusted)"},
		{ExitTimeout, "timeout", "timed out (for example while waiting for the browser to come back)"},
		{ExitCancelled, "cancelled", "cancelled by the user (Ctrl-C, q)"},
	}
}

// ExitCodeName returns the table's name for code ("failure" for a code not
// in the table).
func ExitCodeName(code int) string {
	for _, c := range ExitCodes() {
		if c.Code == code {
			return c.Name
		}
	}
	return "failure"
}

// ExitError carries the exit code for an error.
type ExitError struct {
	Code int
	Err  error
	// Kind is a short machine-readable name used in JSON error output; empty
	// means the table's name of Code.
	Kind string
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// UsageErrorf is a mistake in the command line: exit 2.
func UsageErrorf(format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Kind: "usage", Err: fmt.Errorf(format, a...)}
}

// UsageError marks err as a mistake in the command line (exit 2), unless it
// already carries an exit code.
func UsageError(err error) error {
	var ee *ExitError
	if err == nil || errors.As(err, &ee) {
		return err
	}
	return &ExitError{Code: ExitUsage, Kind: "usage", Err: err}
}

// Failf is a plain failure: exit 1.
func Failf(format string, a ...any) error {
	return &ExitError{Code: ExitFailure, Kind: "failure", Err: fmt.Errorf(format, a...)}
}

// OAuthError wraps an error answered by an authorization server: exit 3.
func OAuthError(err error) error {
	return &ExitError{Code: ExitOAuth, Kind: "oauth", Err: err}
}

// NetworkError wraps a network or TLS failure: exit 4.
func NetworkError(err error) error {
	return &ExitError{Code: ExitNetwork, Kind: "network", Err: err}
}

// TimeoutError wraps a time-out: exit 5.
func TimeoutError(err error) error {
	return &ExitError{Code: ExitTimeout, Kind: "timeout", Err: err}
}

// ErrCancelled is returned when the user cancels: exit 130.
var ErrCancelled = &ExitError{Code: ExitCancelled, Kind: "cancelled", Err: errors.New("cancelled")}

// ExitCode maps an error to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitFailure
}

// ErrorKind returns the machine-readable kind of an error.
func ErrorKind(err error) string {
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Kind != "" {
			return ee.Kind
		}
		return ExitCodeName(ee.Code)
	}
	return "failure"
}
