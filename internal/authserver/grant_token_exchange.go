package authserver

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/token"
)

// Token type identifiers (RFC 8693 §3).
const (
	TokenTypeAccessToken  = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeRefreshToken = "urn:ietf:params:oauth:token-type:refresh_token"
	TokenTypeIDToken      = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeJWT          = "urn:ietf:params:oauth:token-type:jwt"
)

// maxActDepth bounds a delegation chain (nested act claims): a longer one
// is refused rather than carried on for ever.
const maxActDepth = 8

// exchangeParty is a subject or actor token this server accepted.
type exchangeParty struct {
	Subject  string
	Scope    string // the token's scope; "" for an ID token
	FamilyID string // the user grant the access token belongs to ("" otherwise)
	IDToken  bool
	// Act is the token's own act claim (a delegated JWT access token).
	Act map[string]any
}

// grantTokenExchange is RFC 8693: a client trades a token this server
// issued (subject_token), optionally with the token of who acts for its
// subject (actor_token), for a new token, narrower or for another
// audience. Every refusal names its rule (docs/security.md rules 83–87).
func (s *Server) grantTokenExchange(req *tokenRequest) (*issued, *Error) {
	f, ctx := req.form, req.r.Context()
	if f["subject_token"] == "" || f["subject_token_type"] == "" {
		return nil, NewError(ErrInvalidRequest, "subject_token and subject_token_type are required (RFC 8693 §2.1)")
	}
	if (f["actor_token"] == "") != (f["actor_token_type"] == "") {
		return nil, NewError(ErrInvalidRequest, "actor_token and actor_token_type go together: give both or neither (RFC 8693 §2.1)")
	}
	issuedType, e := requestedTokenType(f["requested_token_type"], s.settings.Format == FormatOpaque)
	if e != nil {
		return nil, e
	}
	subject, e := s.exchangeToken(ctx, "subject_token", f["subject_token"], f["subject_token_type"], req.client)
	if e != nil {
		return nil, e
	}
	var act map[string]any
	if f["actor_token"] != "" {
		actor, e := s.exchangeToken(ctx, "actor_token", f["actor_token"], f["actor_token_type"], req.client)
		if e != nil {
			return nil, e
		}
		if act, e = actClaim(actor.Subject, subject.Act); e != nil {
			return nil, e
		}
	} else if subject.Act != nil {
		act = subject.Act // still the same delegation: keep who acts
	}
	audience, e := exchangeAudience(f, req.client)
	if e != nil {
		return nil, e
	}
	scope, e := exchangeScope(f["scope"], subject)
	if e != nil {
		return nil, e
	}
	now := s.now()
	if issuedType == TokenTypeIDToken {
		return s.exchangeIDToken(ctx, req.client, subject, audience, scope, now)
	}
	g := grant{Client: req.client, Subject: subject.Subject, Scope: scope, FamilyID: subject.FamilyID, Now: now,
		Audience: audience, Act: act, JKT: req.jkt}
	at, exp, e := s.mintAccessToken(ctx, g)
	if e != nil {
		return nil, e
	}
	return &issued{AccessToken: at, IssuedAt: now, ExpiresAt: exp, Scope: scope, Subject: subject.Subject, IssuedTokenType: issuedType}, nil
}

// requestedTokenType: access_token (the default) and jwt are a JWT access
// token; id_token an ID token; refresh tokens are never issued by an
// exchange (docs/security.md rule 87).
func requestedTokenType(v string, opaque bool) (string, *Error) {
	switch v {
	case "", TokenTypeAccessToken:
		return TokenTypeAccessToken, nil
	case TokenTypeJWT:
		if opaque {
			return "", NewError(ErrInvalidRequest, "requested_token_type jwt: this server issues opaque access tokens (tokens.format opaque); ask for access_token (RFC 8693 §2.1)")
		}
		return TokenTypeJWT, nil
	case TokenTypeIDToken:
		return TokenTypeIDToken, nil
	case TokenTypeRefreshToken:
		return "", NewError(ErrInvalidRequest, "requested_token_type refresh_token: a token exchange never issues a refresh token; exchange again when the token expires (RFC 8693 §2.1, docs/security.md rule 87)")
	}
	return "", NewError(ErrInvalidRequest, "requested_token_type "+quoteShort(v)+" is not supported; use "+TokenTypeAccessToken+", "+TokenTypeJWT+" or "+TokenTypeIDToken+" (RFC 8693 §2.1)")
}

