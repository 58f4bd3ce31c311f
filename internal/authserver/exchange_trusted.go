package authserver

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// TrustedIssuer is another issuer whose JWTs a token exchange accepts as
// subject or actor tokens, with the public keys that verify them.
type TrustedIssuer struct {
	Issuer string
	Keys   []*keys.Key
}

// trustedIssuerOf returns the trusted issuer a JWT names in iss (read
// before any verification, only to choose the keys), or nil.
func (s *Server) trustedIssuerOf(value string) *TrustedIssuer {
	if len(s.settings.TrustedIssuers) == 0 || strings.Count(value, ".") != 2 {
		return nil
	}
	d, err := token.Decode(value)
	if err != nil {
		return nil
	}
	iss, _ := d.Claims["iss"].(string)
	for i := range s.settings.TrustedIssuers {
		if ti := &s.settings.TrustedIssuers[i]; ti.Issuer == iss && iss != s.settings.Issuer {
			return ti
		}
	}
	return nil
}

// exchangeForeignJWT accepts a JWT of a trusted issuer: its signature by
// one of the issuer's keys (algorithm pinned to the key's; none and HMAC
// never), iss, exp (required), nbf, and an aud that names this server's
// issuer — a token meant for another party is not traded here. Its sub
// must not be one of this server's users or clients, so a foreign subject
// never passes for a local one (docs/security.md rule 83). Its scope claim
// is the scope an exchange may narrow.
func (s *Server) exchangeForeignJWT(ctx context.Context, ti *TrustedIssuer, param, value string) (exchangeParty, *Error) {
	now := s.now()
	v := token.Verifier{Keys: ti.Keys, Issuer: ti.Issuer, Audience: s.settings.Issuer, Now: func() time.Time { return now }}
	verified, err := v.Verify(value)
	if err != nil {
		return exchangeParty{}, NewError(ErrInvalidGrant, param+" from trusted issuer "+ti.Issuer+" does not verify: "+SafeDescription(err.Error())+
			"; its aud must name this server's issuer (RFC 8693 §2.2.2, docs/security.md rule 83)")
	}
	sub, _ := verified.Claims["sub"].(string)
	if sub == "" {
		return exchangeParty{}, NewError(ErrInvalidGrant, param+" from trusted issuer "+ti.Issuer+" has no sub (RFC 8693 §2.1, docs/security.md rule 83)")
	}
	local, e := s.isLocalSubject(ctx, sub)
	if e != nil {
		return exchangeParty{}, e
	}
	if local {
		return exchangeParty{}, NewError(ErrInvalidGrant, param+" from trusted issuer "+ti.Issuer+" names sub "+quoteShort(sub)+", a user or client of this server; a foreign subject never passes for a local one (docs/security.md rule 83)")
	}
	p := exchangeParty{Subject: sub}
	p.Scope, _ = verified.Claims["scope"].(string)
	if a, ok := verified.Claims["act"].(map[string]any); ok {
		p.Act = a
	}
	return p, nil
}

// isLocalSubject reports whether sub is a user's subject or a client ID.
func (s *Server) isLocalSubject(ctx context.Context, sub string) (bool, *Error) {
	if _, err := s.store.Users().GetBySubject(ctx, sub); err == nil {
		return true, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, s.storeError(err)
	}
	if _, err := s.store.Clients().Get(ctx, sub); err == nil {
		return true, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, s.storeError(err)
	}
	return false, nil
}
