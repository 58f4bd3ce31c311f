package token

import (
	"errors"
	"fmt"
)

// Kind classifies why a token was rejected.
type Kind int

// The kinds of rejection. Callers tell them apart with KindOf or errors.Is
// against the matching Err… sentinel.
const (
	KindMalformed   Kind = iota + 1 // not a well-formed JWS compact JWT
	KindAlgorithm                   // alg none, HMAC, unsupported or not allowed for the key
	KindUnknownKey                  // no key with the token's kid
	KindSignature                   // the signature does not verify
	KindExpired                     // exp is in the past (beyond the leeway)
	KindNotYetValid                 // nbf or iat is in the future (beyond the leeway)
	KindIssuer                      // iss missing or not the expected issuer
	KindAudience                    // aud missing or without the expected audience
	KindMissingExp                  // no exp claim while one is required
	KindType                        // header typ is not the expected one
)

// String returns a short machine-readable name ("signature", "expired", …).
func (k Kind) String() string {
	switch k {
	case KindMalformed:
		return "malformed"
	case KindAlgorithm:
		return "algorithm"
	case KindUnknownKey:
		return "unknown_kid"
	case KindSignature:
		return "signature"
	case KindExpired:
		return "expired"
	case KindNotYetValid:
		return "not_yet_valid"
	case KindIssuer:
		return "issuer"
	case KindAudience:
		return "audience"
	case KindMissingExp:
		return "missing_exp"
	case KindType:
		return "type"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Sentinels for errors.Is; every *Error matches the one of its Kind.
var (
	ErrMalformed   = errors.New("malformed token")
	ErrAlgorithm   = errors.New("token algorithm refused")
	ErrUnknownKey  = errors.New("unknown key id")
	ErrSignature   = errors.New("invalid token signature")
	ErrExpired     = errors.New("token expired")
	ErrNotYetValid = errors.New("token not yet valid")
	ErrIssuer      = errors.New("wrong token issuer")
	ErrAudience    = errors.New("wrong token audience")
	ErrMissingExp  = errors.New("token has no exp claim")
	ErrType        = errors.New("wrong token type")
)

// Error is a rejected token: its Kind and a one-line message naming the
// claim or header and the values involved.
type Error struct {
	Kind Kind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Is makes errors.Is(err, ErrExpired) and the like work.
func (e *Error) Is(target error) bool {
	return sentinel(e.Kind) == target
}

func sentinel(k Kind) error {
	switch k {
	case KindMalformed:
		return ErrMalformed
	case KindAlgorithm:
		return ErrAlgorithm
	case KindUnknownKey:
		return ErrUnknownKey
	case KindSignature:
		return ErrSignature
	case KindExpired:
		return ErrExpired
	case KindNotYetValid:
		return ErrNotYetValid
	case KindIssuer:
		return ErrIssuer
	case KindAudience:
		return ErrAudience
	case KindMissingExp:
		return ErrMissingExp
	case KindType:
		return ErrType
	}
	return nil
}

// KindOf returns the Kind of a token rejection, or 0 when err is not one.
func KindOf(err error) Kind {
	var te *Error
	if errors.As(err, &te) {
		return te.Kind
	}
	return 0
}

func newError(k Kind, format string, a ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, a...)}
}
