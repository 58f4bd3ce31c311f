package authserver

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// issued is what a grant produced, ready to be written in the response
// profile of the client.
type issued struct {
	AccessToken  string
	IssuedAt     time.Time
	ExpiresAt    time.Time
	Scope        string
	Subject      string
	RefreshToken string // "" when the grant gives none
	RefreshAt    time.Time
	RefreshExp   time.Time
	RefreshCount int
	IDToken      string // "" unless the grant is OpenID Connect
	DPoP         bool   // the access token is bound to a DPoP key: token_type DPoP
	// IssuedTokenType is issued_token_type (token exchange, RFC 8693
	// §2.2.1); "" for the other grants.
	IssuedTokenType string
	// TokenType replaces "Bearer" when set ("N_A" for an exchanged token
	// that is not an access token, RFC 8693 §2.2.1).
	TokenType string
}

// grant describes what an access token is issued for.
type grant struct {
	Client   store.Client
	Subject  string // the user's subject, or the client id for client_credentials
	Scope    string
	FamilyID string // "" for client_credentials
	AuthTime time.Time
	// SessionID is the browser session's "sid" kept with the grant for the
	// ID tokens of later refreshes; "" without a session.
	SessionID string
	Now       time.Time
	// JKT is the thumbprint of the DPoP key the tokens are bound to, ""
	// for Bearer tokens (dpop.go).
	JKT string
	// Audience replaces the server's aud in the access token (token
	// exchange, RFC 8693 §2.1); empty: the server's.
	Audience []string
	// Act is the act claim (RFC 8693 §4.1); nil: none.
	Act map[string]any
	// Resources become the token's aud (RFC 8707); nil: the server's audience.
	Resources []string
}

// userSubject is the subject of the grant's user; "" for a client's own
// token (client_credentials, whose Subject is the client).
func (g grant) userSubject() string {
	if g.FamilyID == "" {
		return ""
	}
	return g.Subject
}

// randomToken returns n random bytes, base64url-encoded. 32 bytes give 256
// bits, beyond the 128 bits docs/security.md rule 17 asks for.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// mintAccessToken creates, records and returns an access token: an RFC 9068
// JWT (typ at+jwt) or an opaque string, per the server's format.
func (s *Server) mintAccessToken(ctx context.Context, g grant) (string, time.Time, *Error) {
	return s.mintAccessTokenWith(ctx, g, nil)
}

