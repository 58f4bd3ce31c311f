package authserver

import (
	"context"
	"errors"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// The error codes of the device grant (RFC 8628 §3.5).
const (
	ErrAuthorizationPending = "authorization_pending"
	ErrSlowDown             = "slow_down"
	ErrExpiredToken         = "expired_token"
)

// grantDeviceCode is RFC 8628 §3.4–3.5: a poll with a device code. The
// store settles each poll in one transaction (store.DeviceCodeStore.Poll):
// polls closer together than the interval get slow_down and grow it by
// DeviceSlowDownStep for good (docs/security.md rule 80); an approved code
// is redeemed once, its grant created with the redemption, and every later
// poll is invalid_grant (rule 78). Tokens are then issued exactly as for an
// authorization code.
func (s *Server) grantDeviceCode(req *tokenRequest) (*issued, *Error) {
	value := req.form["device_code"]
	if value == "" {
		return nil, NewError(ErrInvalidRequest, "device_code is missing (RFC 8628 §3.4)")
	}
	ctx := req.r.Context()
	now := s.now()
	withRefresh := hasGrant(req.client, GrantRefreshToken)
	famID := newFamilyID(now)
	var (
		refresh string
		first   store.RefreshToken
	)
	if withRefresh {
		refresh = bindValue(randomToken(32), refreshJKT(req.client, req.jkt)) // RFC 9449 §5
		first = store.RefreshToken{Hash: s.hasher.Hash(refresh), IssuedAt: now, ExpiresAt: now.Add(s.settings.RefreshTokenTTL)}
	}
	var (
		d   store.DeviceCode
		err error
	)
	for _, h := range s.hasher.Candidates(value) {
		d, err = s.store.DeviceCodes().Poll(ctx, store.DevicePoll{Hash: h, ClientID: req.client.ID, Now: now,
			SlowDown: DeviceSlowDownStep, Family: store.Family{ID: famID}, First: first})
		if !errors.Is(err, store.ErrNotFound) {
			break
		}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Another client's device code reads as unknown: it learns nothing
		// and changes nothing (docs/security.md rule 78).
		return nil, NewError(ErrInvalidGrant, "device_code is unknown, or was issued to another client (RFC 8628 §3.5, RFC 6749 §5.2)")
	case errors.Is(err, store.ErrAlreadyUsed):
		return nil, NewError(ErrInvalidGrant, "device_code was already used: tokens are issued once per device code (RFC 8628 §3.5, docs/security.md rule 78)")
	case errors.Is(err, store.ErrExpired):
		return nil, NewError(ErrExpiredToken, "device_code has expired; start a new device authorization (RFC 8628 §3.5)")
	case errors.Is(err, store.ErrSlowDown):
		return nil, NewError(ErrSlowDown, "polled before the interval had passed; poll at most every "+secondsCeil(d.Interval)+
			" seconds from now on (RFC 8628 §3.5)")
	case err != nil:
		return nil, s.storeError(err)
	}
	switch d.Status {
	case store.DeviceStatusPending:
		return nil, NewError(ErrAuthorizationPending, "the user has not yet entered the user code and approved the request at "+
			s.settings.Issuer+PathVerification+"; keep polling every "+secondsCeil(d.Interval)+" seconds (RFC 8628 §3.5)")
	case store.DeviceStatusDenied:
		return nil, NewError(ErrAccessDenied, "the user denied the request (RFC 8628 §3.5)")
	case store.DeviceStatusRedeemed:
	default:
		s.log.Error("device code in an unexpected state after a poll", "status", d.Status)
		return nil, NewError(ErrServerError, "internal error in the device authorization; see the server log")
	}
	return s.issueForDevice(req, d, now, refresh, first)
}

// issueForDevice issues the tokens of a device code just redeemed into the
// grant family d.FamilyID: an access token, the refresh token when the
// client may refresh, an ID token with openid. If that fails, the grant is
// revoked, so nothing of a refused poll can ever work.
func (s *Server) issueForDevice(req *tokenRequest, d store.DeviceCode, now time.Time, refresh string, first store.RefreshToken) (*issued, *Error) {
	ctx := req.r.Context()
	var user store.User
	openID := hasScope(d.Scope, ScopeOpenID)
	if openID {
		u, err := s.store.Users().GetBySubject(ctx, d.Subject)
		if err != nil {
			s.revokeRefused(ctx, d.FamilyID)
			if errors.Is(err, store.ErrNotFound) {
				return nil, NewError(ErrInvalidGrant, "the user who approved this device code no longer exists (RFC 6749 §5.2)")
			}
			return nil, s.storeError(err)
		}
		user = u
	}
	g := grant{Client: req.client, Subject: d.Subject, Scope: d.Scope, FamilyID: d.FamilyID, AuthTime: d.AuthTime,
		SessionID: d.SessionID, Now: now, JKT: req.jkt}
	at, exp, e := s.mintAccessToken(ctx, g)
	if e != nil {
		s.revokeRefused(ctx, d.FamilyID)
		return nil, e
	}
	out := &issued{AccessToken: at, IssuedAt: now, ExpiresAt: exp, Scope: d.Scope, Subject: d.Subject}
	if refresh != "" {
		s.control.noteIssued(first.Hash, req.client.ID, d.Subject, first.IssuedAt, first.ExpiresAt) // ctl revoke
		out.RefreshToken, out.RefreshAt, out.RefreshExp = refresh, first.IssuedAt, first.ExpiresAt
	}
	if openID {
		// OpenID Connect Core §3.1.3.3, as for a code (no nonce: the device
		// request has none).
		out.IDToken, e = s.mintIDToken(idToken{Client: req.client, User: user, Scope: d.Scope,
			AuthTime: d.AuthTime, SessionID: d.SessionID, AccessToken: at, Now: now})
		if e != nil {
			s.revokeRefused(ctx, d.FamilyID)
			return nil, e
		}
	}
	return out, nil
}

// revokeRefused revokes the grant a redeemed device code created when its
// tokens could not be issued.
func (s *Server) revokeRefused(ctx context.Context, familyID string) {
	if err := s.store.RefreshTokens().RevokeFamily(ctx, familyID); err != nil {
		s.log.Warn("revoking the grant of a refused device code failed", "err", err)
	}
}
