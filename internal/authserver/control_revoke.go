package authserver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/keys"
)

// Revocation revokes every token issued up to At: all of them, a client's,
// or a user's (a user's tokens at any client).
type Revocation struct {
	All      bool
	ClientID string
	User     string
	At       time.Time // set by Revoke: the server's time of the call
}

type revocation struct {
	Revocation
	subject string
}

// maxRevocations bounds the revocations kept (they last for the life of
// the process).
const maxRevocations = 10000

// Revoke revokes the tokens the filter names that were issued until now:
// access tokens read as inactive, and a refresh token presented later
// revokes its grant (RFC 7009 §2.1 semantics for refresh tokens). The
// revocation is kept in the process: it outlives Reset, not a restart.
// Moving the clock afterwards (SetSkew, Reset) neither revives the tokens
// it covers (they keep their issue time, not after At) nor kills later
// ones (noteIssued), also when the clock stands still.
func (c *Control) Revoke(ctx context.Context, r Revocation) (Revocation, error) {
	if r.All == (r.ClientID != "" || r.User != "") {
		return r, errors.New("revoke: say all, or a client and/or a user")
	}
	rev := revocation{Revocation: r}
	if r.User != "" {
		u, err := c.srv.store.Users().Get(ctx, r.User)
		if errors.Is(err, store.ErrNotFound) {
			return r, fmt.Errorf("no user %q: %w", r.User, store.ErrNotFound)
		}
		if err != nil {
			return r, err
		}
		rev.subject = u.Subject
	}
	if r.ClientID != "" {
		if _, err := c.srv.store.Clients().Get(ctx, r.ClientID); errors.Is(err, store.ErrNotFound) {
			return r, fmt.Errorf("no client %q: %w", r.ClientID, store.ErrNotFound)
		} else if err != nil {
			return r, err
		}
	}
	rev.At = c.srv.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cutoffs) >= maxRevocations {
		return r, fmt.Errorf("revoke: at most %d revocations per process", maxRevocations)
	}
	c.cutoffs = append(c.cutoffs, rev)
	c.hasRevoke.Store(true)
	return rev.Revocation, nil
}

// revoked reports whether a token of the client and user subject (""
// for a client's own token) issued at issuedAt was revoked by a control
// call; id is its store key (the access token record's ID, the refresh
// token's hash).
func (c *Control) revoked(id, clientID, subject string, issuedAt time.Time) bool {
	if c == nil || !c.hasRevoke.Load() {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cuts := c.cutoffs
	if n, ok := c.notes[id]; ok {
		cuts = cuts[n.revocations:] // it was issued after these
	}
	return cutBy(cuts, clientID, subject, issuedAt)
}

// cutBy reports whether one of the revocations covers the token.
func cutBy(cuts []revocation, clientID, subject string, issuedAt time.Time) bool {
	for _, r := range cuts {
		if issuedAt.After(r.At) {
			continue
		}
		if r.All || ((r.ClientID == "" || r.ClientID == clientID) && (r.User == "" || (subject != "" && r.subject == subject))) {
			return true
		}
	}
	return false
}

// issuedNote records a token issued after revocations whose cutoff its
// issue time does not pass.
type issuedNote struct {
	revocations int       // how many revocations there were when it was issued
	expires     time.Time // after this it can be forgotten
}

// maxIssuedNotes bounds the notes. When they are full, expired ones are
// dropped; if none is, a new token is not noted and reads as revoked by
// the revocations before it.
const maxIssuedNotes = 100000

// noteIssued is called once a token is stored and before it is handed
// out. A revocation covers the tokens issued up to its time; but when the
// clock stands still (a test's frozen clock) or went back (SetSkew,
// Reset), a token issued after the call can carry a time that does not
// pass it. Such a token is noted with the number of revocations made
// before it, which then do not apply to it.
func (c *Control) noteIssued(id, clientID, subject string, issuedAt, expires time.Time) {
	if c == nil || !c.hasRevoke.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !cutBy(c.cutoffs, clientID, subject, issuedAt) {
		return
	}
	if c.notes == nil {
		c.notes = map[string]issuedNote{}
	}
	if len(c.notes) >= maxIssuedNotes {
		now := c.srv.now()
		for k, n := range c.notes {
			if !n.expires.After(now) {
				delete(c.notes, k)
			}
		}
		if len(c.notes) >= maxIssuedNotes {
			return
		}
	}
	c.notes[id] = issuedNote{revocations: len(c.cutoffs), expires: expires}
}

// RotateKeys makes a new key of the algorithm's type the signing key
// ("" or an RSA algorithm: RSA 2048; ES256/ES384/ES512: EC; EdDSA:
// Ed25519). The old keys stay in the JWKS until RetireKey. With keys from
// the store (LoadKeySet) the new key is saved there and the other servers
// on the store follow (keysync.go); with key files it lives in this
// process only.
func (c *Control) RotateKeys(alg string) (KeyInfo, error) {
	spec, err := specForAlg(alg)
	if err != nil {
		return KeyInfo{}, err
	}
	k, err := keys.Generate(spec)
	if err != nil {
		return KeyInfo{}, err
	}
	if alg != "" {
		if err := keys.CheckAlg(k.Public, alg); err != nil {
			return KeyInfo{}, err
		}
		k.Alg = alg
	}
	if err := c.srv.keys.Rotate(k); err != nil {
		return KeyInfo{}, err
	}
	return KeyInfo{KID: k.KeyID(), Alg: k.Algorithm(), Signing: true}, nil
}

// RetireKey removes a key from the JWKS: tokens it signed stop verifying.
func (c *Control) RetireKey(kid string) error { return c.srv.keys.Retire(kid) }

func specForAlg(alg string) (keys.Spec, error) {
	switch {
	case alg == "" || strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS"):
		return keys.Spec{Type: keys.TypeRSA}, nil
	case alg == "ES256":
		return keys.Spec{Type: keys.TypeEC, Curve: "P-256"}, nil
	case alg == "ES384":
		return keys.Spec{Type: keys.TypeEC, Curve: "P-384"}, nil
	case alg == "ES512":
		return keys.Spec{Type: keys.TypeEC, Curve: "P-521"}, nil
	case alg == "EdDSA":
		return keys.Spec{Type: keys.TypeEd25519}, nil
	}
	return keys.Spec{}, fmt.Errorf("alg %q: use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA", alg)
}
