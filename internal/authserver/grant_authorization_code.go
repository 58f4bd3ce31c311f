package authserver

import (
	"errors"

	"github.com/oauthkit/oauthkit/internal/store"
)

// grantAuthorizationCode is RFC 6749 §4.1.3: redeem a code once, bound to
// its client, its redirect_uri and its PKCE challenge (docs/security.md rules
// 9–11). A second redemption revokes what the first produced.
func (s *Server) grantAuthorizationCode(req *tokenRequest) (*issued, *Error) {
	value := req.form["code"]
	if value == "" {
		return nil, NewError(ErrInvalidRequest, "code is missing (RFC 6749 §4.1.3)")
	}
	verifier, hasVerifier := req.form["code_verifier"]
	if hasVerifier && !ValidPKCEValue(verifier) {
		return nil, NewError(ErrInvalidRequest, "code_verifier must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1)")
	}
	if e := checkBoundCredential(value, req.jkt, "authorization code", "§10"); e != nil { // dpop_jkt
		return nil, e
	}
	ctx := req.r.Context()
	now := s.now()
	// The grant is created with the redemption, in one transaction, so a
	// replay at any moment after finds it and revokes it (docs/security.md
	// rule 44). Its refresh token is made now and handed out only if every
	// check below passes.
	withRefresh := hasGrant(req.client, GrantRefreshToken)
	famID := newFamilyID(now)
	var (
		refresh string
		first   store.RefreshToken
	)
	if withRefresh {
		refresh = bindValue(randomToken(32), refreshJKT(req.client, req.jkt))
		first = store.RefreshToken{Hash: s.hasher.Hash(refresh), IssuedAt: now, ExpiresAt: now.Add(s.settings.RefreshTokenTTL)}
	}
	var (
		code store.Code
		err  error
	)
	for _, h := range s.hasher.Candidates(value) {
		code, err = s.store.Codes().RedeemInto(ctx, h, now, store.Family{ID: famID}, first)
		if !errors.Is(err, store.ErrNotFound) {
			break
		}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, NewError(ErrInvalidGrant, "authorization code is unknown (RFC 6749 §5.2)")
	case errors.Is(err, store.ErrExpired):
		return nil, NewError(ErrInvalidGrant, "authorization code has expired (RFC 6749 §4.1.2)")
	case errors.Is(err, store.ErrAlreadyUsed) && code.ClientID != req.client.ID:
		// Only the code's own client can make its grant revoked: another
		// client replaying a used code changes nothing (RFC 6749 §4.1.3,
		// docs/security.md rule 49).
		return nil, NewError(ErrInvalidGrant, "authorization code was issued to another client (RFC 6749 §4.1.3)")
	case errors.Is(err, store.ErrAlreadyUsed):
		if code.FamilyID != "" {
			if rerr := s.store.RefreshTokens().RevokeFamily(ctx, code.FamilyID); rerr != nil && !errors.Is(rerr, store.ErrNotFound) {
				return nil, s.storeError(rerr)
			}
			s.log.Warn("authorization code replayed: its tokens were revoked", "client_id", code.ClientID)
		}
		return nil, NewError(ErrInvalidGrant, "authorization code was already used; the tokens issued for it are revoked (RFC 6749 §4.1.2, RFC 9700 §4.5)")
	case err != nil:
		return nil, s.storeError(err)
	}
	out, e := s.finishCodeGrant(req, code)
	var resources []string
	if e == nil {
		resources, e = s.narrowResources(req.client, resourceParams(req), code.Resource, code.Scope)
	}
	if e != nil {
		// The code is spent and its grant stored: revoke that grant, so
		// nothing issued for a refused request can ever work.
		if rerr := s.store.RefreshTokens().RevokeFamily(ctx, famID); rerr != nil {
			s.log.Warn("revoking the grant of a refused code failed", "err", rerr)
		}
		return nil, e
	}
	g := grant{Client: req.client, Subject: code.Subject, Scope: code.Scope, FamilyID: famID, AuthTime: code.AuthTime,
		SessionID: code.SessionID, Now: now, JKT: req.jkt, Resources: resources}
	at, exp, e := s.mintAccessToken(ctx, g)
	if e != nil {
		return nil, e
	}
	res := &issued{AccessToken: at, IssuedAt: now, ExpiresAt: exp, Scope: code.Scope, Subject: code.Subject}
	if withRefresh {
		s.control.noteIssued(first.Hash, req.client.ID, code.Subject, first.IssuedAt, first.ExpiresAt) // ctl revoke
		res.RefreshToken, res.RefreshAt, res.RefreshExp = refresh, first.IssuedAt, first.ExpiresAt
	}
	if out.openID {
		// OpenID Connect Core §3.1.3.3: the ID token, with the request's nonce.
		res.IDToken, e = s.mintIDToken(idToken{Client: req.client, User: out.user, Scope: code.Scope, Nonce: code.Nonce,
			AuthTime: code.AuthTime, SessionID: code.SessionID, AccessToken: at, Now: now})
	}
	return res, e
}

// codeChecks is what finishCodeGrant learned about a redeemed code.
type codeChecks struct {
	openID bool
	user   store.User
}

// finishCodeGrant checks a redeemed code against the request: its client,
// redirect_uri and PKCE (docs/security.md rules 9–11), and its user for OpenID
// Connect.
func (s *Server) finishCodeGrant(req *tokenRequest, code store.Code) (codeChecks, *Error) {
	verifier, hasVerifier := req.form["code_verifier"]
	if code.ClientID != req.client.ID {
		return codeChecks{}, NewError(ErrInvalidGrant, "authorization code was issued to another client (RFC 6749 §4.1.3)")
	}
	if code.RedirectURI != "" && req.form["redirect_uri"] != code.RedirectURI {
		return codeChecks{}, NewError(ErrInvalidGrant, "redirect_uri must be identical to the one of the authorization request (RFC 6749 §4.1.3)")
	}
	switch {
	case code.CodeChallenge == "" && hasVerifier:
		return codeChecks{}, NewError(ErrInvalidGrant, "code_verifier sent for a code issued without a code_challenge (RFC 9700 §2.1.1)")
	case code.CodeChallenge != "" && !hasVerifier:
		return codeChecks{}, NewError(ErrInvalidGrant, "code_verifier is missing; the code was issued with a code_challenge (RFC 7636 §4.5)")
	case code.CodeChallenge != "" && code.ChallengeMethod != PKCEMethodS256:
		return codeChecks{}, NewError(ErrInvalidGrant, "the code's code_challenge_method is not S256 (RFC 7636 §4.2)")
	case code.CodeChallenge != "" && !VerifyPKCE(verifier, code.CodeChallenge):
		return codeChecks{}, NewError(ErrInvalidGrant, "code_verifier does not match the code_challenge (RFC 7636 §4.6)")
	}
	out := codeChecks{openID: hasScope(code.Scope, ScopeOpenID)}
	if out.openID {
		user, err := s.store.Users().GetBySubject(req.r.Context(), code.Subject)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return codeChecks{}, NewError(ErrInvalidGrant, "the user of this code no longer exists (RFC 6749 §5.2)")
			}
			return codeChecks{}, s.storeError(err)
		}
		out.user = user
	}
	return out, nil
}
