package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

type replays struct{ d *DB }

// Replays returns the store of single-use values.
func (d *DB) Replays() store.ReplayStore { return replays{d} }

// Use inserts the key, or replaces a record that expired at now, in one
// statement: no row changed means a live record exists.
func (rs replays) Use(ctx context.Context, key string, now, expiresAt time.Time) error {
	if key == "" {
		return fmt.Errorf("replay key: %w", store.ErrInvalid)
	}
	return rs.d.write(ctx, "use replay key", func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO replay_keys (key, expires_at) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
			WHERE replay_keys.expires_at <= ?`, key, canon.Micros(expiresAt), canon.Micros(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("replay key: %w", store.ErrReplayed)
		}
		return nil
	})
}
