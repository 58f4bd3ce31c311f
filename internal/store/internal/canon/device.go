package canon

import (
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// NewDeviceCode is the record DeviceCodeStore.Create stores: pending, the
// fields the store sets cleared, times canonical.
func NewDeviceCode(d store.DeviceCode) store.DeviceCode {
	d.Status = store.DeviceStatusPending
	d.Subject, d.SessionID, d.FamilyID = "", "", ""
	d.AuthTime, d.LastPolledAt = time.Time{}, time.Time{}
	d.CreatedAt, d.ExpiresAt = Time(d.CreatedAt), Time(d.ExpiresAt)
	d.Interval = Leeway(d.Interval)
	return d
}

// CheckDeviceDecision validates what Decide is given.
func CheckDeviceDecision(dec store.DeviceDecision) error {
	if err := RequireNow(dec.Now); err != nil {
		return err
	}
	if dec.Approve && dec.Subject == "" {
		return fmt.Errorf("approve device code: the subject is required: %w", store.ErrInvalid)
	}
	return nil
}

// DeviceDecide applies a decision to record d (DeviceCodeStore.Decide):
// the updated record, or d and why it cannot be decided.
func DeviceDecide(d store.DeviceCode, dec store.DeviceDecision) (store.DeviceCode, error) {
	switch {
	case d.Status != store.DeviceStatusPending:
		return d, fmt.Errorf("decide device code: %w", store.ErrAlreadyUsed)
	case !Time(dec.Now).Before(d.ExpiresAt):
		return d, fmt.Errorf("decide device code: %w", store.ErrExpired)
	}
	if dec.Approve {
		d.Status = store.DeviceStatusApproved
		d.Subject, d.AuthTime, d.SessionID = dec.Subject, Time(dec.AuthTime), dec.SessionID
	} else {
		d.Status = store.DeviceStatusDenied
	}
	return d, nil
}

// CheckDevicePoll validates what Poll is given.
func CheckDevicePoll(p store.DevicePoll) error {
	if err := RequireNow(p.Now); err != nil {
		return err
	}
	if p.Family.ID == "" {
		return fmt.Errorf("poll device code: grant family ID is required: %w", store.ErrInvalid)
	}
	if p.First.Hash != "" {
		return p.First.Validate()
	}
	return nil
}

// DevicePollStep applies a poll to record d (DeviceCodeStore.Poll, whose
// doc gives the order of the checks): the record to store and return,
// whether the store must create the grant family now (the record was
// approved and is now redeemed), and the outcome. With a non-nil outcome
// other than ErrSlowDown the store changes nothing.
func DevicePollStep(d store.DeviceCode, p store.DevicePoll) (next store.DeviceCode, redeem bool, err error) {
	now := Time(p.Now)
	switch {
	case d.ClientID != p.ClientID:
		return store.DeviceCode{}, false, fmt.Errorf("poll device code: %w", store.ErrNotFound)
	case d.Status == store.DeviceStatusRedeemed:
		return d, false, fmt.Errorf("poll device code: %w", store.ErrAlreadyUsed)
	case !now.Before(d.ExpiresAt):
		return d, false, fmt.Errorf("poll device code: %w", store.ErrExpired)
	case !d.LastPolledAt.IsZero() && now.Before(d.LastPolledAt.Add(d.Interval)):
		d.Interval += Leeway(p.SlowDown)
		d.LastPolledAt = now
		return d, false, fmt.Errorf("poll device code: %w", store.ErrSlowDown)
	}
	d.LastPolledAt = now
	if d.Status == store.DeviceStatusApproved {
		d.Status, d.FamilyID = store.DeviceStatusRedeemed, p.Family.ID
		return d, true, nil
	}
	return d, false, nil
}

// FamilyFromDevice fills the grant family a redeemed device code creates.
func FamilyFromDevice(id string, d store.DeviceCode, now time.Time) store.Family {
	return store.Family{ID: id, ClientID: d.ClientID, Subject: d.Subject, Scope: d.Scope,
		AuthTime: Time(d.AuthTime), SessionID: d.SessionID, CreatedAt: Time(now)}
}
