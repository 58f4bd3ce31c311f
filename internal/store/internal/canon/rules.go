package canon

import (
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// CodeFailure says why code c cannot be redeemed at now, or nil if it can.
// A used code is ErrAlreadyUsed even once expired: a replay is a replay.
func CodeFailure(c store.Code, now time.Time) error {
	switch {
	case !c.UsedAt.IsZero():
		return fmt.Errorf("redeem code: %w", store.ErrAlreadyUsed)
	case !Time(now).Before(c.ExpiresAt):
		return fmt.Errorf("redeem code: code %w", store.ErrExpired)
	}
	return nil
}

// RefreshFailure says why token t of family f cannot be rotated at now, or
// nil if it can. For a rotated token it returns ErrConcurrentUse within
// leeway of the rotation and ErrReused after (the caller then revokes f).
func RefreshFailure(t store.RefreshToken, f store.Family, now time.Time, leeway time.Duration) error {
	now = Time(now)
	switch {
	case t.Status == store.StatusRotated:
		if !now.After(t.RotatedAt.Add(Leeway(leeway))) {
			return fmt.Errorf("rotate refresh token: %w", store.ErrConcurrentUse)
		}
		return fmt.Errorf("rotate refresh token: %w", store.ErrReused)
	case t.Status == store.StatusRevoked || f.Revoked:
		return fmt.Errorf("rotate refresh token: grant %w", store.ErrRevoked)
	case !now.Before(t.ExpiresAt):
		return fmt.Errorf("rotate refresh token: token %w", store.ErrExpired)
	}
	return nil
}

// RequireNow refuses the zero time where a call needs the request's time.
func RequireNow(now time.Time) error {
	if now.IsZero() {
		return fmt.Errorf("the time of the request is required: %w", store.ErrInvalid)
	}
	return nil
}

// Leeway is d at the stores' precision (microseconds), never negative.
func Leeway(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d.Truncate(time.Microsecond)
}

// FamilyFromCode fills the grant family a redeemed code creates: the
// code's client, user, scope, sign-in time, session and resources,
// CreatedAt now.
func FamilyFromCode(id string, c store.Code, now time.Time) store.Family {
	return store.Family{ID: id, ClientID: c.ClientID, Subject: c.Subject, Scope: c.Scope,
		AuthTime: Time(c.AuthTime), SessionID: c.SessionID, Resource: c.Resource, CreatedAt: Time(now), CodeHash: c.Hash}
}

// CheckRedemption validates what RedeemInto is given: a family ID, and a
// complete first refresh token when there is one.
func CheckRedemption(fam store.Family, first store.RefreshToken) error {
	if fam.ID == "" {
		return fmt.Errorf("redeem code: grant family ID is required: %w", store.ErrInvalid)
	}
	if first.Hash != "" {
		return first.Validate()
	}
	return nil
}
