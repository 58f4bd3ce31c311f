package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

type sessions struct{ d *DB }

// Sessions returns the browser session store.
func (d *DB) Sessions() store.SessionStore { return sessions{d} }

// insertSession makes room for b (store.SessionStore.Create) and inserts
// it. Two creates racing may each evict, so the cap holds within the
// number of concurrent creates.
func insertSession(ctx context.Context, tx pgx.Tx, b store.BrowserSession, limit int) error {
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM browser_sessions WHERE hash = $1)`, b.Hash).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return fmt.Errorf("browser session: %w", store.ErrConflict)
	}
	if limit > 0 {
		anon := b.Anonymous()
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM browser_sessions WHERE (subject = '') = $1`, anon).Scan(&n); err != nil {
			return err
		}
		if n >= limit {
			victims := `SELECT hash FROM browser_sessions WHERE (subject = '') = $1 ORDER BY expires_at, hash COLLATE "C" LIMIT $2`
			if _, err := tx.Exec(ctx, `DELETE FROM pending_requests WHERE session_hash IN (`+victims+`)`, anon, n-limit+1); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM browser_sessions WHERE hash IN (`+victims+`)`, anon, n-limit+1); err != nil {
				return err
			}
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO browser_sessions (`+canon.SessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		b.Hash, b.Username, b.Subject, canon.Micros(b.AuthTime), b.SID, canon.Micros(b.CreatedAt), canon.Micros(b.ExpiresAt))
	return err
}

func (ss sessions) Create(ctx context.Context, b store.BrowserSession, now time.Time, limit int) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return ss.d.write(ctx, "create browser session", func(ctx context.Context, tx pgx.Tx) error {
		return insertSession(ctx, tx, b, limit)
	})
}

func (ss sessions) Get(ctx context.Context, hash string, now time.Time) (b store.BrowserSession, err error) {
	err = ss.d.readRow(ctx, "browser session", func(r pgx.Row) error {
		b, err = canon.ScanSession(r)
		return err
	}, `SELECT `+canon.SessionColumns+` FROM browser_sessions WHERE hash = $1 AND expires_at > $2`, hash, canon.Micros(now))
	return b, err
}

func (ss sessions) Touch(ctx context.Context, hash string, now, expiresAt time.Time) error {
	n, err := ss.d.exec(ctx, "touch browser session", `UPDATE browser_sessions SET expires_at = $1 WHERE hash = $2 AND expires_at > $3`,
		canon.Micros(expiresAt), hash, canon.Micros(now))
	if err != nil {
		return err
	}
	return affected(n, "browser session")
}

// Replace deletes the old session first: of concurrent replaces of one
// session, the first DELETE locks the row and the others, once it
// commits, find nothing (ErrNotFound).
func (ss sessions) Replace(ctx context.Context, oldHash string, b store.BrowserSession, now time.Time, limit int) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return ss.d.write(ctx, "replace browser session", func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM browser_sessions WHERE hash = $1 AND expires_at > $2`, oldHash, canon.Micros(now))
		if err != nil {
			return err
		}
		if err := affected(tag.RowsAffected(), "browser session"); err != nil {
			return err
		}
		if err := insertSession(ctx, tx, b, limit); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE pending_requests SET session_hash = $1 WHERE session_hash = $2`, b.Hash, oldHash)
		return err
	})
}

func (ss sessions) Delete(ctx context.Context, hash string) error {
	return ss.d.write(ctx, "delete browser session", func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM pending_requests WHERE session_hash = $1`, hash); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM browser_sessions WHERE hash = $1`, hash)
		return err
	})
}

func (ss sessions) PutPending(ctx context.Context, p store.PendingRequest, now time.Time, limit int) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return ss.d.write(ctx, "store waiting request", func(ctx context.Context, tx pgx.Tx) error {
		var live bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM browser_sessions WHERE hash = $1 AND expires_at > $2 FOR SHARE)`,
			p.SessionHash, canon.Micros(now)).Scan(&live); err != nil {
			return err
		}
		if !live {
			return fmt.Errorf("browser session: %w", store.ErrNotFound)
		}
		data := p.Data
		if data == nil {
			data = []byte{}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO pending_requests (session_hash, id, data, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_hash, id) DO UPDATE SET
				data = excluded.data, created_at = excluded.created_at, expires_at = excluded.expires_at`,
			p.SessionHash, p.ID, data, canon.Micros(p.CreatedAt), canon.Micros(p.ExpiresAt)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM pending_requests WHERE session_hash = $1 AND id <> $2 AND expires_at <= $3`,
			p.SessionHash, p.ID, canon.Micros(now)); err != nil {
			return err
		}
		if limit <= 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `DELETE FROM pending_requests WHERE session_hash = $1 AND id IN (
			SELECT id FROM pending_requests WHERE session_hash = $1 AND id <> $2
			ORDER BY created_at DESC, id COLLATE "C" DESC OFFSET $3)`, p.SessionHash, p.ID, limit-1)
		return err
	})
}

func (ss sessions) GetPending(ctx context.Context, sessionHash, id string, now time.Time) (p store.PendingRequest, err error) {
	err = ss.d.readRow(ctx, "waiting request", func(r pgx.Row) error {
		p, err = canon.ScanPending(r, sessionHash, id)
		return err
	}, `SELECT p.data, p.created_at, p.expires_at FROM pending_requests p JOIN browser_sessions s ON s.hash = p.session_hash
		WHERE p.session_hash = $1 AND p.id = $2 AND p.expires_at > $3 AND s.expires_at > $3`, sessionHash, id, canon.Micros(now))
	return p, err
}

func (ss sessions) DeletePending(ctx context.Context, sessionHash, id string) error {
	_, err := ss.d.exec(ctx, "delete waiting request", `DELETE FROM pending_requests WHERE session_hash = $1 AND id = $2`, sessionHash, id)
	return err
}

type consents struct{ d *DB }

// Consents returns the store of remembered consents. The rows reference
// their client and user, and go with them; a grant for a client or user
// that does not exist is ErrNotFound.
func (d *DB) Consents() store.ConsentStore { return consents{d} }

func (cs consents) Grant(ctx context.Context, subject, clientID string, scopes []string, now time.Time) error {
	if subject == "" || clientID == "" {
		return fmt.Errorf("consent: subject and client are required: %w", store.ErrInvalid)
	}
	if len(scopes) == 0 {
		return nil
	}
	_, err := cs.d.exec(ctx, "remember consent", `INSERT INTO consents (subject, client_id, scope, granted_at)
		SELECT $1, $2, s, $4 FROM unnest($3::text[]) AS s ON CONFLICT DO NOTHING`, subject, clientID, scopes, canon.Micros(now))
	return err
}

func (cs consents) Scopes(ctx context.Context, subject, clientID string) ([]string, error) {
	return list(ctx, cs.d, "consent", func(r canon.Scanner) (string, error) {
		var sc string
		err := r.Scan(&sc)
		return sc, err
	}, `SELECT scope FROM consents WHERE subject = $1 AND client_id = $2 ORDER BY scope COLLATE "C"`, subject, clientID)
}

// Delete removes a signing key (store.KeyStore).
func (ks keys) Delete(ctx context.Context, kid string) error {
	what := fmt.Sprintf("signing key %q", kid)
	n, err := ks.d.exec(ctx, "delete "+what, `DELETE FROM signing_keys WHERE kid = $1`, kid)
	if err != nil {
		return err
	}
	return affected(n, what)
}
