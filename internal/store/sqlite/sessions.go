package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

// Sessions, waiting requests and remembered consents are written with
// writeRelaxed: their loss with a power failure fails closed (the person
// signs in or consents again), so no write here waits for an fsync of its
// own.
type sessions struct{ d *DB }

// Sessions returns the browser session store.
func (d *DB) Sessions() store.SessionStore { return sessions{d} }

// insertSession makes room for b (store.SessionStore.Create) and inserts
// it; tx is the write transaction.
func insertSession(ctx context.Context, tx *wtx, b store.BrowserSession, limit int) error {
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM browser_sessions WHERE hash = ?`, b.Hash).Scan(&exists); err != nil {
		return err
	}
	if exists > 0 {
		return fmt.Errorf("browser session: %w", store.ErrConflict)
	}
	if limit > 0 {
		anon := b.Anonymous()
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM browser_sessions WHERE (subject = '') = ?`, anon).Scan(&n); err != nil {
			return err
		}
		if n >= limit {
			victims := `SELECT hash FROM browser_sessions WHERE (subject = '') = ?1 ORDER BY expires_at, hash LIMIT ?2`
			if _, err := tx.ExecContext(ctx, `DELETE FROM pending_requests WHERE session_hash IN (`+victims+`)`, anon, n-limit+1); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM browser_sessions WHERE hash IN (`+victims+`)`, anon, n-limit+1); err != nil {
				return err
			}
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO browser_sessions (`+canon.SessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		b.Hash, b.Username, b.Subject, canon.Micros(b.AuthTime), b.SID, canon.Micros(b.CreatedAt), canon.Micros(b.ExpiresAt))
	return err
}

func (ss sessions) Create(ctx context.Context, b store.BrowserSession, now time.Time, limit int) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return ss.d.writeRelaxed(ctx, "create browser session", func(ctx context.Context, tx *wtx) error {
		return insertSession(ctx, tx, b, limit)
	})
}

func (ss sessions) Get(ctx context.Context, hash string, now time.Time) (b store.BrowserSession, err error) {
	err = ss.d.readRow(ctx, "browser session", func(r *sql.Row) error {
		b, err = canon.ScanSession(r)
		return err
	}, `SELECT `+canon.SessionColumns+` FROM browser_sessions WHERE hash = ? AND expires_at > ?`, hash, canon.Micros(now))
	return b, err
}

func (ss sessions) Touch(ctx context.Context, hash string, now, expiresAt time.Time) error {
	return ss.d.writeRelaxed(ctx, "touch browser session", func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE browser_sessions SET expires_at = ? WHERE hash = ? AND expires_at > ?`,
			canon.Micros(expiresAt), hash, canon.Micros(now))
		if err != nil {
			return err
		}
		return affected(res, "browser session")
	})
}

func (ss sessions) Replace(ctx context.Context, oldHash string, b store.BrowserSession, now time.Time, limit int) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return ss.d.writeRelaxed(ctx, "replace browser session", func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM browser_sessions WHERE hash = ? AND expires_at > ?`, oldHash, canon.Micros(now))
		if err != nil {
			return err
		}
		if err := affected(res, "browser session"); err != nil {
			return err
		}
		if err := insertSession(ctx, tx, b, limit); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE pending_requests SET session_hash = ? WHERE session_hash = ?`, b.Hash, oldHash)
		return err
	})
}

func (ss sessions) Delete(ctx context.Context, hash string) error {
	return ss.d.writeRelaxed(ctx, "delete browser session", func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM pending_requests WHERE session_hash = ?`, hash); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM browser_sessions WHERE hash = ?`, hash)
		return err
	})
}

func (ss sessions) PutPending(ctx context.Context, p store.PendingRequest, now time.Time, limit int) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return ss.d.writeRelaxed(ctx, "store waiting request", func(ctx context.Context, tx *wtx) error {
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM browser_sessions WHERE hash = ? AND expires_at > ?`,
			p.SessionHash, canon.Micros(now)).Scan(&live); err != nil {
			return err
		}
		if live == 0 {
			return fmt.Errorf("browser session: %w", store.ErrNotFound)
		}
		data := p.Data
		if data == nil {
			data = []byte{}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pending_requests (session_hash, id, data, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_hash, id) DO UPDATE SET
				data = excluded.data, created_at = excluded.created_at, expires_at = excluded.expires_at`,
			p.SessionHash, p.ID, data, canon.Micros(p.CreatedAt), canon.Micros(p.ExpiresAt)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM pending_requests WHERE session_hash = ? AND id <> ? AND expires_at <= ?`,
			p.SessionHash, p.ID, canon.Micros(now)); err != nil {
			return err
		}
		if limit <= 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM pending_requests WHERE session_hash = ?1 AND id IN (
			SELECT id FROM pending_requests WHERE session_hash = ?1 AND id <> ?2 ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?3)`,
			p.SessionHash, p.ID, limit-1)
		return err
	})
}

func (ss sessions) GetPending(ctx context.Context, sessionHash, id string, now time.Time) (p store.PendingRequest, err error) {
	err = ss.d.readRow(ctx, "waiting request", func(r *sql.Row) error {
		p, err = canon.ScanPending(r, sessionHash, id)
		return err
	}, `SELECT p.data, p.created_at, p.expires_at FROM pending_requests p JOIN browser_sessions s ON s.hash = p.session_hash
		WHERE p.session_hash = ?1 AND p.id = ?2 AND p.expires_at > ?3 AND s.expires_at > ?3`, sessionHash, id, canon.Micros(now))
	return p, err
}

func (ss sessions) DeletePending(ctx context.Context, sessionHash, id string) error {
	return ss.d.writeRelaxed(ctx, "delete waiting request", func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM pending_requests WHERE session_hash = ? AND id = ?`, sessionHash, id)
		return err
	})
}

type consents struct{ d *DB }

// Consents returns the store of remembered consents.
func (d *DB) Consents() store.ConsentStore { return consents{d} }

func (cs consents) Grant(ctx context.Context, subject, clientID string, scopes []string, now time.Time) error {
	if subject == "" || clientID == "" {
		return fmt.Errorf("consent: subject and client are required: %w", store.ErrInvalid)
	}
	return cs.d.writeRelaxed(ctx, "remember consent", func(ctx context.Context, tx *wtx) error {
		for _, sc := range scopes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO consents (subject, client_id, scope, granted_at) VALUES (?, ?, ?, ?)
				ON CONFLICT DO NOTHING`, subject, clientID, sc, canon.Micros(now)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (cs consents) Scopes(ctx context.Context, subject, clientID string) ([]string, error) {
	return list(ctx, cs.d, "consent", func(s canon.Scanner) (string, error) {
		var sc string
		err := s.Scan(&sc)
		return sc, err
	}, `SELECT scope FROM consents WHERE subject = ? AND client_id = ? ORDER BY scope`, subject, clientID)
}

// Delete removes a signing key (store.KeyStore).
func (ks keys) Delete(ctx context.Context, kid string) error {
	what := fmt.Sprintf("signing key %q", kid)
	return ks.d.write(ctx, "delete "+what, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM signing_keys WHERE kid = ?`, kid)
		if err != nil {
			return err
		}
		return affected(res, what)
	})
}