// mintAccessTokenWith is mintAccessToken with the token's record written by
// commit (a refresh: in its rotation's transaction) in place of the
// store's Record; the token is then a recorded one, never self-contained.
// commit runs once the token is signed, and the token is handed out only
// if it returns nil. nil commit: mintAccessToken.
func (s *Server) mintAccessTokenWith(ctx context.Context, g grant, commit func(store.AccessToken) *Error) (string, time.Time, *Error) {
	exp := g.Now.Add(s.settings.AccessTokenTTL)
	rec := store.AccessToken{FamilyID: g.FamilyID, ClientID: g.Client.ID, Subject: g.Subject,
		Scope: g.Scope, IssuedAt: g.Now, ExpiresAt: exp, Audience: strings.Join(g.Resources, " ")}
	var value string
	if s.settings.Format == FormatOpaque {
		value = bindValue(randomToken(32), g.JKT)
		rec.ID = s.hasher.Hash(value)
		if commit != nil {
			if e := commit(rec); e != nil {
				return "", time.Time{}, e
			}
		} else if err := s.store.AccessTokens().Record(ctx, rec); err != nil {
			return "", time.Time{}, s.storeError(err)
		}
	} else {
		// The record of a token with a grant family commits while the token
		// is signed (the commit waits for the disk, the signature for the
		// CPU); the token is handed out only once both are done. If the
		// record fails, the signed token is dropped: never handed out.
		var recorded chan error // nil: nothing to record now
		switch {
		case commit != nil: // after the signature
			rec.ID = orderedID(g.Now) // a recorded token's jti
		case selfContainedGrant(g): // rule 109: no record, the lease is the write
			lease, err := s.leaseFor(ctx, g.Now, exp)
			if err != nil {
				return "", time.Time{}, s.storeError(err)
			}
			rec.ID = lease + randomToken(16) // lease.go: never recorded itself
			// A check reads the issue time from iat, whole seconds: ctl revoke
			// compares that one (noteIssued below).
			rec.IssuedAt = time.Unix(g.Now.Unix(), 0).UTC()
		default:
			rec.ID = orderedID(g.Now) // a recorded token's jti
			recorded = make(chan error, 1)
			go func(rec store.AccessToken) { recorded <- s.store.AccessTokens().Record(ctx, rec) }(rec)
		}
		claims := map[string]any{}
		maps.Copy(claims, g.Client.Claims)                                              // static claims first: the standard ones win
		s.control.addClaims(claims, claimsForAccessToken, g.Client.ID, g.userSubject()) // ctl claims
		claims["iss"] = s.settings.Issuer
		claims["sub"] = g.Subject
		claims["aud"] = s.settings.Audience
		switch {
		case len(g.Resources) > 0:
			claims["aud"] = audienceClaim(g.Resources)
		case len(g.Audience) > 0:
			claims["aud"] = audienceClaim(g.Audience)
		}
		if g.Act != nil {
			claims["act"] = g.Act
		}
		claims["client_id"] = g.Client.ID
		claims["iat"] = g.Now.Unix()
		claims["exp"] = exp.Unix()
		claims["jti"] = rec.ID
		if g.Scope != "" {
			claims["scope"] = g.Scope
		}
		if !g.AuthTime.IsZero() {
			claims["auth_time"] = g.AuthTime.Unix()
		}
		if g.JKT != "" {
			claims["cnf"] = map[string]any{"jkt": g.JKT} // RFC 9449 §6.1
		} else {
			delete(claims, "cnf") // a static claim never fakes a binding
		}
		key := s.keys.SignerFor(s.settings.AccessTokenAlgs[g.Client.ID])
		if key == nil { // the key of the client's algorithm was retired while serving
			s.log.Error("no signing key for the client's access_token_signing_alg", "client_id", g.Client.ID, "alg", s.settings.AccessTokenAlgs[g.Client.ID])
			return "", time.Time{}, NewError(ErrServerError, "could not sign the access token; see the server log")
		}
		signed, err := s.sign(ctx, key, claims, "at+jwt")
		if recorded != nil {
			if rerr := <-recorded; rerr != nil {
				return "", time.Time{}, s.storeError(rerr)
			}
		}
		if err != nil {
			if ctx.Err() == nil { // else the client left while its request waited
				s.log.Error("signing an access token failed", "err", err)
			}
			return "", time.Time{}, NewError(ErrServerError, "could not sign the access token; see the server log")
		}
		if commit != nil {
			if e := commit(rec); e != nil {
				return "", time.Time{}, e
			}
		}
		value = s.control.tamperSignature(g.Client.ID, signed) // ctl tamper signature
	}
	s.control.noteIssued(rec.ID, rec.ClientID, g.userSubject(), rec.IssuedAt, rec.ExpiresAt) // ctl revoke
	return value, exp, nil
}

// selfContainedGrant reports whether the grant's JWT access token is
// self-contained (lease.go): no grant family to revoke it with, and the
// server's own audience (not a token exchange's or resource indicators').
func selfContainedGrant(g grant) bool {
	return g.FamilyID == "" && len(g.Audience) == 0 && len(g.Resources) == 0 && g.Act == nil
}

// newFamilyID returns a fresh grant-family identifier, made at now.
func newFamilyID(now time.Time) string { return orderedID(now) }

