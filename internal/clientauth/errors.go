package clientauth

import (
	"errors"
	"fmt"
)

// Error kinds. Every error returned by this package matches (errors.Is) one
// of these sentinels; the decoding errors also match ErrMalformed. The error
// text itself is one line that explains what is wrong and cites the rule.
var (
	// ErrMalformed: the HTTP Basic credentials cannot be decoded. A server
	// answers invalid_request (RFC 6749 §5.2).
	ErrMalformed = errors.New("malformed HTTP Basic credentials")

	// Specific decoding problems (each also matches ErrMalformed).
	ErrEmpty        = errors.New("no credentials")
	ErrWrongScheme  = errors.New("authorization scheme is not Basic")
	ErrNotBase64    = errors.New("credentials are not base64")
	ErrNotUTF8      = errors.New("credentials are not UTF-8")
	ErrControlChar  = errors.New("credentials contain a control character")
	ErrNoColon      = errors.New("credentials have no colon")
	ErrBadEncoding  = errors.New("credentials are not form-urlencoded")
	ErrEmptyID      = errors.New("client_id is empty")
	ErrColonInRawID = errors.New("client_id contains a colon")

	// ErrMultipleMethods: the client used HTTP Basic and client_secret in the
	// body at once (RFC 6749 §2.3.1): invalid_request.
	ErrMultipleMethods = errors.New("more than one client authentication method")
	// ErrClientIDMismatch: client_id in the body differs from the one in
	// HTTP Basic: invalid_request.
	ErrClientIDMismatch = errors.New("client_id in the body differs from HTTP Basic")
	// ErrRepeatedParameter: client_id or client_secret sent more than once
	// (RFC 6749 §3.2): invalid_request.
	ErrRepeatedParameter = errors.New("repeated client authentication parameter")
	// ErrSecretInQuery: client_secret in the request URI (RFC 6749 §2.3.1):
	// invalid_request.
	ErrSecretInQuery = errors.New("client_secret in the request URI")
	// ErrAssertionParams: client_assertion_type or client_assertion is
	// missing or client_assertion_type is not the JWT one (RFC 7523 §2.2):
	// invalid_request.
	ErrAssertionParams = errors.New("incomplete client assertion parameters")
	// ErrNoClient: the request names no client at all. A server answers
	// invalid_client (or invalid_request when the grant needs a client_id).
	ErrNoClient = errors.New("no client identification")
)

// authError is an error of one kind with a user-facing message.
type authError struct {
	kind      error
	malformed bool
	msg       string
}

func (e *authError) Error() string { return e.msg }

func (e *authError) Is(target error) bool {
	return target == e.kind || (e.malformed && target == ErrMalformed)
}

// malformedf is a decoding error of the given kind.
func malformedf(kind error, format string, a ...any) error {
	return &authError{kind: kind, malformed: true, msg: fmt.Sprintf(format, a...)}
}

// requestf is a request-level error of the given kind.
func requestf(kind error, format string, a ...any) error {
	return &authError{kind: kind, msg: fmt.Sprintf(format, a...)}
}

// OAuthErrorCode maps an error of this package to the RFC 6749 §5.2 error
// code a token endpoint answers with: invalid_client when no client was
// identified at all or its assertion is invalid (RFC 7521 §4.2.1),
// invalid_request otherwise.
func OAuthErrorCode(err error) string {
	if errors.Is(err, ErrNoClient) || errors.Is(err, ErrInvalidAssertion) {
		return "invalid_client"
	}
	return "invalid_request"
}
