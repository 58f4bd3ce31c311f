package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

type deviceCodes struct{ d *DB }

// DeviceCodes returns the store of device authorizations (RFC 8628).
func (d *DB) DeviceCodes() store.DeviceCodeStore { return deviceCodes{d} }

// Create inserts the record, pending, in one statement; a device code or
// user code hash already stored is a unique violation: ErrConflict, nothing
// stored.
func (ds deviceCodes) Create(ctx context.Context, d store.DeviceCode) error {
	if err := d.Validate(); err != nil {
		return err
	}
	d = canon.NewDeviceCode(d)
	_, err := ds.d.exec(ctx, "create device code", `INSERT INTO device_codes (hash, user_code_hash, client_id, scope, interval_us, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		d.Hash, d.UserCodeHash, d.ClientID, d.Scope, d.Interval.Microseconds(), canon.Micros(d.CreatedAt), canon.Micros(d.ExpiresAt))
	return err
}

func (ds deviceCodes) GetByUserCode(ctx context.Context, userCodeHash string) (d store.DeviceCode, err error) {
	err = ds.d.readRow(ctx, "device code", func(r pgx.Row) error {
		d, err = canon.ScanDevice(r)
		return err
	}, `SELECT `+canon.DeviceColumns+` FROM device_codes WHERE user_code_hash = $1`, userCodeHash)
	return d, err
}

// saveDevice writes back the fields Decide and Poll change.
func saveDevice(ctx context.Context, tx pgx.Tx, d store.DeviceCode) error {
	_, err := tx.Exec(ctx, `UPDATE device_codes SET status = $1, subject = $2, auth_time = $3, session_id = $4,
			interval_us = $5, last_polled_at = $6, family_id = $7 WHERE hash = $8`,
		string(d.Status), d.Subject, canon.Micros(d.AuthTime), d.SessionID, d.Interval.Microseconds(),
		canon.Micros(d.LastPolledAt), d.FamilyID, d.Hash)
	return err
}

// Decide runs in one transaction that locks the record's row (SELECT …
// FOR UPDATE) before judging it by canon.DeviceDecide: of concurrent
// decisions on any connection, one decides; the others wait for its
// commit, then read the row as committed — no longer pending — and get
// ErrAlreadyUsed.
func (ds deviceCodes) Decide(ctx context.Context, userCodeHash string, dec store.DeviceDecision) (store.DeviceCode, error) {
	if err := canon.CheckDeviceDecision(dec); err != nil {
		return store.DeviceCode{}, err
	}
	if !storableText(userCodeHash) {
		return store.DeviceCode{}, fmt.Errorf("decide device code: %w", store.ErrNotFound)
	}
	var out store.DeviceCode
	var outcome error
	err := ds.d.write(ctx, "decide device code", func(ctx context.Context, tx pgx.Tx) error {
		out, outcome = store.DeviceCode{}, nil
		d, err := canon.ScanDevice(tx.QueryRow(ctx, `SELECT `+canon.DeviceColumns+` FROM device_codes
			WHERE user_code_hash = $1 FOR UPDATE`, userCodeHash))
		if errors.Is(err, pgx.ErrNoRows) {
			outcome = fmt.Errorf("decide device code: %w", store.ErrNotFound)
			return nil
		}
		if err != nil {
			return err
		}
		if out, outcome = canon.DeviceDecide(d, dec); outcome != nil {
			return nil
		}
		return saveDevice(ctx, tx, out)
	})
	if err != nil {
		return store.DeviceCode{}, err
	}
	return out, outcome
}

// Poll runs in one transaction that locks the record's row (SELECT … FOR
// UPDATE) and judges it by canon.DevicePollStep. The poll that finds it
// approved marks it redeemed and creates the grant family and its first
// refresh token in the same transaction (a family ID or token hash already
// stored: ErrConflict, and the transaction, the record's change included,
// is rolled back). Concurrent polls wait for the lock, then read the row
// as committed: redeemed (ErrAlreadyUsed), or polled just now (ErrSlowDown).
func (ds deviceCodes) Poll(ctx context.Context, p store.DevicePoll) (store.DeviceCode, error) {
	if err := canon.CheckDevicePoll(p); err != nil {
		return store.DeviceCode{}, err
	}
	if !storableText(p.Hash) {
		return store.DeviceCode{}, fmt.Errorf("poll device code: %w", store.ErrNotFound)
	}
	var out store.DeviceCode
	var outcome error
	err := ds.d.write(ctx, "poll device code", func(ctx context.Context, tx pgx.Tx) error {
		out, outcome = store.DeviceCode{}, nil
		d, err := canon.ScanDevice(tx.QueryRow(ctx, `SELECT `+canon.DeviceColumns+` FROM device_codes
			WHERE hash = $1 FOR UPDATE`, p.Hash))
		if errors.Is(err, pgx.ErrNoRows) {
			outcome = fmt.Errorf("poll device code: %w", store.ErrNotFound)
			return nil
		}
		if err != nil {
			return err
		}
		var redeem bool
		out, redeem, outcome = canon.DevicePollStep(d, p)
		if outcome != nil && !errors.Is(outcome, store.ErrSlowDown) {
			return nil // nothing changes
		}
		if redeem {
			if err := createFamily(ctx, tx, canon.FamilyFromDevice(p.Family.ID, out, p.Now), p.First); err != nil {
				return err
			}
		}
		return saveDevice(ctx, tx, out)
	})
	if err != nil {
		return store.DeviceCode{}, err
	}
	return out, outcome
}

func (ds deviceCodes) CountLive(ctx context.Context, clientID string, now time.Time) (n int, err error) {
	err = ds.d.readRow(ctx, "count device codes", func(r pgx.Row) error { return r.Scan(&n) },
		`SELECT COUNT(*) FROM device_codes WHERE client_id = $1 AND status = 'pending' AND expires_at > $2`, clientID, canon.Micros(now))
	return n, err
}
