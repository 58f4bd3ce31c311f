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
	ctx := req.r.Context()
	now := s.now()
	var (
		code     store.Code
		err      error
		codeHash string
	)
	for _, h := range s.hasher.Candidates(value) {
		codeHash = h
		code, err = s.store.Codes().Redeem(ctx, h, now)
		if !errors.Is(err, store.ErrNotFound) {
			break
		}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, NewError(ErrInvalidGrant, "authorization code is unknown (RFC 6749 §5.2)")
	case errors.Is(err, store.ErrExpired):
		return nil, NewError(ErrInvalidGrant, "authorization code has expired (RFC 6749 §4.1.2)")
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
	if code.ClientID != req.client.ID {
		return nil, NewError(ErrInvalidGrant, "authorization code was issued to another client (RFC 6749 §4.1.3)")
	}
	if code.RedirectURI != "" && req.form["redirect_uri"] != code.RedirectURI {
		return nil, NewError(ErrInvalidGrant, "redirect_uri must be identical to the one of the authorization request (RFC 6749 §4.1.3)")
	}
	switch {
	case code.CodeChallenge == "" && hasVerifier:
		return nil, NewError(ErrInvalidGrant, "code_verifier sent for a code issued without a code_challenge (RFC 9700 §2.1.1)")
	case code.CodeChallenge != "" && !hasVerifier:
		return nil, NewError(ErrInvalidGrant, "code_verifier is missing; the code was issued with a code_challenge (RFC 7636 §4.5)")
	case code.CodeChallenge != "" && code.ChallengeMethod != PKCEMethodS256:
		return nil, NewError(ErrInvalidGrant, "the code's code_challenge_method is not S256 (RFC 7636 §4.2)")
	case code.CodeChallenge != "" && !VerifyPKCE(verifier, code.CodeChallenge):
		return nil, NewError(ErrInvalidGrant, "code_verifier does not match the code_challenge (RFC 7636 §4.6)")
	}
	var user store.User
	openID := hasScope(code.Scope, ScopeOpenID)
	if openID {
		if user, err = s.store.Users().GetBySubject(ctx, code.Subject); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, NewError(ErrInvalidGrant, "the user of this code no longer exists (RFC 6749 §5.2)")
			}
			return nil, s.storeError(err)
		}
	}
	g := grant{Client: req.client, Subject: code.Subject, Scope: code.Scope, AuthTime: code.AuthTime,
		SessionID: code.SessionID, Now: now}
	out, e := s.issueForUser(ctx, g, codeHash)
	if e != nil || !openID {
		return out, e
	}
	// OpenID Connect Core §3.1.3.3: the ID token, with the request's nonce.
	out.IDToken, e = s.mintIDToken(idToken{Client: req.client, User: user, Scope: code.Scope, Nonce: code.Nonce,
		AuthTime: code.AuthTime, SessionID: code.SessionID, AccessToken: out.AccessToken, Now: now})
	return out, e
}