// exchangeToken accepts a subject or actor token only when this server
// issued it and it is live: an access token (signature, expiry, not
// revoked, its parties still registered) or an ID token issued to the
// requesting client (signature, expiry, its user still registered)
// (docs/security.md rule 83).
func (s *Server) exchangeToken(ctx context.Context, param, value, typ string, client store.Client) (exchangeParty, *Error) {
	bad := func(what string) *Error {
		return NewError(ErrInvalidGrant, param+" is not "+what+" (expired, revoked, or not issued by this server) (RFC 8693 §2.2.2, docs/security.md rule 83)")
	}
	if len(value) > maxTokenLength {
		return exchangeParty{}, bad("a token of this server")
	}
	if ti := s.trustedIssuerOf(value); ti != nil && (typ == TokenTypeJWT || typ == TokenTypeAccessToken) {
		return s.exchangeForeignJWT(ctx, ti, param, value)
	}
	switch typ {
	case TokenTypeAccessToken:
		return s.exchangeAccessToken(ctx, value, bad)
	case TokenTypeIDToken:
		return s.exchangeIDTokenParty(ctx, value, client, bad)
	case TokenTypeJWT:
		if strings.Count(value, ".") != 2 {
			return exchangeParty{}, bad("a JWT")
		}
		if p, e := s.exchangeAccessToken(ctx, value, bad); e == nil || e.Code == ErrServerError {
			return p, e
		}
		return s.exchangeIDTokenParty(ctx, value, client, func(string) *Error { return bad("a live access token or ID token of this server") })
	case TokenTypeRefreshToken:
		return exchangeParty{}, NewError(ErrInvalidRequest, param+"_type refresh_token is not accepted: a refresh token is redeemed with grant_type refresh_token by its own client (RFC 8693 §2.1, docs/security.md rule 83)")
	}
	return exchangeParty{}, NewError(ErrInvalidRequest, param+"_type "+quoteShort(typ)+" is not supported; use "+TokenTypeAccessToken+", "+TokenTypeIDToken+" or "+TokenTypeJWT+" (RFC 8693 §3)")
}

func (s *Server) exchangeAccessToken(ctx context.Context, value string, bad func(string) *Error) (exchangeParty, *Error) {
	rec, claims, ok, err := s.activeAccessTokenFor(ctx, value, "")
	if err != nil {
		return exchangeParty{}, s.storeError(err)
	}
	if !ok {
		return exchangeParty{}, bad("a live access token")
	}
	p := exchangeParty{Subject: rec.Subject, Scope: rec.Scope, FamilyID: rec.FamilyID}
	if a, ok := claims["act"].(map[string]any); ok {
		p.Act = a
	}
	return p, nil
}

// exchangeIDTokenParty accepts an ID token of this server whose aud holds
// the requesting client: a client trades only its own sign-ins.
func (s *Server) exchangeIDTokenParty(ctx context.Context, value string, client store.Client, bad func(string) *Error) (exchangeParty, *Error) {
	now := s.now()
	v := s.keys.Verifier(token.Verifier{Issuer: s.settings.Issuer, Audience: client.ID, Type: idTokenType, Now: func() time.Time { return now }})
	verified, err := v.Verify(value)
	if err != nil {
		return exchangeParty{}, bad("a live ID token issued to client " + client.ID)
	}
	sub, _ := verified.Claims["sub"].(string)
	if sub == "" {
		return exchangeParty{}, bad("a live ID token issued to client " + client.ID)
	}
	if _, err := s.store.Users().GetBySubject(ctx, sub); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return exchangeParty{}, bad("the ID token of a registered user")
		}
		return exchangeParty{}, s.storeError(err)
	}
	return exchangeParty{Subject: sub, IDToken: true}, nil
}

