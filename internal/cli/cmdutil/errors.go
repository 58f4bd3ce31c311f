// Package cmdutil holds what every oauthkit command shares: the Factory, typed
// errors that map to exit codes, argument validators and output helpers.
package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes, documented in `oauthkit help exit-codes` (the table shown by that command).
const (
	ExitOK        = 0
	ExitFailure   = 1
	ExitUsage     = 2
	ExitOAuth     = 3
	ExitNetwork   = 4
	ExitTimeout   = 5
	ExitCancelled = 130
)

// ExitError carries the exit code for an error.
type ExitError struct {
	Code int
	Err  error
	// Kind is a short machine-readable name used in JSON error output.
	Kind string
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// UsageErrorf is a mistake in the command line: exit 2.
func UsageErrorf(format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Kind: "usage", Err: fmt.Errorf(format, a...)}
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
	if errors.As(err, &ee) && ee.Kind != "" {
		return ee.Kind
	}
	return "failure"
}
