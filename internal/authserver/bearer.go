package authserver

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/token"
)

// maxTokenLength bounds the tokens looked at: longer ones are not ours and
// are refused before any work (docs/security.md rule 37).
const maxTokenLength = 8 << 10

// verifiedTokensMax bounds the access tokens whose verified signature the
// server remembers (Server.verifiedTokens): a few KB each.
const verifiedTokensMax = 1024

// activeAccessToken returns the record of a live access token issued by this
// server: signature, issuer, audience, type and expiry for a JWT (algorithm
// pinned, docs/security.md rule 19), expiry for an opaque one, and not revoked.
// ok is false for anything else; err is set only when the store failed.
func (s *Server) activeAccessToken(ctx context.Context, value string) (rec store.AccessToken, ok bool, err error) {
	rec, _, ok, err = s.activeAccessTokenFor(ctx, value, s.settings.Audience)
	return rec, ok, err
}

// activeAccessTokenFor is activeAccessToken for a JWT whose aud must be
// the one recorded with it (the server's audience, or the resources it was
// issued for, RFC 8707) unless audience is "" (any: a token exchange's
// subject and actor tokens may have been exchanged for another audience); it also returns the
// verified claims of a JWT (nil for an opaque token).
func (s *Server) activeAccessTokenFor(ctx context.Context, value, audience string) (rec store.AccessToken, claims map[string]any, ok bool, err error) {
	if value == "" || len(value) > maxTokenLength {
		return rec, nil, false, nil
	}
	now := s.now()
	var ids, jwtAud []string
	if strings.Count(value, ".") == 2 {
		// The audience is the server's or the resources the token was
		// issued for (RFC 8707): checked against the record below.
		v := s.keys.Verifier(token.Verifier{Issuer: s.settings.Issuer, Type: "at+jwt",
			Now: func() time.Time { return now }, Memo: s.verifiedTokens})
		verified, verr := v.Verify(value)
		if token.KindOf(verr) == token.KindUnknownKey && s.keys.reloadForUnknownKID() { // another replica rotated (keysync.go)
			verified, verr = s.keys.Verifier(*v).Verify(value)
		}
		if verr != nil {
			return rec, nil, false, nil
		}
		jti, _ := verified.Claims["jti"].(string)
		if jti == "" {
			return rec, nil, false, nil
		}
		ids, claims = []string{jti}, verified.Claims
		aud, _, aerr := token.Audience(verified.Claims)
		if aerr != nil || len(aud) == 0 {
			return rec, nil, false, nil
		}
		if audience != "" { // "": a token exchange's subject or actor token, any audience
			jwtAud = aud
		}
	} else {
		ids = s.hasher.Candidates(value)
	}
	for _, id := range ids {
		if claims != nil {
			rec, err = s.accessRecord(ctx, id, claims, now)
		} else {
			rec, err = s.store.AccessTokens().Get(ctx, id)
		}
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return rec, nil, false, err
		}
		if rec.Revoked || !now.Before(rec.ExpiresAt) {
			return rec, nil, false, nil
		}
		if jwtAud != nil && !s.recordedAudience(rec, jwtAud) {
			return rec, nil, false, nil
		}
		if s.control.revoked(rec.ID, rec.ClientID, grant{FamilyID: rec.FamilyID, Subject: rec.Subject}.userSubject(), rec.IssuedAt) { // ctl revoke
			return rec, nil, false, nil
		}
		live, err := s.grantPartiesExist(ctx, rec)
		return rec, claims, live, err
	}
	return rec, nil, false, nil
}

// grantPartiesExist reports whether the client of a token, and its user for
// a user grant, are still registered: removing either from the
// configuration ends its access tokens too, not only its refresh tokens.
func (s *Server) grantPartiesExist(ctx context.Context, rec store.AccessToken) (bool, error) {
	// A client read from the store by this very request (a resource server
	// introspecting its own token) exists: it is not read again.
	if loaded, ok := ctx.Value(loadedClientKey{}).(store.Client); !ok || loaded.ID != rec.ClientID {
		if _, err := s.store.Clients().Get(ctx, rec.ClientID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return false, nil
			}
			return false, err
		}
	}
	if rec.FamilyID == "" { // client_credentials: the subject is the client
		return true, nil
	}
	if _, err := s.store.Users().GetBySubject(ctx, rec.Subject); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// loadedClientKey carries, in a request's context, the client the request
// authenticated as: read from the store by this request, it need not be
// read again to know that it exists.
type loadedClientKey struct{}

func withLoadedClient(ctx context.Context, c store.Client) context.Context {
	return context.WithValue(ctx, loadedClientKey{}, c)
}

// activeRefreshToken returns a live refresh token and its grant.
func (s *Server) activeRefreshToken(ctx context.Context, value string) (store.RefreshToken, store.Family, bool, error) {
	if value == "" || len(value) > maxTokenLength {
		return store.RefreshToken{}, store.Family{}, false, nil
	}
	for _, h := range s.hasher.Candidates(value) {
		rt, fam, err := s.store.RefreshTokens().Lookup(ctx, h)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return rt, fam, false, err
		}
		live := rt.Status == store.StatusActive && !fam.Revoked && s.now().Before(rt.ExpiresAt)
		if live && s.control.revoked(rt.Hash, fam.ClientID, fam.Subject, rt.IssuedAt) { // ctl revoke
			if err := s.store.RefreshTokens().RevokeFamily(ctx, fam.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return rt, fam, false, err
			}
			fam.Revoked, live = true, false
		}
		return rt, fam, live, nil
	}
	return store.RefreshToken{}, store.Family{}, false, nil
}

// bearerToken takes the token of an Authorization header: "Bearer X", and
// Tencent API Gateway's `Bearer id_token="X"` form (seed 000).
func bearerToken(header string) (string, bool) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	if v, found := strings.CutPrefix(rest, "id_token="); found {
		rest = strings.Trim(v, `"`)
	}
	if rest == "" || strings.ContainsAny(rest, " \t,") {
		return "", false
	}
	return rest, true
}