// actClaim is the act claim of an exchanged token: the actor's subject,
// with the subject token's own act nested inside, so a delegation chain
// keeps every prior actor, outermost the current one (RFC 8693 §4.1,
// docs/security.md rule 86).
func actClaim(actor string, prior map[string]any) (map[string]any, *Error) {
	act := map[string]any{"sub": actor}
	if prior != nil {
		depth := 1
		for a := prior; a != nil; depth++ {
			if depth >= maxActDepth {
				return nil, NewError(ErrInvalidGrant, "the delegation chain of subject_token is already "+strconv.Itoa(maxActDepth)+" actors deep (RFC 8693 §4.1, docs/security.md rule 86)")
			}
			a, _ = a["act"].(map[string]any)
		}
		act["act"] = prior
	}
	return act, nil
}

// exchangeAudience is the aud of the new token: every audience and
// resource value, each one the client's token_exchange.audiences allow
// (docs/security.md rule 84); none asked for: the server's own audience.
// The form has at most one of each: this server refuses repeated
// parameters (RFC 6749 §3.2).
func exchangeAudience(form map[string]string, client store.Client) ([]string, *Error) {
	var out []string
	for _, name := range []string{"audience", "resource"} {
		v, ok := form[name]
		if !ok {
			continue
		}
		if v == "" {
			return nil, NewError(ErrInvalidRequest, name+" must not be empty (RFC 8693 §2.1)")
		}
		if !slices.Contains(client.Ext.TokenExchangeAudiences, v) {
			allowed := "none"
			if l := client.Ext.TokenExchangeAudiences; len(l) > 0 {
				allowed = strings.Join(l, " ")
			}
			return nil, NewError(ErrInvalidTarget, "client "+client.ID+" may not exchange tokens for "+quoteShort(v)+"; allowed: "+allowed+" (RFC 8693 §2.2.2, docs/security.md rule 84)")
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// exchangeScope is the new token's scope: the subject token's when none
// is asked for, else a subset of it; an ID token carries no scope, so its
// exchange grants none (docs/security.md rule 85).
func exchangeScope(param string, subject exchangeParty) (string, *Error) {
	if subject.IDToken {
		if param != "" {
			return "", NewError(ErrInvalidScope, "scope "+quoteShort(param)+" is wider than subject_token's: an ID token grants no scope (RFC 8693 §2.1, docs/security.md rule 85)")
		}
		return "", nil
	}
	have := strings.Fields(subject.Scope)
	if param == "" {
		return subject.Scope, nil
	}
	var out []string
	for _, sc := range strings.Fields(param) {
		if !slices.Contains(have, sc) {
			return "", NewError(ErrInvalidScope, "scope "+quoteShort(sc)+" is wider than subject_token's scope "+quoteShort(subject.Scope)+" (RFC 8693 §2.1, docs/security.md rule 85)")
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return strings.Join(out, " "), nil
}

// exchangeIDToken issues an ID token for the subject's user to the
// requesting client (requested_token_type id_token). It is not an access
// token: token_type is N_A (RFC 8693 §2.2.1). An audience other than the
// client cannot be honoured: ID tokens are for their client alone.
func (s *Server) exchangeIDToken(ctx context.Context, client store.Client, subject exchangeParty, audience []string, scope string, now time.Time) (*issued, *Error) {
	if len(audience) > 0 {
		return nil, NewError(ErrInvalidTarget, "an ID token's audience is the requesting client; leave out audience and resource with requested_token_type id_token (RFC 8693 §2.1, docs/security.md rule 84)")
	}
	user, err := s.store.Users().GetBySubject(ctx, subject.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NewError(ErrInvalidGrant, "subject_token's subject is not a user; only a user's token can be exchanged for an ID token (RFC 8693 §2.1, docs/security.md rule 83)")
	}
	if err != nil {
		return nil, s.storeError(err)
	}
	idt, e := s.mintIDToken(idToken{Client: client, User: user, Scope: scope, Now: now})
	if e != nil {
		return nil, e
	}
	return &issued{AccessToken: idt, IssuedAt: now, ExpiresAt: now.Add(s.settings.IDTokenTTL), Scope: scope, Subject: user.Subject,
		IssuedTokenType: TokenTypeIDToken, TokenType: "N_A"}, nil
}
