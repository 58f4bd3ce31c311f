package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

// list runs a query on the read pool and scans every row with scan.
func list[T any](ctx context.Context, d *DB, what string, scan func(canon.Scanner) (T, error), query string, args ...any) ([]T, error) {
	if d.closed.Load() {
		return nil, errClosed(what)
	}
	if observeSQL != nil {
		observeSQL(query)
	}
	rows, err := d.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, d.fail(what, err, nil)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, d.fail(what, err, nil)
		}
		out = append(out, v)
	}
	return out, d.fail(what, rows.Err(), nil)
}

type clients struct{ d *DB }

func (cs clients) Put(ctx context.Context, c store.Client) error {
	if err := c.Validate(); err != nil {
		return err
	}
	values, err := canon.ClientValues(c)
	if err != nil {
		return err
	}
	return cs.d.write(ctx, fmt.Sprintf("put client %q", c.ID), func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO clients (`+canon.ClientColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET
				secret_hash = excluded.secret_hash, name = excluded.name,
				redirect_uris = excluded.redirect_uris, grant_types = excluded.grant_types,
				scopes = excluded.scopes, auth_method = excluded.auth_method,
				auto_approve = excluded.auto_approve, skip_consent = excluded.skip_consent,
				token_response = excluded.token_response, claims = excluded.claims,
				created_at = excluded.created_at,
				post_logout_redirect_uris = excluded.post_logout_redirect_uris,
				extensions = excluded.extensions`, values...)
		return err
	})
}

func (cs clients) Delete(ctx context.Context, id string) error {
	what := fmt.Sprintf("client %q", id)
	return cs.d.write(ctx, "delete "+what, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM clients WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM consents WHERE client_id = ?`, id); err != nil {
			return err
		}
		return affected(res, what)
	})
}

func (cs clients) List(ctx context.Context) ([]store.Client, error) {
	return list(ctx, cs.d, "list clients", canon.ScanClient, `SELECT `+canon.ClientColumns+` FROM clients ORDER BY id`)
}

type users struct{ d *DB }

func (us users) get(ctx context.Context, what, where string, arg string) (u store.User, err error) {
	err = us.d.readRow(ctx, what, func(r *sql.Row) error {
		u, err = canon.ScanUser(r)
		return err
	}, `SELECT `+canon.UserColumns+` FROM users WHERE `+where+` = ?`, arg)
	return u, err
}

func (us users) Get(ctx context.Context, username string) (store.User, error) {
	return us.get(ctx, fmt.Sprintf("user %q", username), "username", username)
}

func (us users) GetBySubject(ctx context.Context, subject string) (store.User, error) {
	return us.get(ctx, fmt.Sprintf("user with subject %q", subject), "subject", subject)
}

func (us users) Put(ctx context.Context, u store.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	claims, err := canon.EncodeClaims(u.Claims)
	if err != nil {
		return fmt.Errorf("user %q: %w", u.Username, err)
	}
	return us.d.write(ctx, fmt.Sprintf("put user %q", u.Username), func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (`+canon.UserColumns+`) VALUES (?, ?, ?, ?)
			ON CONFLICT (username) DO UPDATE SET
				subject = excluded.subject, password_hash = excluded.password_hash, claims = excluded.claims`,
			u.Username, u.Subject, u.PasswordHash, claims)
		return err
	})
}

func (us users) Delete(ctx context.Context, username string) error {
	what := fmt.Sprintf("user %q", username)
	return us.d.write(ctx, "delete "+what, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM consents WHERE subject IN (SELECT subject FROM users WHERE username = ?)`, username); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE username = ?`, username)
		if err != nil {
			return err
		}
		return affected(res, what)
	})
}

func (us users) List(ctx context.Context) ([]store.User, error) {
	return list(ctx, us.d, "list users", canon.ScanUser, `SELECT `+canon.UserColumns+` FROM users ORDER BY username`)
}

type keys struct{ d *DB }

func (ks keys) Add(ctx context.Context, k store.Key) error {
	if err := k.Validate(); err != nil {
		return err
	}
	return ks.d.write(ctx, fmt.Sprintf("add signing key %q", k.KID), func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (`+canon.KeyColumns+`) VALUES (?, ?, ?, ?, ?)`,
			k.KID, k.Alg, k.PrivatePEM, canon.Micros(k.CreatedAt), k.Active)
		return err
	})
}

func (ks keys) Get(ctx context.Context, kid string) (k store.Key, err error) {
	err = ks.d.readRow(ctx, fmt.Sprintf("signing key %q", kid), func(r *sql.Row) error {
		k, err = canon.ScanKey(r)
		return err
	}, `SELECT `+canon.KeyColumns+` FROM signing_keys WHERE kid = ?`, kid)
	return k, err
}

func (ks keys) List(ctx context.Context) ([]store.Key, error) {
	return list(ctx, ks.d, "list signing keys", canon.ScanKey, `SELECT `+canon.KeyColumns+` FROM signing_keys ORDER BY created_at, kid`)
}

func (ks keys) SetActive(ctx context.Context, kid string, active bool) error {
	what := fmt.Sprintf("signing key %q", kid)
	return ks.d.write(ctx, "update "+what, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE signing_keys SET active = ? WHERE kid = ?`, active, kid)
		if err != nil {
			return err
		}
		return affected(res, what)
	})
}
