package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

type deviceCodes struct{ d *DB }

// DeviceCodes returns the store of device authorizations (RFC 8628).
func (d *DB) DeviceCodes() store.DeviceCodeStore { return deviceCodes{d} }

func (ds deviceCodes) Create(ctx context.Context, d store.DeviceCode) error {
	if err := d.Validate(); err != nil {
		return err
	}
	d = canon.NewDeviceCode(d)
	return ds.d.write(ctx, "create device code", func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO device_codes (hash, user_code_hash, client_id, scope, interval_us, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			d.Hash, d.UserCodeHash, d.ClientID, d.Scope, d.Interval.Microseconds(), canon.Micros(d.CreatedAt), canon.Micros(d.ExpiresAt))
		return err
	})
}

func (ds deviceCodes) GetByUserCode(ctx context.Context, userCodeHash string) (d store.DeviceCode, err error) {
	err = ds.d.readRow(ctx, "device code", func(r *sql.Row) error {
		d, err = canon.ScanDevice(r)
		return err
	}, `SELECT `+canon.DeviceColumns+` FROM device_codes WHERE user_code_hash = ?`, userCodeHash)
	return d, err
}

// saveDevice writes back the fields Decide and Poll change.
func saveDevice(ctx context.Context, tx *wtx, d store.DeviceCode) error {
	_, err := tx.ExecContext(ctx, `UPDATE device_codes SET status = ?, subject = ?, auth_time = ?, session_id = ?,
			interval_us = ?, last_polled_at = ?, family_id = ? WHERE hash = ?`,
		d.Status, d.Subject, canon.Micros(d.AuthTime), d.SessionID, d.Interval.Microseconds(),
		canon.Micros(d.LastPolledAt), d.FamilyID, d.Hash)
	return err
}

// Decide reads and updates the record in one write transaction (BEGIN
// IMMEDIATE), so concurrent decisions are serialized.
func (ds deviceCodes) Decide(ctx context.Context, userCodeHash string, dec store.DeviceDecision) (store.DeviceCode, error) {
	if err := canon.CheckDeviceDecision(dec); err != nil {
		return store.DeviceCode{}, err
	}
	var out store.DeviceCode
	var outcome error
	err := ds.d.write(ctx, "decide device code", func(ctx context.Context, tx *wtx) error {
		d, err := canon.ScanDevice(tx.QueryRowContext(ctx, `SELECT `+canon.DeviceColumns+` FROM device_codes WHERE user_code_hash = ?`, userCodeHash))
		if errors.Is(err, sql.ErrNoRows) {
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

// Poll reads and updates the record, and creates the grant of an approved
// one, in one write transaction (BEGIN IMMEDIATE): of concurrent polls the
// first redeems, the next ones read it redeemed.
func (ds deviceCodes) Poll(ctx context.Context, p store.DevicePoll) (store.DeviceCode, error) {
	if err := canon.CheckDevicePoll(p); err != nil {
		return store.DeviceCode{}, err
	}
	var out store.DeviceCode
	var outcome error
	err := ds.d.write(ctx, "poll device code", func(ctx context.Context, tx *wtx) error {
		d, err := canon.ScanDevice(tx.QueryRowContext(ctx, `SELECT `+canon.DeviceColumns+` FROM device_codes WHERE hash = ?`, p.Hash))
		if errors.Is(err, sql.ErrNoRows) {
			outcome = fmt.Errorf("poll device code: %w", store.ErrNotFound)
			return nil
		}
		if err != nil {
			return err
		}
		var redeem bool
		out, redeem, outcome = canon.DevicePollStep(d, p)
		if outcome != nil && !errors.Is(outcome, store.ErrSlowDown) {
			return nil
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
	err = ds.d.readRow(ctx, "count device codes", func(r *sql.Row) error { return r.Scan(&n) },
		`SELECT COUNT(*) FROM device_codes WHERE client_id = ? AND status = 'pending' AND expires_at > ?`, clientID, canon.Micros(now))
	return n, err
}
