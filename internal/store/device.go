package store

import (
	"context"
	"time"
)

// DeviceCodeStore holds the device authorizations of RFC 8628: a device
// code the client polls with, a user code the person types on the
// verification page, and the person's decision. Both codes arrive hashed.
type DeviceCodeStore interface {
	// Create stores a new device authorization as DeviceStatusPending.
	// ErrConflict (nothing stored) if its Hash or UserCodeHash is held by
	// any stored record, expired or not, until Purge removes it: the
	// caller draws a new user code and tries again.
	Create(ctx context.Context, d DeviceCode) error

	// GetByUserCode returns the record of a user code, in whatever status
	// and expired or not (the caller tells the person why it cannot be
	// used); ErrNotFound.
	GetByUserCode(ctx context.Context, userCodeHash string) (DeviceCode, error)

	// Decide records the person's answer for the pending, unexpired record
	// of a user code, atomically: approved with d's Subject, AuthTime and
	// SessionID, or denied. It returns the record as it is then. Otherwise
	// nothing changes: ErrNotFound; ErrExpired with the record when
	// d.Now >= ExpiresAt; ErrAlreadyUsed with the record when it is no
	// longer pending (decided before). Of N concurrent calls for one user
	// code exactly one succeeds.
	Decide(ctx context.Context, userCodeHash string, d DeviceDecision) (DeviceCode, error)

	// Poll is one poll of the token endpoint (RFC 8628 §3.4–3.5), in one
	// transaction, checked in this order:
	//   - no record with p.Hash, or its ClientID is not p.ClientID:
	//     ErrNotFound, nothing changes;
	//   - redeemed before: ErrAlreadyUsed with the record, nothing changes;
	//   - p.Now >= ExpiresAt: ErrExpired with the record, nothing changes;
	//   - LastPolledAt is set and p.Now < LastPolledAt+Interval: Interval
	//     grows by p.SlowDown, LastPolledAt becomes p.Now, and ErrSlowDown
	//     with the record as updated;
	//   - else LastPolledAt becomes p.Now and the record is returned with
	//     a nil error: pending or denied as it was, or, if it was approved,
	//     now DeviceStatusRedeemed with FamilyID p.Family.ID: the grant
	//     family (filled from the record: ClientID, Subject, Scope,
	//     AuthTime, SessionID; CreatedAt p.Now) and its first refresh token
	//     (p.First.Hash "" for none) are created in the same transaction.
	// Of N concurrent polls of an approved record exactly one gets it
	// redeemed; the others get ErrAlreadyUsed or ErrSlowDown. ErrConflict
	// (nothing stored) if the family ID or token hash exists.
	Poll(ctx context.Context, p DevicePoll) (DeviceCode, error)

	// CountLive counts the client's records that are pending and unexpired
	// at now (the cap on waiting device authorizations).
	CountLive(ctx context.Context, clientID string, now time.Time) (int, error)
}

// DeviceStatus is where a device authorization stands.
type DeviceStatus string

// The states of a device authorization.
const (
	DeviceStatusPending  DeviceStatus = "pending"  // waiting for the person
	DeviceStatusApproved DeviceStatus = "approved" // the person allowed it; the next poll gets tokens
	DeviceStatusDenied   DeviceStatus = "denied"   // the person refused it
	DeviceStatusRedeemed DeviceStatus = "redeemed" // a poll got the tokens; the device code is spent
)

// DeviceCode is one device authorization (RFC 8628 §3.2).
type DeviceCode struct {
	Hash         string // hashed device_code
	UserCodeHash string // hashed normalized user_code
	ClientID     string
	Scope        string
	// Interval is the minimum time between two polls; Poll grows it by
	// DevicePoll.SlowDown for each poll that came too early. Stores keep
	// it at microsecond precision.
	Interval  time.Duration
	CreatedAt time.Time
	ExpiresAt time.Time

	// Set by the store (Create ignores them).
	Status       DeviceStatus
	Subject      string    // the approving user, "" until decided
	AuthTime     time.Time // the user's sign-in time
	SessionID    string    // the "sid" of the approving browser session, "" if none
	LastPolledAt time.Time // zero until the first poll
	FamilyID     string    // the grant created when redeemed, "" before
}

// DeviceDecision is the person's answer to a device authorization.
type DeviceDecision struct {
	Approve   bool
	Subject   string // required to approve
	AuthTime  time.Time
	SessionID string
	Now       time.Time
}

// DevicePoll is one poll of a device code at the token endpoint.
type DevicePoll struct {
	Hash     string
	ClientID string // the authenticated client that polls
	Now      time.Time
	SlowDown time.Duration // how much Interval grows after a poll that came too early
	Family   Family        // ID only: the grant to create if the record was approved
	First    RefreshToken  // its first refresh token; Hash "" for none
}

// Validate checks the fields a DeviceCode must have.
func (d DeviceCode) Validate() error {
	switch {
	case d.Hash == "":
		return invalid("device code", "Hash")
	case d.UserCodeHash == "":
		return invalid("device code", "UserCodeHash")
	case d.ClientID == "":
		return invalid("device code", "ClientID")
	case d.ExpiresAt.IsZero():
		return invalid("device code", "ExpiresAt")
	case d.Interval <= 0:
		return invalid("device code", "a positive Interval")
	}
	return nil
}
