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

// nullString stores "" as NULL (optional references).
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type codes struct{ d *DB }

func (cs codes) Create(ctx context.Context, c store.Code) error {
	if err := c.Validate(); err != nil {
		return err
	}
	_, err := cs.d.exec(ctx, "create code", `INSERT INTO auth_codes (hash, client_id, redirect_uri, scope, subject,
			code_challenge, challenge_method, nonce, auth_time, expires_at, session_id, resource)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		c.Hash, c.ClientID, c.RedirectURI, c.Scope, c.Subject, c.CodeChallenge, c.ChallengeMethod,
		c.Nonce, canon.Micros(c.AuthTime), canon.Micros(c.ExpiresAt), c.SessionID, c.Resource)
	return err
}

// Redeem: the code row is locked (SELECT … FOR UPDATE) and judged by
// canon.CodeFailure on its committed state; see redeem.
func (cs codes) Redeem(ctx context.Context, hash string, now time.Time) (store.Code, error) {
	return cs.redeem(ctx, hash, now, "", store.RefreshToken{})
}

func (cs codes) RedeemInto(ctx context.Context, hash string, now time.Time, fam store.Family, first store.RefreshToken) (store.Code, error) {
	if err := canon.CheckRedemption(fam, first); err != nil {
		return store.Code{}, err
	}
	return cs.redeem(ctx, hash, now, fam.ID, first)
}

// redeem runs in one transaction. It locks the code row: of concurrent
// callers on any connection, one gets the lock and marks the code used
// (creating, with a familyID, the family and its first token in the same
// transaction); the others wait for its commit, then read the row as
// committed — used, and with its family — and lose.
func (cs codes) redeem(ctx context.Context, hash string, now time.Time, familyID string, first store.RefreshToken) (store.Code, error) {
	if err := canon.RequireNow(now); err != nil {
		return store.Code{}, err
	}
	var code store.Code
	var outcome error
	err := cs.d.write(ctx, "redeem code", func(ctx context.Context, tx pgx.Tx) error {
		outcome = nil
		var err error
		code, err = canon.ScanCode(tx.QueryRow(ctx, `SELECT `+canon.CodeColumns+`
			FROM auth_codes c LEFT JOIN grant_families f ON f.code_hash = c.hash
			WHERE c.hash = $1 FOR UPDATE OF c`, hash))
		if errors.Is(err, pgx.ErrNoRows) {
			outcome = fmt.Errorf("redeem code: %w", store.ErrNotFound)
			return nil
		}
		if err != nil {
			return err
		}
		if outcome = canon.CodeFailure(code, now); outcome != nil {
			// The lock may have been waited for: the family the winner
			// created is read by a statement that sees its commit.
			return tx.QueryRow(ctx, `SELECT COALESCE((SELECT id FROM grant_families WHERE code_hash = $1), '')`, hash).Scan(&code.FamilyID)
		}
		code.UsedAt = canon.Time(now)
		if _, err := tx.Exec(ctx, `UPDATE auth_codes SET used_at = $1 WHERE hash = $2`, canon.Micros(now), hash); err != nil {
			return err
		}
		if familyID == "" {
			return nil
		}
		code.FamilyID = familyID
		return createFamily(ctx, tx, canon.FamilyFromCode(familyID, code, now), first)
	})
	if err != nil {
		return store.Code{}, err
	}
	return code, outcome
}

func (cs codes) CountLive(ctx context.Context, clientID string, now time.Time) (n int, err error) {
	err = cs.d.readRow(ctx, "count codes", func(r pgx.Row) error { return r.Scan(&n) },
		`SELECT COUNT(*) FROM auth_codes WHERE client_id = $1 AND used_at IS NULL AND expires_at > $2`, clientID, canon.Micros(now))
	return n, err
}

type refreshTokens struct{ d *DB }

func insertToken(ctx context.Context, tx pgx.Tx, t store.RefreshToken, familyID string, count int) error {
	_, err := tx.Exec(ctx, `INSERT INTO refresh_tokens (hash, family_id, issued_at, expires_at, refresh_count, status)
		VALUES ($1, $2, $3, $4, $5, 'active')`,
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
	return rs.d.write(ctx, fmt.Sprintf("create grant %q", f.ID), func(ctx context.Context, tx pgx.Tx) error {
		return createFamily(ctx, tx, f, first)
	})
}

// createFamily inserts a family and its first refresh token (if any).
func createFamily(ctx context.Context, tx pgx.Tx, f store.Family, first store.RefreshToken) error {
	_, err := tx.Exec(ctx, `INSERT INTO grant_families (id, client_id, subject, scope, auth_time, created_at, code_hash, session_id, resource)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		f.ID, f.ClientID, f.Subject, f.Scope, canon.Micros(f.AuthTime), canon.Micros(f.CreatedAt), nullString(f.CodeHash), f.SessionID, f.Resource)
	if err != nil || first.Hash == "" {
		return err
	}
	return insertToken(ctx, tx, first, f.ID, 0)
}

const selectTokenAndFamily = `SELECT ` + canon.TokenAndFamilyColumns + `
	FROM refresh_tokens t JOIN grant_families f ON f.id = t.family_id WHERE t.hash = $1`