// orderedID returns a fresh identifier for a new row of the store: the
// creation time in milliseconds, 9 digits of base 32 (0-9a-v, which sort
// as they count), then 16 random bytes base64url (22 characters), 31 in
// all. New rows then land at the end of the indexes on their ID (and of
// those on a family's ID) instead of a random page each, so a batch of
// writes changes few pages (docs/serve.md §9). The 128 random bits are what
// makes it unguessable, as before; the time is no secret (iat).
func orderedID(now time.Time) string {
	ms := max(now.UnixMilli(), 0)
	t := strconv.FormatInt(ms, 32)
	if len(t) < orderedIDTimeLength {
		t = strings.Repeat("0", orderedIDTimeLength-len(t)) + t
	}
	return t + randomToken(16)
}

// orderedIDTimeLength is the time part of orderedID: 9 base-32 digits
// count milliseconds up to the year 3084.
const orderedIDTimeLength = 9

// startFamily stores a new grant with its first refresh token (withRefresh)
// and returns the refresh token value ("" without one).
func (s *Server) startFamily(ctx context.Context, g *grant, codeHash string, withRefresh bool) (refresh string, rt store.RefreshToken, e *Error) {
	g.FamilyID = newFamilyID(g.Now)
	fam := store.Family{ID: g.FamilyID, ClientID: g.Client.ID, Subject: g.Subject, Scope: g.Scope,
		AuthTime: g.AuthTime, SessionID: g.SessionID, CreatedAt: g.Now, CodeHash: codeHash,
		Resource: strings.Join(g.Resources, " ")}
	if withRefresh {
		refresh = bindValue(randomToken(32), refreshJKT(g.Client, g.JKT))
		rt = store.RefreshToken{Hash: s.hasher.Hash(refresh), IssuedAt: g.Now, ExpiresAt: g.Now.Add(s.settings.RefreshTokenTTL)}
	}
	if err := s.store.RefreshTokens().CreateFamily(ctx, fam, rt); err != nil {
		return "", store.RefreshToken{}, s.storeError(err)
	}
	if withRefresh {
		s.control.noteIssued(rt.Hash, fam.ClientID, fam.Subject, rt.IssuedAt, rt.ExpiresAt) // ctl revoke
	}
	return refresh, rt, nil
}

// issueForUser finishes a user grant (password, authorization code): a new
// family, a refresh token when the client may refresh, an access token.
func (s *Server) issueForUser(ctx context.Context, g grant, codeHash string) (*issued, *Error) {
	withRefresh := hasGrant(g.Client, GrantRefreshToken)
	refresh, rt, e := s.startFamily(ctx, &g, codeHash, withRefresh)
	if e != nil {
		return nil, e
	}
	at, exp, e := s.mintAccessToken(ctx, g)
	if e != nil {
		return nil, e
	}
	out := &issued{AccessToken: at, IssuedAt: g.Now, ExpiresAt: exp, Scope: g.Scope, Subject: g.Subject}
	if withRefresh {
		out.RefreshToken, out.RefreshAt, out.RefreshExp = refresh, rt.IssuedAt, rt.ExpiresAt
	}
	return out, nil
}

// MaxLiveCodes caps a client's codes that are neither redeemed nor
// expired: an auto-approved client flooded with anonymous /authorize
// requests stops writing rows (docs/security.md rule 52).
const MaxLiveCodes = 1000

// createCode stores a new authorization code unless its client already has
// MaxLiveCodes live ones.
func (s *Server) createCode(ctx context.Context, code store.Code, now time.Time) *Error {
	n, err := s.store.Codes().CountLive(ctx, code.ClientID, now)
	if err != nil {
		return s.storeError(err)
	}
	if n >= MaxLiveCodes {
		return &Error{Code: ErrTemporarilyUnavailable, Status: http.StatusServiceUnavailable, RetryAfter: int(s.settings.CodeTTL.Seconds()) + 1,
			Description: "client " + code.ClientID + " has too many unredeemed authorization codes; redeem them or wait until they expire"}
	}
	if err := s.store.Codes().Create(ctx, code); err != nil {
		return s.storeError(err)
	}
	return nil
}

func hasGrant(c store.Client, g string) bool { return slices.Contains(c.GrantTypes, g) }
