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

// nullString stores "" as NULL (optional references).
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

type codes struct{ d *DB }

func (cs codes) Create(ctx context.Context, c store.Code) error {
	if err := c.Validate(); err != nil {
		return err
	}
	// Relaxed: losing it fails closed (the code is refused); see commit.go.
	return cs.d.writeRelaxed(ctx, "create code", func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO auth_codes (hash, client_id, redirect_uri, scope, subject,
				code_challenge, challenge_method, nonce, auth_time, expires_at, session_id, resource)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Hash, c.ClientID, c.RedirectURI, c.Scope, c.Subject, c.CodeChallenge, c.ChallengeMethod,
			c.Nonce, canon.Micros(c.AuthTime), canon.Micros(c.ExpiresAt), c.SessionID, c.Resource)
		return err
	})
}

// getCode reads a code and the family issued from it.
func getCode(ctx context.Context, tx *wtx, hash string) (store.Code, error) {
	return canon.ScanCode(tx.QueryRowContext(ctx, `SELECT `+canon.CodeColumns+`
		FROM auth_codes c LEFT JOIN grant_families f ON f.code_hash = c.hash
		WHERE c.hash = ?`, hash))
}

// Redeem: the conditional UPDATE picks the one winner, and returns the
// code to it; losers then read the code to learn why they lost.
func (cs codes) Redeem(ctx context.Context, hash string, now time.Time) (store.Code, error) {
	return cs.redeem(ctx, hash, now, "", store.RefreshToken{})
}

func (cs codes) RedeemInto(ctx context.Context, hash string, now time.Time, fam store.Family, first store.RefreshToken) (store.Code, error) {
	if err := canon.CheckRedemption(fam, first); err != nil {
		return store.Code{}, err
	}
	return cs.redeem(ctx, hash, now, fam.ID, first)
}

// redeem runs in one write transaction (BEGIN IMMEDIATE): the conditional
// UPDATE that picks the winner and, with a familyID, the family bound to
// the code and its first refresh token. A replay waits for the commit and
// then sees the family.
func (cs codes) redeem(ctx context.Context, hash string, now time.Time, familyID string, first store.RefreshToken) (store.Code, error) {
	if err := canon.RequireNow(now); err != nil {
		return store.Code{}, err
	}
	var code store.Code
	var outcome error
	err := cs.d.write(ctx, "redeem code", func(ctx context.Context, tx *wtx) error {
		us := canon.Micros(now)
		// A code that was never redeemed has no family: the winner's row
		// comes back from the UPDATE itself.
		var err error
		code, err = canon.ScanCode(tx.QueryRowContext(ctx, `UPDATE auth_codes SET used_at = ?
			WHERE hash = ? AND used_at IS NULL AND expires_at > ?
			RETURNING `+canon.CodeColumnsNoFamily, us, hash, us))
		switch {
		case err == nil: // won
			if familyID == "" {
				return nil
			}
			code.FamilyID = familyID
			return createFamily(ctx, tx, canon.FamilyFromCode(familyID, code, now), first)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		code, err = getCode(ctx, tx, hash)
		if errors.Is(err, sql.ErrNoRows) {
			outcome = fmt.Errorf("redeem code: %w", store.ErrNotFound)
			return nil
		}
		if err != nil {
			return err
		}
		if outcome = canon.CodeFailure(code, now); outcome == nil {
			return errors.New("redeem code: the code was neither redeemed nor refused")
		}
		return nil
	})
	if err != nil {
		return store.Code{}, err
	}
	return code, outcome
}

func (cs codes) CountLive(ctx context.Context, clientID string, now time.Time) (n int, err error) {
	err = cs.d.readRow(ctx, "count codes", func(r *sql.Row) error { return r.Scan(&n) },
		`SELECT COUNT(*) FROM auth_codes WHERE client_id = ? AND used_at IS NULL AND expires_at > ?`, clientID, canon.Micros(now))
	return n, err
}

type refreshTokens struct{ d *DB }

func insertToken(ctx context.Context, tx *wtx, t store.RefreshToken, familyID string, count int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (hash, family_id, issued_at, expires_at, refresh_count, status)
		VALUES (?, ?, ?, ?, ?, 'active')`,
		t.Hash, familyID, canon.Micros(t.IssuedAt), canon.Micros(t.ExpiresAt), count)
	return err
}

func (rs refreshTokens) CreateFamily(ctx context.Context, f store.Family, first store.RefreshToken) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if first.Hash != "" {
		if err := first.Validate(); err != nil {
			return err
		}
	}
	return rs.d.write(ctx, fmt.Sprintf("create grant %q", f.ID), func(ctx context.Context, tx *wtx) error {
		return createFamily(ctx, tx, f, first)
	})
}

// createFamily inserts a family and its first refresh token (if any).
func createFamily(ctx context.Context, tx *wtx, f store.Family, first store.RefreshToken) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO grant_families (id, client_id, subject, scope, auth_time, created_at, code_hash, session_id, resource)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.ClientID, f.Subject, f.Scope, canon.Micros(f.AuthTime), canon.Micros(f.CreatedAt), nullString(f.CodeHash), f.SessionID, f.Resource)
	if err != nil || first.Hash == "" {
		return err
	}
	return insertToken(ctx, tx, first, f.ID, 0)
}

const selectTokenAndFamily = `SELECT ` + canon.TokenAndFamilyColumns + `
	FROM refresh_tokens t JOIN grant_families f ON f.id = t.family_id WHERE t.hash = ?`

// Rotate: the conditional UPDATE (active, unexpired, family not revoked)
// picks the one winner, who inserts the successor in the same
// transaction; a loser reads the token to learn why, and a reuse revokes
// the family before the transaction commits.
func (rs refreshTokens) Rotate(ctx context.Context, r store.Rotation) (store.Family, error) {
	if err := r.Validate(); err != nil {
		return store.Family{}, err
	}
	if err := canon.RequireNow(r.Now); err != nil {
		return store.Family{}, err
	}
	var fam store.Family
	var outcome error
	err := rs.d.write(ctx, "rotate refresh token", func(ctx context.Context, tx *wtx) error {
		us := canon.Micros(r.Now)
		res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET status = 'rotated', rotated_at = ?
			WHERE hash = ? AND status = 'active' AND expires_at > ?
			AND EXISTS (SELECT 1 FROM grant_families f WHERE f.id = refresh_tokens.family_id AND f.revoked = 0)`, us, r.OldHash, us)
		if err != nil {
			return err
		}
		won, err := res.RowsAffected()
		if err != nil {
			return err
		}
		old, f, err := canon.ScanTokenAndFamily(tx.QueryRowContext(ctx, selectTokenAndFamily, r.OldHash))
		if errors.Is(err, sql.ErrNoRows) {
			outcome = fmt.Errorf("rotate refresh token: %w", store.ErrNotFound)
			return nil
		}
		if err != nil {
			return err
		}
		fam = f
		if won == 1 {
			if err := r.CheckFamily(f.ID); err != nil {
				return err
			}
			if err := insertToken(ctx, tx, r.Next, f.ID, old.RefreshCount+1); err != nil || r.Access == nil {
				return err
			}
			return insertAccess(ctx, tx, *r.Access)
		}
		outcome = canon.RefreshFailure(old, f, r.Now, r.Leeway)
		switch {
		case outcome == nil:
			return errors.New("rotate refresh token: the token was neither rotated nor refused")
		case errors.Is(outcome, store.ErrReused):
			fam.Revoked = true
			return revokeFamily(ctx, tx, f.ID)
		}
		return nil
	})
	if err != nil {
		return fam, err
	}
	return fam, outcome
}

