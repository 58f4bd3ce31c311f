package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

type deviceCodes struct{ s *Store }

// DeviceCodes returns the store of device authorizations (RFC 8628).
func (s *Store) DeviceCodes() store.DeviceCodeStore { return deviceCodes{s} }

func (ds deviceCodes) Create(ctx context.Context, d store.DeviceCode) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if err := ds.s.lock(ctx); err != nil {
		return err
	}
	defer ds.s.mu.Unlock()
	s := ds.s
	if _, ok := s.devices[d.Hash]; ok {
		return fmt.Errorf("create device code: %w", store.ErrConflict)
	}
	if _, ok := s.deviceByUser[d.UserCodeHash]; ok {
		return fmt.Errorf("create device code: user code %w", store.ErrConflict)
	}
	s.devices[d.Hash] = canon.NewDeviceCode(d)
	s.deviceByUser[d.UserCodeHash] = d.Hash
	return nil
}

func (ds deviceCodes) GetByUserCode(ctx context.Context, userCodeHash string) (store.DeviceCode, error) {
	if err := ds.s.lock(ctx); err != nil {
		return store.DeviceCode{}, err
	}
	defer ds.s.mu.Unlock()
	d, ok := ds.s.devices[ds.s.deviceByUser[userCodeHash]]
	if !ok {
		return store.DeviceCode{}, fmt.Errorf("device code: %w", store.ErrNotFound)
	}
	return d, nil
}

func (ds deviceCodes) Decide(ctx context.Context, userCodeHash string, dec store.DeviceDecision) (store.DeviceCode, error) {
	if err := canon.CheckDeviceDecision(dec); err != nil {
		return store.DeviceCode{}, err
	}
	if err := ds.s.lock(ctx); err != nil {
		return store.DeviceCode{}, err
	}
	defer ds.s.mu.Unlock()
	s := ds.s
	d, ok := s.devices[s.deviceByUser[userCodeHash]]
	if !ok {
		return store.DeviceCode{}, fmt.Errorf("decide device code: %w", store.ErrNotFound)
	}
	next, err := canon.DeviceDecide(d, dec)
	if err != nil {
		return next, err
	}
	s.devices[d.Hash] = next
	return next, nil
}

func (ds deviceCodes) Poll(ctx context.Context, p store.DevicePoll) (store.DeviceCode, error) {
	if err := canon.CheckDevicePoll(p); err != nil {
		return store.DeviceCode{}, err
	}
	if err := ds.s.lock(ctx); err != nil {
		return store.DeviceCode{}, err
	}
	defer ds.s.mu.Unlock()
	s := ds.s
	d, ok := s.devices[p.Hash]
	if !ok {
		return store.DeviceCode{}, fmt.Errorf("poll device code: %w", store.ErrNotFound)
	}
	next, redeem, outcome := canon.DevicePollStep(d, p)
	if outcome != nil && next.Hash == "" {
		return next, outcome // another client's code: nothing changes
	}
	if redeem {
		if _, ok := s.families[p.Family.ID]; ok {
			return store.DeviceCode{}, fmt.Errorf("poll device code: grant %q: %w", p.Family.ID, store.ErrConflict)
		}
		if _, ok := s.refresh[p.First.Hash]; ok && p.First.Hash != "" {
			return store.DeviceCode{}, fmt.Errorf("poll device code: refresh token %w", store.ErrConflict)
		}
		s.families[p.Family.ID] = canon.FamilyFromDevice(p.Family.ID, next, p.Now)
		if p.First.Hash != "" {
			s.refresh[p.First.Hash] = newToken(p.First, p.Family.ID, 0)
		}
	}
	s.devices[d.Hash] = next
	return next, outcome
}

func (ds deviceCodes) CountLive(ctx context.Context, clientID string, now time.Time) (int, error) {
	if err := ds.s.lock(ctx); err != nil {
		return 0, err
	}
	defer ds.s.mu.Unlock()
	n := 0
	for _, d := range ds.s.devices {
		if d.ClientID == clientID && d.Status == store.DeviceStatusPending && now.Before(d.ExpiresAt) {
			n++
		}
	}
	return n, nil
}

// purgeDevices deletes device codes that expired before the cutoff, at
// most limit of them; mu must be held.
func (s *Store) purgeDevices(before time.Time, limit int) int {
	n := 0
	for h, d := range s.devices {
		if n >= limit {
			break
		}
		if d.ExpiresAt.Before(before) {
			delete(s.devices, h)
			delete(s.deviceByUser, d.UserCodeHash)
			n++
		}
	}
	return n
}
