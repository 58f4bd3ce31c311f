package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

type replays struct{ s *Store }

// Replays returns the store of single-use values.
func (s *Store) Replays() store.ReplayStore { return replays{s} }

func (rs replays) Use(ctx context.Context, key string, now, expiresAt time.Time) error {
	if key == "" {
		return fmt.Errorf("replay key: %w", store.ErrInvalid)
	}
	if err := rs.s.lock(ctx); err != nil {
		return err
	}
	defer rs.s.mu.Unlock()
	if exp, ok := rs.s.replays[key]; ok && now.Before(exp) {
		return fmt.Errorf("replay key: %w", store.ErrReplayed)
	}
	rs.s.replays[key] = expiresAt
	return nil
}
