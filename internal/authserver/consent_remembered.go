package authserver

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/netutil"
)

// Remembered consent: per user and client, the scopes the user has
// allowed, so the consent page is shown again only for more scope. They
// are kept in the store (store.ConsentStore), so every server sharing it
// remembers the same, and they go with their client or user.

// provableClient: a remembered consent may answer this request without a
// page. Not so for a public client redirecting to a loopback address: any
// local process can claim its identity on any port with a PKCE challenge
// of its own, so the person is asked every time (RFC 8252 §8.6,
// docs/security.md rule 45).
func provableClient(q *authzRequest) bool {
	if q.Device != "" { // a device request is confirmed every time (docs/security.md rule 81)
		return false
	}
	if !isPublic(q.Client) {
		return true
	}
	u, err := url.Parse(q.RedirectURI)
	return err == nil && !netutil.IsLoopbackHost(u.Hostname())
}

// consented reports whether every scope of scope was allowed before.
func (s *Server) consented(ctx context.Context, subject, clientID, scope string) (bool, error) {
	granted, err := s.store.Consents().Scopes(ctx, subject, clientID)
	if err != nil || len(granted) == 0 {
		return false, err
	}
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(granted, sc) {
			return false, nil
		}
	}
	return true, nil
}

// rememberConsent adds the scopes of scope to what the user allowed the
// client. A store failure is logged and forgotten: the person is asked
// again next time, which errs on the safe side.
func (s *Server) rememberConsent(ctx context.Context, subject, clientID, scope string) {
	if err := s.store.Consents().Grant(ctx, subject, clientID, strings.Fields(scope), s.now()); err != nil {
		s.noteStoreFailure()
		s.log.Warn("could not remember the consent", "client_id", clientID, "err", err)
	}
}
