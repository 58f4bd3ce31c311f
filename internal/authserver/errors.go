package authserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// ErrorCode is an RFC error code as a sentinel error: errors.Is(err,
// CodeInvalidGrant) holds for any *Error in err's chain that carries
// "invalid_grant", whatever its description and status.
type ErrorCode string

// Error returns the code itself.
func (c ErrorCode) Error() string { return string(c) }

// The RFC error codes as sentinels (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1;
// RFC 7009 §2.2.1).
const (
	CodeInvalidRequest          ErrorCode = "invalid_request"
	CodeInvalidClient           ErrorCode = "invalid_client"
	CodeInvalidGrant            ErrorCode = "invalid_grant"
	CodeUnauthorizedClient      ErrorCode = "unauthorized_client"
	CodeUnsupportedGrantType    ErrorCode = "unsupported_grant_type"
	CodeInvalidScope            ErrorCode = "invalid_scope"
	CodeAccessDenied            ErrorCode = "access_denied"
	CodeUnsupportedResponseType ErrorCode = "unsupported_response_type"
	CodeServerError             ErrorCode = "server_error"
	CodeTemporarilyUnavailable  ErrorCode = "temporarily_unavailable"
	CodeInvalidToken            ErrorCode = "invalid_token"
	CodeInsufficientScope       ErrorCode = "insufficient_scope"
	CodeUnsupportedTokenType    ErrorCode = "unsupported_token_type"
	// CodeInvalidTarget: RFC 8707 §2, RFC 8693 §2.2.2.
	CodeInvalidTarget ErrorCode = "invalid_target"
)

// The same codes as plain strings, for Error.Code and NewError.
const (
	ErrInvalidRequest          = string(CodeInvalidRequest)
	ErrInvalidClient           = string(CodeInvalidClient)
	ErrInvalidGrant            = string(CodeInvalidGrant)
	ErrUnauthorizedClient      = string(CodeUnauthorizedClient)
	ErrUnsupportedGrantType    = string(CodeUnsupportedGrantType)
	ErrInvalidScope            = string(CodeInvalidScope)
	ErrAccessDenied            = string(CodeAccessDenied)
	ErrUnsupportedResponseType = string(CodeUnsupportedResponseType)
	ErrServerError             = string(CodeServerError)
	ErrTemporarilyUnavailable  = string(CodeTemporarilyUnavailable)
	ErrInvalidToken            = string(CodeInvalidToken)
	ErrInsufficientScope       = string(CodeInsufficientScope)
	ErrUnsupportedTokenType    = string(CodeUnsupportedTokenType)
	ErrInvalidTarget           = string(CodeInvalidTarget)
)

// Error is an OAuth error answer: the RFC code, a description that names the
// rule broken and its source, and the HTTP status to send.
type Error struct {
	Code        string
	Description string
	Status      int
	// BasicChallenge asks for a WWW-Authenticate: Basic header (invalid_client
	// after the client tried HTTP Basic, RFC 6749 §5.2).
	BasicChallenge bool
	// RetryAfter, when positive, is sent as a Retry-After header (seconds).
	RetryAfter int
}

func (e *Error) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// Is makes errors.Is match by code: target is an ErrorCode sentinel or an
// *Error with the same code (descriptions are not compared).
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case ErrorCode:
		return e.Code == string(t)
	case *Error:
		return t != nil && e.Code == t.Code
	}
	return false
}

// NewError returns an error with the status RFC 6749 §5.2 gives the code.
func NewError(code, description string) *Error {
	return &Error{Code: code, Description: description, Status: statusFor(code)}
}

func statusFor(code string) int {
	switch code {
	case ErrInvalidClient, ErrInvalidToken:
		return http.StatusUnauthorized
	case ErrInsufficientScope:
		return http.StatusForbidden
	case ErrServerError:
		return http.StatusInternalServerError
	case ErrTemporarilyUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusBadRequest
	}
}

// SafeDescription makes a description safe for error_description: RFC 6749
// §5.2 allows only %x20-21 / %x23-5B / %x5D-7E, so CR, LF, '"', '\' and
// anything outside printable ASCII become a space or '?' (docs/security.md rule 13).
func SafeDescription(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\r' || r == '\n' || r == '\t':
			b.WriteByte(' ')
		case r == '"' || r == '\\':
			b.WriteByte('\'')
		case r == '§': // the descriptions cite RFC sections
			b.WriteString("section ")
		case r < 0x20 || r > 0x7e:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NoStore sets the headers every response carrying tokens or credentials
// must have (RFC 6749 §5.1, docs/security.md rule 14).
func NoStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// WriteJSON writes v as a JSON body with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	WriteJSONKeepType(w, status, v)
}

// WriteJSONKeepType writes v as JSON without changing the Content-Type.
func WriteJSONKeepType(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// WriteError writes an RFC 6749 §5.2 JSON error with no-store headers.
func WriteError(w http.ResponseWriter, e *Error) {
	noteError(w, e.Code)
	NoStore(w)
	if e.BasicChallenge {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauthkit", charset="UTF-8"`)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	body := map[string]string{"error": e.Code}
	if e.Description != "" {
		body["error_description"] = SafeDescription(e.Description)
	}
	status := e.Status
	if status == 0 {
		status = statusFor(e.Code)
	}
	WriteJSON(w, status, body)
}

// WriteBearerError answers a protected-resource request per RFC 6750 §3.
func WriteBearerError(w http.ResponseWriter, e *Error) {
	challenge := `Bearer realm="oauthkit"`
	if e.Code != "" {
		challenge += `, error="` + e.Code + `"`
		if e.Description != "" {
			challenge += `, error_description="` + SafeDescription(e.Description) + `"`
		}
	}
	w.Header().Set("WWW-Authenticate", challenge)
	WriteError(w, &Error{Code: e.Code, Description: e.Description, Status: e.Status})
}
