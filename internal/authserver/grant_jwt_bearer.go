package authserver

import (
	"errors"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/oauth"
	"github.com/oauthkit/oauthkit/internal/store"
)

// GrantJWTBearer is the JWT bearer authorization grant (RFC 7523 §2.1).
const GrantJWTBearer = string(oauth.GrantJWTBearer)

// grantJWTBearer is RFC 7523 §2.1: the client presents a JWT it signed
// with one of its own keys (jwks, jwks_file or jwks_uri), iss = its
// client_id, sub = the user the token is for, and gets an access token
// for that user without a browser (docs/security.md rule 75). The trust
// comes from the client's registration: only clients configured for the
// jwt_bearer grant may, and only with their keys. The assertion obeys the
// rules of client assertions (aud, exp, lifetime, jti single-use, alg
// pinned: verifyAssertion); a broken one is invalid_grant (RFC 7521
// §4.1.1). No refresh token is issued: the client mints a new assertion.
func (s *Server) grantJWTBearer(req *tokenRequest) (*issued, *Error) {
	raw := req.form["assertion"]
	if raw == "" {
		return nil, NewError(ErrInvalidRequest, "the jwt-bearer grant needs an assertion parameter (RFC 7523 §2.1)")
	}
	scope, e := clientScope(req.form["scope"], req.client)
	if e != nil {
		return nil, e
	}
	a, err := clientauth.ParseAssertion("assertion", raw)
	if err == nil {
		err = a.CheckClaims(clientauth.Expect{What: "assertion", Issuer: req.client.ID,
			Audiences: s.assertionAudiences(req.r), Now: s.now()})
	}
	if err != nil {
		return nil, NewError(ErrInvalidGrant, err.Error())
	}
	ctx := req.r.Context()
	user, err := s.store.Users().GetBySubject(ctx, a.Subject)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, NewError(ErrInvalidGrant, "assertion sub "+quoteShort(a.Subject)+" is not a user of this server (RFC 7523 §3 item 2)")
	case err != nil:
		return nil, s.storeError(err)
	}
	if err := s.verifyAssertion(ctx, a, req.client, false); err != nil {
		var se storeFailure
		switch {
		case errors.As(err, &se):
			return nil, s.storeError(se.err)
		case errors.Is(err, store.ErrReplayed):
			return nil, NewError(ErrInvalidGrant, "assertion jti "+quoteShort(a.JTI)+" was already used: mint a new assertion per request (RFC 7523 §3 item 7, docs/security.md rule 72)")
		}
		return nil, NewError(ErrInvalidGrant, err.Error()+" (RFC 7523 §3 item 9)")
	}
	now := s.now()
	g := grant{Client: req.client, Subject: user.Subject, Scope: scope, Now: now, JKT: req.jkt}
	at, exp, e := s.mintAccessToken(ctx, g)
	if e != nil {
		return nil, e
	}
	return &issued{AccessToken: at, IssuedAt: now, ExpiresAt: exp, Scope: scope, Subject: user.Subject}, nil
}
