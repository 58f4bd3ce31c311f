package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

// purgeLockKey is the transaction advisory lock one Purge holds: of several
// replicas purging at once, one deletes and the others skip their round
// (they find the lock taken and return 0, so authserver.PurgeExpired stops
// until its next tick). The value is arbitrary and fixed, distinct from
// migrateLockKey.
const purgeLockKey int64 = 0x1d0f6a3c5e2b4a72

// Purge deletes at most limit expired records in one short transaction
// (store.Store), unless another connection is purging this database right
// now: then it deletes nothing and returns 0. Rows another transaction has
// locked (a family being rotated, a code being redeemed, a device code
// being polled or decided, a pushed request being taken) are skipped, not
// waited for.
func (d *DB) Purge(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	n := 0
	err := d.write(ctx, "purge", func(ctx context.Context, tx pgx.Tx) error {
		n = 0
		var mine bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, purgeLockKey).Scan(&mine); err != nil || !mine {
			return err
		}
		cut := canon.Micros(before)
		for _, q := range []string{
			`DELETE FROM auth_codes WHERE hash IN (SELECT hash FROM auth_codes WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			`DELETE FROM refresh_tokens WHERE hash IN (SELECT hash FROM refresh_tokens WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			`DELETE FROM access_tokens WHERE id IN (SELECT id FROM access_tokens WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			`DELETE FROM device_codes WHERE hash IN (SELECT hash FROM device_codes WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			`DELETE FROM replay_keys WHERE key IN (SELECT key FROM replay_keys WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			`DELETE FROM pending_requests WHERE (session_hash, id) IN (SELECT p.session_hash, p.id FROM pending_requests p
				WHERE p.expires_at < $1 OR p.session_hash IN (SELECT hash FROM browser_sessions WHERE expires_at < $1)
				LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			`DELETE FROM browser_sessions WHERE hash IN (SELECT s.hash FROM browser_sessions s WHERE s.expires_at < $1
				AND NOT EXISTS (SELECT 1 FROM pending_requests p WHERE p.session_hash = s.hash) LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			`DELETE FROM pushed_requests WHERE hash IN (SELECT hash FROM pushed_requests WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			`DELETE FROM grant_families WHERE id IN (SELECT f.id FROM grant_families f WHERE f.created_at < $1
				AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id)
				AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.family_id = f.id) LIMIT $2 FOR UPDATE SKIP LOCKED)`,
		} {
			if n >= limit {
				return nil
			}
			tag, err := tx.Exec(ctx, q, cut, limit-n)
			if err != nil {
				return err
			}
			n += int(tag.RowsAffected())
		}
		return nil
	})
	return n, err
}
