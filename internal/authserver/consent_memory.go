package authserver

import (
	"net/url"
	"strings"
	"sync"

	"github.com/oauthkit/oauthkit/internal/netutil"
)

// maxConsents bounds the remembered consents.
const maxConsents = 10000

// consentMemory remembers, per user and client, the scopes the user has
// allowed, so the consent page is shown again only for more scope. It is
// kept in memory: after a restart the person is asked again, which errs on
// the safe side.
type consentMemory struct {
	mu      sync.Mutex
	granted map[string]map[string]bool // subject NUL client → scopes
}

func newConsentMemory() *consentMemory {
	return &consentMemory{granted: map[string]map[string]bool{}}
}

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

func consentKey(subject, clientID string) string { return subject + "\x00" + clientID }

// has reports whether every scope of scope was allowed before.
func (c *consentMemory) has(subject, clientID, scope string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	set, ok := c.granted[consentKey(subject, clientID)]
	if !ok {
		return false
	}
	for _, sc := range strings.Fields(scope) {
		if !set[sc] {
			return false
		}
	}
	return true
}

// remember adds the scopes of scope to what the user allowed the client.
func (c *consentMemory) remember(subject, clientID, scope string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := consentKey(subject, clientID)
	set, ok := c.granted[key]
	if !ok {
		if len(c.granted) >= maxConsents {
			for k := range c.granted { // forget one: the person is asked again
				delete(c.granted, k)
				break
			}
		}
		set = map[string]bool{}
		c.granted[key] = set
	}
	for _, sc := range strings.Fields(scope) {
		set[sc] = true
	}
}
