package authserver

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// grantRefreshToken is RFC 6749 §6 with rotation (docs/security.md rules 24–26):
// each refresh returns a new refresh token and the old one dies; a rotated-out
// token presented again revokes the whole grant; the token is bound to its
// client; scope can only narrow; exactly one of parallel refreshes wins.
func (s *Server) grantRefreshToken(req *tokenRequest) (*issued, *Error) {
	value := req.form["refresh_token"]
	if value == "" {
		return nil, NewError(ErrInvalidRequest, "refresh_token is missing (RFC 6749 §6)")
	}
	if e := checkBoundCredential(value, req.jkt, "refresh token", "§5"); e != nil {
		return nil, e
	}
	ctx := req.r.Context()
	now := s.now()
	var (
		rt  store.RefreshToken
		fam store.Family
		err error
	)
	for _, h := range s.hasher.Candidates(value) {
		rt, fam, err = s.store.RefreshTokens().Lookup(ctx, h)
		if !errors.Is(err, store.ErrNotFound) {
			break
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, NewError(ErrInvalidGrant, "refresh token is unknown (RFC 6749 §5.2)")
	}
	if err != nil {
		return nil, s.storeError(err)
	}
	if fam.ClientID != req.client.ID {
		return nil, NewError(ErrInvalidGrant, "refresh token was issued to another client (RFC 6749 §6)")
	}
	if rt.Status == store.StatusActive && !fam.Revoked && s.control.revoked(rt.Hash, fam.ClientID, fam.Subject, rt.IssuedAt) { // ctl revoke
		if err := s.store.RefreshTokens().RevokeFamily(ctx, fam.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, s.storeError(err)
		}
		return nil, NewError(ErrInvalidGrant, "refresh token was revoked (RFC 7009 §2.1)")
	}
	// The grant's scope as the client may still have it: a scope removed
	// from the client's configuration is not minted again (RFC 6749 §6,
	// docs/security.md rule 46).
	var still []string
	for _, sc := range strings.Fields(fam.Scope) {
		if slices.Contains(req.client.Scopes, sc) {
			still = append(still, sc)
		}
	}
	if fam.Scope != "" && len(still) == 0 {
		return nil, NewError(ErrInvalidScope, "none of the grant's scopes ("+fam.Scope+") is still allowed for client "+req.client.ID+" (RFC 6749 §6)")
	}
	scope, e := requestedScope(req.form["scope"], still)
	if e != nil {
		return nil, NewError(ErrInvalidScope, "a refresh can only narrow the scope of the grant to what the client may still have ("+strings.Join(still, " ")+") (RFC 6749 §6)")
	}
	resources, e := s.narrowResources(req.client, resourceParams(req), fam.Resource, scope)
	if e != nil {
		return nil, e
	}
	user, err := s.store.Users().GetBySubject(ctx, fam.Subject)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, NewError(ErrInvalidGrant, "the user of this grant no longer exists (RFC 6749 §5.2)")
		}
		return nil, s.storeError(err)
	}
	// The access token of a live refresh token is signed first, then
	// recorded in the rotation's own transaction (store.Rotation.Access):
	// if that transaction fails, the refresh token is still active and the
	// client's retry works, instead of looking like a replay that revokes
	// the grant (docs/security.md rule 38), and a lost race records nothing.
	// Either way the signed token is dropped, never handed out.
	g := grant{Client: req.client, Subject: fam.Subject, Scope: scope, FamilyID: fam.ID, AuthTime: fam.AuthTime,
		SessionID: fam.SessionID, Now: now, JKT: req.jkt, Resources: resources}
	// The successor keeps the key binding (RFC 9449 §5); a public client's
	// unbound grant becomes bound at its first refresh with a proof.
	nextJKT := boundJKT(value)
	if nextJKT == "" {
		nextJKT = refreshJKT(req.client, req.jkt)
	}
	next := bindValue(randomToken(32), nextJKT)
	nextRT := store.RefreshToken{Hash: s.hasher.Hash(next), IssuedAt: now, ExpiresAt: now.Add(s.settings.RefreshTokenTTL)}
	rotate := func(access *store.AccessToken) *Error {
		fam, err = s.store.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: rt.Hash, Next: nextRT, Now: now,
			Leeway: s.settings.RefreshRaceLeeway, Access: access})
		if e := s.rotationError(err, req.client.ID); e != nil {
			return e
		}
		// ctl revoke: a revocation made before this rotation does not cover it
		s.control.noteIssued(nextRT.Hash, fam.ClientID, fam.Subject, nextRT.IssuedAt, nextRT.ExpiresAt)
		return nil
	}
	var (
		at  string
		exp time.Time
	)
	if rt.Status == store.StatusActive && !fam.Revoked && now.Before(rt.ExpiresAt) {
		at, exp, e = s.mintAccessTokenWith(ctx, g, func(rec store.AccessToken) *Error { return rotate(&rec) })
	} else { // the store's verdict on a token that was not live (the error), or a rotation after all
		if e = rotate(nil); e == nil {
			at, exp, e = s.mintAccessToken(ctx, g)
		}
	}
	if e != nil {
		return nil, e
	}
	out := &issued{AccessToken: at, IssuedAt: now, ExpiresAt: exp, Scope: scope, Subject: fam.Subject,
		RefreshToken: next, RefreshAt: now, RefreshExp: nextRT.ExpiresAt, RefreshCount: rt.RefreshCount + 1}
	if hasScope(scope, ScopeOpenID) {
		// OpenID Connect Core §12.2: a new ID token for the same sign-in
		// (same sub, auth_time and sid), without a nonce; none when the
		// refresh narrowed the scope to one without openid (rule 51).
		if out.IDToken, e = s.mintIDToken(idToken{Client: req.client, User: user, Scope: scope,
			AuthTime: fam.AuthTime, SessionID: fam.SessionID, AccessToken: at, Now: now}); e != nil {
			return nil, e
		}
	}
	return out, nil
}

// rotationError is the answer to a refused rotation (nil: none).
func (s *Server) rotationError(err error, clientID string) *Error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrExpired):
		return NewError(ErrInvalidGrant, "refresh token has expired (RFC 6749 §5.2)")
	case errors.Is(err, store.ErrRevoked):
		return NewError(ErrInvalidGrant, "refresh token was revoked (RFC 7009)")
	case errors.Is(err, store.ErrConcurrentUse):
		return NewError(ErrInvalidGrant, "refresh token was just used by a concurrent request (RFC 9700 §4.14.2)")
	case errors.Is(err, store.ErrReused):
		s.log.Warn("rotated-out refresh token reused: grant revoked", "client_id", clientID)
		return NewError(ErrInvalidGrant, "refresh token was already used; the grant is revoked (RFC 9700 §4.14.2)")
	case errors.Is(err, store.ErrNotFound):
		return NewError(ErrInvalidGrant, "refresh token is unknown (RFC 6749 §5.2)")
	}
	return s.storeError(err)
}
