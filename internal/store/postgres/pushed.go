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

type pushed struct{ d *DB }

// PushedRequests returns the store of pushed authorization requests
// (RFC 9126).
func (d *DB) PushedRequests() store.PushedRequestStore { return pushed{d} }

// Put inserts the request in one statement; a hash already stored is a
// unique violation: ErrConflict, nothing stored.
func (ps pushed) Put(ctx context.Context, p store.PushedRequest) error {
	if err := p.Validate(); err != nil {
		return err
	}
	_, err := ps.d.exec(ctx, "push authorization request", `INSERT INTO pushed_requests (hash, client_id, params, expires_at)
		VALUES ($1, $2, $3, $4)`, p.Hash, p.ClientID, p.Params, canon.Micros(p.ExpiresAt))
	return err
}

// Take deletes the row with RETURNING in one statement: of concurrent
// takes on any connection, the one whose DELETE removed the row gets the
// request; the others wait for its commit, find no row, and get
// ErrNotFound. An expired request is removed all the same and returned
// with ErrExpired.
func (ps pushed) Take(ctx context.Context, hash string, now time.Time) (store.PushedRequest, error) {
	if err := canon.RequireNow(now); err != nil {
		return store.PushedRequest{}, err
	}
	if !storableText(hash) {
		return store.PushedRequest{}, fmt.Errorf("take pushed request: %w", store.ErrNotFound)
	}
	var p store.PushedRequest
	var outcome error
	err := ps.d.write(ctx, "take pushed request", func(ctx context.Context, tx pgx.Tx) error {
		p, outcome = store.PushedRequest{}, nil
		var err error
		p, err = canon.ScanPushed(tx.QueryRow(ctx, `DELETE FROM pushed_requests WHERE hash = $1
			RETURNING hash, client_id, params, expires_at`, hash))
		if errors.Is(err, pgx.ErrNoRows) {
			outcome = fmt.Errorf("take pushed request: %w", store.ErrNotFound)
			return nil
		}
		if err != nil {
			return err
		}
		if !now.Before(p.ExpiresAt) {
			outcome = fmt.Errorf("take pushed request: %w", store.ErrExpired)
		}
		return nil
	})
	if err != nil {
		return store.PushedRequest{}, err
	}
	return p, outcome
}

func (ps pushed) CountLive(ctx context.Context, clientID string, now time.Time) (n int, err error) {
	err = ps.d.readRow(ctx, "count pushed requests", func(r pgx.Row) error { return r.Scan(&n) },
		`SELECT COUNT(*) FROM pushed_requests WHERE client_id = $1 AND expires_at > $2`, clientID, canon.Micros(now))
	return n, err
}
