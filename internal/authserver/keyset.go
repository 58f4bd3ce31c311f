package authserver

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// KeySet is the server's signing key and the keys it publishes. Signing sits
// behind this small type so other signers can come later without touching
// the handlers. It may change while the server runs (the control API's
// rotate-keys): each change builds a new immutable keyState, so a request
// reads one consistent state without a lock.
type KeySet struct {
	mu  sync.Mutex // serialises changes; readers use cur
	cur atomic.Pointer[keyState]
	// sync, when set, keeps the set in step with the store's keys
	// (keysync.go); nil for keys given as files.
	sync *keySync
}

// keyState is one version of the key set.
type keyState struct {
	signer *keys.Key
	// published holds copies of the keys whose KID is set to the kid
	// published for them: the verifier never treats one as a key without
	// an ID (a token whose kid is not in the JWKS is refused, even when its
	// signature would verify with one of our keys, RFC 9068 §4), and
	// signing does not compute the RFC 7638 thumbprint for every token.
	published []*keys.Key
	jwks      keys.JWKS
	// byAlg is the key that signs each algorithm: the signer for its own,
	// for any other the newest published private key of that algorithm
	// (per-client access_token_signing_alg).
	byAlg map[string]*keys.Key
}

// NewKeySet builds a key set: the first key signs, all are published. Only
// the signer must have its private half; another private key signs the
// access tokens of the clients that ask for its algorithm (SignerFor). RSA
// keys below 2048 bits were refused when they were parsed.
func NewKeySet(signer *keys.Key, more ...*keys.Key) (*KeySet, error) {
	st, err := buildKeyState(signer, append([]*keys.Key{signer}, more...))
	if err != nil {
		return nil, err
	}
	ks := &KeySet{}
	ks.cur.Store(st)
	return ks, nil
}

func buildKeyState(signer *keys.Key, published []*keys.Key) (*keyState, error) {
	if signer == nil || signer.Private == nil {
		return nil, errors.New("the signing key must be a private key")
	}
	st := &keyState{byAlg: map[string]*keys.Key{}}
	signerKID := signer.KeyID()
	seen := map[string]bool{}
	for _, k := range published {
		kid := k.KeyID()
		if seen[kid] {
			continue
		}
		seen[kid] = true
		jwk, err := k.PublicJWK()
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", kid, err)
		}
		jwk.Kid = kid
		jwk.Alg = k.Algorithm()
		jwk.Use = "sig"
		named := *k
		named.KID = kid
		st.published = append(st.published, &named)
		st.jwks.Keys = append(st.jwks.Keys, jwk)
		if kid == signerKID {
			st.signer = &named
		}
		if k.Private != nil {
			st.byAlg[k.Algorithm()] = &named // later keys win: the newest
		}
	}
	if st.signer == nil || st.signer.Private == nil {
		return nil, errors.New("the signing key must be one of the published keys, with its private half")
	}
	st.byAlg[st.signer.Algorithm()] = st.signer
	return st, nil
}

func (ks *KeySet) state() *keyState { return ks.cur.Load() }

// Signer returns the key that signs new tokens.
func (ks *KeySet) Signer() *keys.Key {
	if ks == nil {
		return nil
	}
	if st := ks.state(); st != nil {
		return st.signer
	}
	return nil
}

// SignerFor returns the key that signs tokens with alg ("": the signer's),
// or nil when no published private key has that algorithm.
func (ks *KeySet) SignerFor(alg string) *keys.Key {
	if alg == "" {
		return ks.Signer()
	}
	return ks.state().byAlg[alg]
}

// JWKS returns the public key set (public members only, docs/security.md rule 20).
func (ks *KeySet) JWKS() keys.JWKS { return ks.state().jwks }

// Algs lists the signing algorithms of the published keys, signer first.
func (ks *KeySet) Algs() []string {
	st := ks.state()
	out := []string{st.signer.Algorithm()}
	for _, k := range st.published {
		if a := k.Algorithm(); !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// Sign signs claims with the signing key and the given typ header.
func (ks *KeySet) Sign(claims any, typ string) (string, error) {
	return signWith(ks.Signer(), claims, typ)
}

func signWith(k *keys.Key, claims any, typ string) (string, error) {
	return token.Sign(claims, k, token.SignOptions{Typ: typ, KID: k.KeyID()})
}

// Verifier returns a verifier pinned to the published keys and their
// algorithms (docs/security.md rule 19). A token's kid must name one of them: an
// unknown kid is refused, not tried against every key.
func (ks *KeySet) Verifier(v token.Verifier) *token.Verifier {
	v.Keys = ks.state().published
	return &v
}

// KeyInfo describes one published key.
type KeyInfo struct {
	KID     string
	Alg     string
	Signing bool // the key that signs new tokens
}

// Keys lists the published keys, oldest first.
func (ks *KeySet) Keys() []KeyInfo {
	st := ks.state()
	out := make([]KeyInfo, 0, len(st.published))
	for _, k := range st.published {
		out = append(out, KeyInfo{KID: k.KeyID(), Alg: k.Algorithm(), Signing: k == st.signer})
	}
	return out
}

// Rotate makes k the signing key; every key published before stays
// published (tokens they signed keep verifying) until Retire.
func (ks *KeySet) Rotate(k *keys.Key) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	old := ks.cur.Load()
	for _, p := range old.published {
		if p.KeyID() == k.KeyID() {
			return fmt.Errorf("key %s is already published", k.KeyID())
		}
	}
	if ks.sync != nil {
		return ks.storeRotate(k)
	}
	st, err := buildKeyState(k, append(slices.Clone(old.published), k))
	if err != nil {
		return err
	}
	ks.cur.Store(st)
	return nil
}

// ErrUnknownKey: Retire named no published key.
var ErrUnknownKey = errors.New("no published key has this kid")

// Retire stops publishing a key, so tokens it signed no longer verify. The
// signing key cannot be retired.
func (ks *KeySet) Retire(kid string) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	old := ks.cur.Load()
	var rest []*keys.Key
	found := false
	for _, p := range old.published {
		if p.KeyID() == kid {
			found = true
			continue
		}
		rest = append(rest, p)
	}
	switch {
	case !found:
		return fmt.Errorf("%w: %s", ErrUnknownKey, kid)
	case old.signer.KeyID() == kid:
		return fmt.Errorf("key %s signs new tokens: rotate to another key before retiring it", kid)
	}
	if ks.sync != nil {
		return ks.storeRetire(kid)
	}
	st, err := buildKeyState(old.signer, rest)
	if err != nil {
		return err
	}
	ks.cur.Store(st)
	return nil
}
