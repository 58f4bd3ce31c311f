package sqlite

import (
	"context"

	"time"

	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

// Purge deletes expired records, at most limit of them, in one short write
// transaction (store.Store).
func (d *DB) Purge(ctx context.Context, before time.Time, limit int) (int, error) {
	n := 0
	err := d.write(ctx, "purge", func(ctx context.Context, tx *wtx) error {
		n = 0
		cut := canon.Micros(before)
		for _, q := range []string{
			`DELETE FROM auth_codes WHERE hash IN (SELECT hash FROM auth_codes WHERE expires_at < ? LIMIT ?)`,
			`DELETE FROM refresh_tokens WHERE hash IN (SELECT hash FROM refresh_tokens WHERE expires_at < ? LIMIT ?)`,
			`DELETE FROM access_tokens WHERE id IN (SELECT id FROM access_tokens WHERE expires_at < ? LIMIT ?)`,
			`DELETE FROM device_codes WHERE hash IN (SELECT hash FROM device_codes WHERE expires_at < ? LIMIT ?)`,
			`DELETE FROM replay_keys WHERE key IN (SELECT key FROM replay_keys WHERE expires_at < ? LIMIT ?)`,
			`DELETE FROM pushed_requests WHERE hash IN (SELECT hash FROM pushed_requests WHERE expires_at < ? LIMIT ?)`,
			`DELETE FROM pending_requests WHERE rowid IN (SELECT p.rowid FROM pending_requests p WHERE p.expires_at < ?1
				OR p.session_hash IN (SELECT hash FROM browser_sessions WHERE expires_at < ?1) LIMIT ?2)`,
			`DELETE FROM browser_sessions WHERE hash IN (SELECT s.hash FROM browser_sessions s WHERE s.expires_at < ?
				AND NOT EXISTS (SELECT 1 FROM pending_requests p WHERE p.session_hash = s.hash) LIMIT ?)`,
			`DELETE FROM grant_families WHERE id IN (SELECT f.id FROM grant_families f WHERE f.created_at < ?
				AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id)
				AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.family_id = f.id) LIMIT ?)`,
		} {
			if n >= limit {
				return nil
			}
			res, err := tx.ExecContext(ctx, q, cut, limit-n)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	return n, err
}