func (rs refreshTokens) Lookup(ctx context.Context, hash string) (t store.RefreshToken, f store.Family, err error) {
	err = rs.d.readRow(ctx, "refresh token", func(r *sql.Row) error {
		t, f, err = canon.ScanTokenAndFamily(r)
		return err
	}, selectTokenAndFamily, hash)
	return t, f, err
}

func (rs refreshTokens) RevokeFamily(ctx context.Context, id string) error {
	return rs.d.write(ctx, fmt.Sprintf("revoke grant %q", id), func(ctx context.Context, tx *wtx) error {
		return revokeFamily(ctx, tx, id)
	})
}

// revokeFamily marks the family revoked and its active tokens revoked.
func revokeFamily(ctx context.Context, tx *wtx, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE grant_families SET revoked = 1 WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if err := affected(res, fmt.Sprintf("revoke grant %q", id)); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE refresh_tokens SET status = 'revoked' WHERE family_id = ? AND status = 'active'`, id)
	return err
}

type accessTokens struct{ d *DB }

func (as accessTokens) Record(ctx context.Context, a store.AccessToken) error {
	if err := a.Validate(); err != nil {
		return err
	}
	// Relaxed: losing it fails closed (the token is refused); see commit.go.
	return as.d.writeRelaxed(ctx, "record access token", func(ctx context.Context, tx *wtx) error {
		return insertAccess(ctx, tx, a)
	})
}

func insertAccess(ctx context.Context, tx *wtx, a store.AccessToken) error {
	_, err := tx.ExecContext(ctx, insertAccessToken,
		a.ID, nullString(a.FamilyID), a.ClientID, a.Subject, a.Scope, canon.Micros(a.IssuedAt), canon.Micros(a.ExpiresAt), a.Audience)
	return err
}

func (as accessTokens) Get(ctx context.Context, id string) (a store.AccessToken, err error) {
	err = as.d.readRow(ctx, "access token", func(r *sql.Row) error {
		a, err = canon.ScanAccessToken(r)
		return err
	}, `SELECT a.id, COALESCE(a.family_id, ''), a.client_id, a.subject, a.scope, a.issued_at, a.expires_at,
			CASE WHEN a.revoked = 1 OR COALESCE(f.revoked, 0) = 1 THEN 1 ELSE 0 END, a.audience
		FROM access_tokens a LEFT JOIN grant_families f ON f.id = a.family_id
		WHERE a.id = ?`, id)
	return a, err
}

func (as accessTokens) Revoke(ctx context.Context, id string) error {
	return as.d.write(ctx, "revoke access token", func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE access_tokens SET revoked = 1 WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return affected(res, "revoke access token")
	})
}
