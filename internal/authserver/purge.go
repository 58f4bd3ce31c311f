package authserver

import (
	"context"
	"time"
)

// Background clean-up of the store (docs/security.md rule 52).
const (
	// PurgeBatch bounds one purge transaction, so the writer is never held
	// for long.
	PurgeBatch = 500
	// PurgeGrace keeps expired records this long, so a code replayed soon
	// after its expiry is still recognised as a replay.
	PurgeGrace = time.Hour
)

// PurgeExpired deletes the records that expired more than PurgeGrace ago,
// in batches of PurgeBatch, and returns how many it deleted.
func (s *Server) PurgeExpired(ctx context.Context) (int, error) {
	before := s.now().Add(-PurgeGrace)
	total := 0
	for {
		n, err := s.store.Purge(ctx, before, PurgeBatch)
		total += n
		if err != nil || n < PurgeBatch {
			return total, err
		}
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}

// RunPurger calls PurgeExpired at once and then every interval until ctx
// ends.
func (s *Server) RunPurger(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("purging expired records failed", "err", err)
		} else if n > 0 {
			s.log.Info("purged expired records", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
