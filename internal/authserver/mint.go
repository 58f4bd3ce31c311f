package authserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// MintRequest asks for tokens without an HTTP round trip (oauthkittest).
type MintRequest struct {
	ClientID string
	// User is the username the tokens are for; "" mints a client's own
	// token, as client_credentials does.
	User  string
	Scope string // "" grants the client's registered scopes
	// Nonce goes into the ID token, which is minted when Scope has openid
	// and User is set.
	Nonce string
}

// Minted is what MintToken issued: the same tokens the token endpoint
// would, recorded in the store (they introspect active and can be revoked).
type Minted struct {
	AccessToken  string
	RefreshToken string // when the client may refresh and User is set
	IDToken      string // when Scope has openid and User is set
	Scope        string
	ExpiresAt    time.Time
}

// MintToken issues tokens for a registered client (and user) under the
// same rules as the token endpoint: the scope must be one the client may
// have. The client's grant types are not checked: a test mints what it
// needs.
func (s *Server) MintToken(ctx context.Context, r MintRequest) (*Minted, error) {
	client, err := s.store.Clients().Get(ctx, r.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("no client %q: %w", r.ClientID, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	scope := r.Scope
	if scope == "" {
		scope = strings.Join(client.Scopes, " ")
	}
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(client.Scopes, sc) {
			return nil, fmt.Errorf("scope %q is not registered for client %s (it has: %s)", sc, client.ID, strings.Join(client.Scopes, " "))
		}
	}
	now := s.now()
	g := grant{Client: client, Subject: client.ID, Scope: scope, Now: now}
	if r.User == "" {
		at, exp, e := s.mintAccessToken(ctx, g)
		if e != nil {
			return nil, e
		}
		return &Minted{AccessToken: at, Scope: scope, ExpiresAt: exp}, nil
	}
	user, err := s.store.Users().Get(ctx, r.User)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("no user %q: %w", r.User, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	g.Subject, g.AuthTime = user.Subject, now
	out, e := s.issueForUser(ctx, g, "")
	if e != nil {
		return nil, e
	}
	m := &Minted{AccessToken: out.AccessToken, RefreshToken: out.RefreshToken, Scope: scope, ExpiresAt: out.ExpiresAt}
	if hasScope(scope, ScopeOpenID) {
		if m.IDToken, e = s.mintIDToken(idToken{Client: client, User: user, Scope: scope, Nonce: r.Nonce,
			AuthTime: now, AccessToken: out.AccessToken, Now: now}); e != nil {
			return nil, e
		}
	}
	return m, nil
}
