package canon

import (
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// This file is the one home of the row → record decoding the SQL stores
// share: the column lists both schemas name alike, and the functions that
// read a row of them into a record. The SQL around them (placeholders,
// locking, transactions) stays with each backend.

// Scanner is a row to read: *sql.Row and *sql.Rows, pgx.Row and pgx.Rows.
type Scanner interface{ Scan(dest ...any) error }

// ClientColumns are the clients columns ScanClient reads, in its order.
const ClientColumns = `id, secret_hash, name, redirect_uris, grant_types, scopes, auth_method,
	auto_approve, skip_consent, token_response, claims, created_at, post_logout_redirect_uris, extensions`

// ClientValues is c as a row of ClientColumns, for an INSERT; ErrInvalid
// if its claims have no JSON form.
func ClientValues(c store.Client) ([]any, error) {
	claims, err := EncodeClaims(c.Claims)
	if err != nil {
		return nil, fmt.Errorf("client %q: %w", c.ID, err)
	}
	ext, err := EncodeExtensions(c.Ext)
	if err != nil {
		return nil, fmt.Errorf("client %q: %w", c.ID, err)
	}
	return []any{c.ID, c.SecretHash, c.Name, EncodeList(c.RedirectURIs), EncodeList(c.GrantTypes),
		EncodeList(c.Scopes), c.AuthMethod, c.AutoApprove, c.SkipConsent, c.TokenResponse,
		claims, Micros(c.CreatedAt), EncodeList(c.PostLogoutRedirectURIs), ext}, nil
}

// ScanClient reads a row of ClientColumns.
func ScanClient(s Scanner) (store.Client, error) {
	var c store.Client
	var uris, grants, scopes, claims, logoutURIs, ext string
	var created int64
	err := s.Scan(&c.ID, &c.SecretHash, &c.Name, &uris, &grants, &scopes, &c.AuthMethod,
		&c.AutoApprove, &c.SkipConsent, &c.TokenResponse, &claims, &created, &logoutURIs, &ext)
	if err != nil {
		return c, err
	}
	if c.Ext, err = DecodeExtensions(ext); err != nil {
		return c, err
	}
	c.CreatedAt = FromMicros(created)
	if c.RedirectURIs, err = DecodeList(uris); err != nil {
		return c, err
	}
	if c.PostLogoutRedirectURIs, err = DecodeList(logoutURIs); err != nil {
		return c, err
	}
	if c.GrantTypes, err = DecodeList(grants); err != nil {
		return c, err
	}
	if c.Scopes, err = DecodeList(scopes); err != nil {
		return c, err
	}
	c.Claims, err = DecodeClaims(claims)
	return c, err
}

// UserColumns are the users columns ScanUser reads, in its order.
const UserColumns = `username, subject, password_hash, claims`

// ScanUser reads a row of UserColumns.
func ScanUser(s Scanner) (store.User, error) {
	var u store.User
	var claims string
	if err := s.Scan(&u.Username, &u.Subject, &u.PasswordHash, &claims); err != nil {
		return u, err
	}
	var err error
	u.Claims, err = DecodeClaims(claims)
	return u, err
}

// KeyColumns are the signing_keys columns ScanKey reads, in its order.
const KeyColumns = `kid, alg, private_pem, created_at, active`

// ScanKey reads a row of KeyColumns.
func ScanKey(s Scanner) (store.Key, error) {
	var k store.Key
	var created int64
	if err := s.Scan(&k.KID, &k.Alg, &k.PrivatePEM, &created, &k.Active); err != nil {
		return k, err
	}
	k.CreatedAt = FromMicros(created)
	k.PrivatePEM = Bytes(k.PrivatePEM)
	return k, nil
}

// CodeColumns are the columns ScanCode reads, from auth_codes c LEFT
// JOIN grant_families f ON f.code_hash = c.hash.
const CodeColumns = `c.hash, c.client_id, c.redirect_uri, c.scope, c.subject,
	c.code_challenge, c.challenge_method, c.nonce, c.auth_time, c.expires_at, c.used_at,
	COALESCE(f.id, ''), c.session_id, c.resource`

// CodeColumnsNoFamily are CodeColumns from auth_codes alone, unqualified,
// for a code that has no family yet: the RETURNING of the redemption that
// won it. TestCodeColumnsNoFamily keeps the two lists the same.
const CodeColumnsNoFamily = `hash, client_id, redirect_uri, scope, subject,
	code_challenge, challenge_method, nonce, auth_time, expires_at, used_at,
	'', session_id, resource`

// ScanCode reads a row of CodeColumns (used_at NULL: not used).
func ScanCode(s Scanner) (store.Code, error) {
	var c store.Code
	var auth, exp int64
	var used *int64
	err := s.Scan(&c.Hash, &c.ClientID, &c.RedirectURI, &c.Scope, &c.Subject,
		&c.CodeChallenge, &c.ChallengeMethod, &c.Nonce, &auth, &exp, &used, &c.FamilyID, &c.SessionID, &c.Resource)
	c.AuthTime, c.ExpiresAt = FromMicros(auth), FromMicros(exp)
	if used != nil {
		c.UsedAt = FromMicros(*used)
	}
	return c, err
}

// TokenAndFamilyColumns are the columns ScanTokenAndFamily reads, from
// refresh_tokens t JOIN grant_families f ON f.id = t.family_id.
const TokenAndFamilyColumns = `t.hash, t.family_id, t.issued_at, t.expires_at, t.refresh_count, t.status, t.rotated_at,
	f.id, f.client_id, f.subject, f.scope, f.auth_time, f.created_at, COALESCE(f.code_hash, ''), f.revoked, f.session_id, f.resource`

// ScanTokenAndFamily reads a row of TokenAndFamilyColumns (rotated_at
// NULL: not rotated).
func ScanTokenAndFamily(s Scanner) (store.RefreshToken, store.Family, error) {
	var t store.RefreshToken
	var f store.Family
	var issued, exp, auth, created int64
	var rotated *int64
	var status string
	err := s.Scan(&t.Hash, &t.FamilyID, &issued, &exp, &t.RefreshCount, &status, &rotated,
		&f.ID, &f.ClientID, &f.Subject, &f.Scope, &auth, &created, &f.CodeHash, &f.Revoked, &f.SessionID, &f.Resource)
	t.Status = store.TokenStatus(status)
	t.IssuedAt, t.ExpiresAt = FromMicros(issued), FromMicros(exp)
	if rotated != nil {
		t.RotatedAt = FromMicros(*rotated)
	}
	f.AuthTime, f.CreatedAt = FromMicros(auth), FromMicros(created)
	return t, f, err
}

// ScanAccessToken reads an access token row: id, family ID ("" for none),
// client_id, subject, scope, issued_at, expires_at, revoked (the token's
// or its family's), audience.
func ScanAccessToken(s Scanner) (store.AccessToken, error) {
	var a store.AccessToken
	var issued, exp int64
	err := s.Scan(&a.ID, &a.FamilyID, &a.ClientID, &a.Subject, &a.Scope, &issued, &exp, &a.Revoked, &a.Audience)
	a.IssuedAt, a.ExpiresAt = FromMicros(issued), FromMicros(exp)
	return a, err
}

// DeviceColumns are the device_codes columns ScanDevice reads, in its order.
const DeviceColumns = `hash, user_code_hash, client_id, scope, interval_us, created_at, expires_at,
	status, subject, auth_time, session_id, last_polled_at, family_id`

// ScanDevice reads a row of DeviceColumns.
func ScanDevice(s Scanner) (store.DeviceCode, error) {
	var d store.DeviceCode
	var interval, created, exp, auth, polled int64
	var status string
	err := s.Scan(&d.Hash, &d.UserCodeHash, &d.ClientID, &d.Scope, &interval, &created, &exp,
		&status, &d.Subject, &auth, &d.SessionID, &polled, &d.FamilyID)
	d.Status = store.DeviceStatus(status)
	d.Interval = time.Duration(interval) * time.Microsecond
	d.CreatedAt, d.ExpiresAt = FromMicros(created), FromMicros(exp)
	d.AuthTime, d.LastPolledAt = FromMicros(auth), FromMicros(polled)
	return d, err
}

// SessionColumns are the browser_sessions columns ScanSession reads, in
// its order.
const SessionColumns = `hash, username, subject, auth_time, sid, created_at, expires_at`

// ScanSession reads a row of SessionColumns (auth_time 0: an anonymous
// session, AuthTime zero).
func ScanSession(s Scanner) (store.BrowserSession, error) {
	var b store.BrowserSession
	var auth, created, expires int64
	if err := s.Scan(&b.Hash, &b.Username, &b.Subject, &auth, &b.SID, &created, &expires); err != nil {
		return b, err
	}
	b.AuthTime, b.CreatedAt, b.ExpiresAt = FromMicros(auth), FromMicros(created), FromMicros(expires)
	return b, nil
}

// ScanPending reads the data, created_at and expires_at of the waiting
// request id of session sessionHash.
func ScanPending(s Scanner, sessionHash, id string) (store.PendingRequest, error) {
	var p store.PendingRequest
	var created, expires int64
	if err := s.Scan(&p.Data, &created, &expires); err != nil {
		return p, err
	}
	p.SessionHash, p.ID = sessionHash, id
	p.CreatedAt, p.ExpiresAt = FromMicros(created), FromMicros(expires)
	p.Data = Bytes(p.Data)
	return p, nil
}

// ScanPushed reads hash, client_id, params, expires_at of a pushed request.
func ScanPushed(s Scanner) (store.PushedRequest, error) {
	var p store.PushedRequest
	var exp int64
	err := s.Scan(&p.Hash, &p.ClientID, &p.Params, &exp)
	p.ExpiresAt = FromMicros(exp)
	return p, err
}
