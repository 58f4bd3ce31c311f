package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

type replays struct{ d *DB }

// Use inserts the key, or replaces a record that expired at now, in one
// statement: INSERT … ON CONFLICT DO UPDATE is atomic in PostgreSQL (a
// concurrent insert of the same key waits for the first and then takes the
// conflict path), and no row changed means a live record exists.
func (rs replays) Use(ctx context.Context, key string, now, expiresAt time.Time) error {
	if key == "" {
		return fmt.Errorf("replay key: %w", store.ErrInvalid)
	}
	n, err := rs.d.exec(ctx, "use replay key", `INSERT INTO replay_keys (key, expires_at) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
		WHERE replay_keys.expires_at <= $3`, key, canon.Micros(expiresAt), canon.Micros(now))
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("replay key: %w", store.ErrReplayed)
	}
	return nil
}
