package store

import "errors"

// The outcomes a caller branches on. Implementations wrap them with context
// (fmt.Errorf("...: %w", ErrNotFound)); test with errors.Is.
var (
	// ErrNotFound: no record with that key (or a record it refers to, such
	// as the family of an access token, does not exist).
	ErrNotFound = errors.New("not found")

	// ErrAlreadyUsed: the authorization code was redeemed before. Redeem
	// returns the code with it, FamilyID included, so the caller can revoke
	// what the first redemption produced (docs/security.md rule 9).
	ErrAlreadyUsed = errors.New("authorization code already used")

	// ErrReplayed: ReplayStore.Use saw the key before, and its record has
	// not expired.
	ErrReplayed = errors.New("already used")

	// ErrSlowDown: a device code was polled before its interval had passed
	// since the last poll; the store has grown the interval
	// (DeviceCodeStore.Poll, RFC 8628 §3.5).
	ErrSlowDown = errors.New("polled faster than the interval")

	// ErrExpired: the code or refresh token is past its ExpiresAt.
	ErrExpired = errors.New("expired")

	// ErrReused: a rotated-out refresh token was presented again; the store
	// has revoked its whole family in the same call (docs/security.md rule 24).
	ErrReused = errors.New("refresh token reused: its grant has been revoked")

	// ErrConcurrentUse: the refresh token was rotated by a concurrent request
	// that started no earlier than this one (within Rotation.Leeway). The
	// caller answers invalid_grant; the family is NOT revoked, so the winner
	// of the race keeps a working grant (docs/security.md rule 26).
	ErrConcurrentUse = errors.New("refresh token rotated by a concurrent request")

	// ErrRevoked: the refresh token's family was revoked.
	ErrRevoked = errors.New("revoked")

	// ErrConflict: a record with that key (or unique value) already exists.
	ErrConflict = errors.New("already exists")

	// ErrInvalid: the record handed to the store lacks a required field.
	ErrInvalid = errors.New("invalid record")

	// ErrUnavailable: the store cannot serve the request right now (closed,
	// read-only, locked past its busy timeout, disk full, I/O error). The
	// cause is wrapped alongside; the server answers 503
	// temporarily_unavailable and the next request may succeed.
	ErrUnavailable = errors.New("store unavailable")
)
