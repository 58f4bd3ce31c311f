// Package flow is the client side of OAuth 2.0: discovery (RFC 8414 and
// OpenID Connect), client authentication, PKCE, the token endpoint for every
// grant, the loopback redirect catcher, introspection (RFC 7662) and
// revocation (RFC 7009). It knows nothing about the command line.
package flow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// OAuthError is an error answered by an authorization server: at the token,
// introspection or revocation endpoint (RFC 6749 §5.2) or on the redirect
// back from the authorization endpoint (RFC 6749 §4.1.2.1).
type OAuthError struct {
	// Where names the endpoint: "token endpoint", "authorization response", …
	Where       string
	Code        string
	Description string
	URI         string
	// Status is the HTTP status; 0 for an authorization response.
	Status int
}

func (e *OAuthError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s answered error=%s", e.Where, e.Code)
	if e.Description != "" {
		fmt.Fprintf(&b, " error_description=%q", e.Description)
	}
	if e.URI != "" {
		fmt.Fprintf(&b, " error_uri=%s", e.URI)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	return b.String()
}

// NetworkError is a failure to reach a server: DNS, connection refused, TLS.
type NetworkError struct {
	Op  string // e.g. "POST http://127.0.0.1:1/token"
	Err error
}

func (e *NetworkError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *NetworkError) Unwrap() error { return e.Err }

// TimeoutError is returned when a deadline passed: an HTTP request or the
// wait for the browser to come back.
type TimeoutError struct {
	Op string
}

func (e *TimeoutError) Error() string { return e.Op + ": timed out" }

// ErrCancelled is returned when the context was cancelled (Ctrl-C).
var ErrCancelled = errors.New("cancelled")

// ErrStateMismatch: the authorization response does not carry the state
// that was sent (docs/security.md rule 31). No token request is made.
var ErrStateMismatch = errors.New("state mismatch")

// ErrIssuerMismatch: discovery or the authorization response names another
// issuer than the expected one (RFC 8414 §3.3, RFC 9207).
var ErrIssuerMismatch = errors.New("issuer mismatch")

// transportError classifies an error of http.Client.Do.
func transportError(ctx context.Context, op string, err error) error {
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return ErrCancelled
	case errors.Is(err, context.DeadlineExceeded):
		return &TimeoutError{Op: op}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &TimeoutError{Op: op}
	}
	return &NetworkError{Op: op, Err: unwrapURLError(err)}
}

// unwrapURLError drops the "Post \"url\": " prefix that *url.Error adds,
// since Op already names the request.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
