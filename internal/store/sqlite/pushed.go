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

type pushed struct{ d *DB }

// PushedRequests returns the store of pushed authorization requests.
func (d *DB) PushedRequests() store.PushedRequestStore { return pushed{d} }

func (ps pushed) Put(ctx context.Context, p store.PushedRequest) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return ps.d.write(ctx, "push authorization request", func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO pushed_requests (hash, client_id, params, expires_at) VALUES (?, ?, ?, ?)`,
			p.Hash, p.ClientID, p.Params, canon.Micros(p.ExpiresAt))
		return err
	})
}

// Take deletes the row with RETURNING in one statement: the one caller
// whose DELETE removed it gets the request.
func (ps pushed) Take(ctx context.Context, hash string, now time.Time) (store.PushedRequest, error) {
	if err := canon.RequireNow(now); err != nil {
		return store.PushedRequest{}, err
	}
	var p store.PushedRequest
	var outcome error
	err := ps.d.write(ctx, "take pushed request", func(ctx context.Context, tx *wtx) error {
		var err error
		p, err = canon.ScanPushed(tx.QueryRowContext(ctx, `DELETE FROM pushed_requests WHERE hash = ?
			RETURNING hash, client_id, params, expires_at`, hash))
		if errors.Is(err, sql.ErrNoRows) {
			outcome = fmt.Errorf("pushed request: %w", store.ErrNotFound)
			return nil
		}
		if err != nil {
			return err
		}
		if !now.Before(p.ExpiresAt) {
			outcome = fmt.Errorf("pushed request: %w", store.ErrExpired)
		}
		return nil
	})
	if err != nil {
		return store.PushedRequest{}, err
	}
	return p, outcome
}

func (ps pushed) CountLive(ctx context.Context, clientID string, now time.Time) (n int, err error) {
	err = ps.d.readRow(ctx, "count pushed requests", func(r *sql.Row) error { return r.Scan(&n) },
		`SELECT COUNT(*) FROM pushed_requests WHERE client_id = ? AND expires_at > ?`, clientID, canon.Micros(now))
	return n, err
}