// lockFamilyOf locks the family of the refresh token hash (FOR UPDATE), or
// reports false when there is no such token. Every change to a family's
// tokens (Rotate, RevokeFamily) holds this lock first, so they are
// serialized per grant, and a statement run after it sees the state the
// previous holder committed.
func lockFamilyOf(ctx context.Context, tx pgx.Tx, hash string) (bool, error) {
	var id string
	err := tx.QueryRow(ctx, `SELECT f.id FROM refresh_tokens t JOIN grant_families f ON f.id = t.family_id
		WHERE t.hash = $1 FOR UPDATE OF f`, hash).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Rotate: with the family locked, the token and its family are read as
// committed and judged by canon.RefreshFailure; the winner marks the token
// rotated and inserts its successor, a reuse revokes the family, all in the
// same transaction.
func (rs refreshTokens) Rotate(ctx context.Context, r store.Rotation) (store.Family, error) {
	if err := r.Validate(); err != nil {
		return store.Family{}, err
	}
	if err := canon.RequireNow(r.Now); err != nil {
		return store.Family{}, err
	}
	var fam store.Family
	var outcome error
	err := rs.d.write(ctx, "rotate refresh token", func(ctx context.Context, tx pgx.Tx) error {
		fam, outcome = store.Family{}, nil
		found, err := lockFamilyOf(ctx, tx, r.OldHash)
		if err != nil {
			return err
		}
		var old store.RefreshToken
		if found {
			old, fam, err = canon.ScanTokenAndFamily(tx.QueryRow(ctx, selectTokenAndFamily, r.OldHash))
			if errors.Is(err, pgx.ErrNoRows) {
				found = false // purged between the two statements
			} else if err != nil {
				return err
			}
		}
		if !found {
			outcome = fmt.Errorf("rotate refresh token: %w", store.ErrNotFound)
			return nil
		}
		outcome = canon.RefreshFailure(old, fam, r.Now, r.Leeway)
		switch {
		case outcome == nil:
			if err := r.CheckFamily(fam.ID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET status = 'rotated', rotated_at = $1 WHERE hash = $2`,
				canon.Micros(r.Now), r.OldHash); err != nil {
				return err
			}
			if err := insertToken(ctx, tx, r.Next, fam.ID, old.RefreshCount+1); err != nil || r.Access == nil {
				return err
			}
			_, err := tx.Exec(ctx, insertAccessToken, accessArgs(*r.Access)...)
			return err
		case errors.Is(outcome, store.ErrReused):
			fam.Revoked = true
			return revokeFamily(ctx, tx, fam.ID)
		}
		return nil
	})
	if err != nil {
		return fam, err
	}
	return fam, outcome
}

func (rs refreshTokens) Lookup(ctx context.Context, hash string) (t store.RefreshToken, f store.Family, err error) {
	err = rs.d.readRow(ctx, "refresh token", func(r pgx.Row) error {
		t, f, err = canon.ScanTokenAndFamily(r)
		return err
	}, selectTokenAndFamily, hash)
	return t, f, err
}

func (rs refreshTokens) RevokeFamily(ctx context.Context, id string) error {
	return rs.d.write(ctx, fmt.Sprintf("revoke grant %q", id), func(ctx context.Context, tx pgx.Tx) error {
		return revokeFamily(ctx, tx, id)
	})
}

// revokeFamily marks the family revoked (which locks its row, as Rotate
// does first) and then its active tokens revoked.
func revokeFamily(ctx context.Context, tx pgx.Tx, id string) error {
	tag, err := tx.Exec(ctx, `UPDATE grant_families SET revoked = TRUE WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if err := affected(tag.RowsAffected(), fmt.Sprintf("revoke grant %q", id)); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE refresh_tokens SET status = 'revoked' WHERE family_id = $1 AND status = 'active'`, id)
	return err
}

type accessTokens struct{ d *DB }

func (as accessTokens) Record(ctx context.Context, a store.AccessToken) error {
	if err := a.Validate(); err != nil {
		return err
	}
	_, err := as.d.exec(ctx, "record access token", insertAccessToken, accessArgs(a)...)
	return err
}

const insertAccessToken = `INSERT INTO access_tokens (id, family_id, client_id, subject, scope, issued_at, expires_at, audience)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`

// accessArgs are insertAccessToken's arguments for a.
func accessArgs(a store.AccessToken) []any {
	return []any{a.ID, nullString(a.FamilyID), a.ClientID, a.Subject, a.Scope, canon.Micros(a.IssuedAt), canon.Micros(a.ExpiresAt), a.Audience}
}

func (as accessTokens) Get(ctx context.Context, id string) (a store.AccessToken, err error) {
	err = as.d.readRow(ctx, "access token", func(r pgx.Row) error {
		a, err = canon.ScanAccessToken(r)
		return err
	}, `SELECT a.id, COALESCE(a.family_id, ''), a.client_id, a.subject, a.scope, a.issued_at, a.expires_at,
			a.revoked OR COALESCE(f.revoked, FALSE), a.audience
		FROM access_tokens a LEFT JOIN grant_families f ON f.id = a.family_id
		WHERE a.id = $1`, id)
	return a, err
}

func (as accessTokens) Revoke(ctx context.Context, id string) error {
	n, err := as.d.exec(ctx, "revoke access token", `UPDATE access_tokens SET revoked = TRUE WHERE id = $1`, id)
	if err != nil {
		return err
	}
	return affected(n, "revoke access token")
}
