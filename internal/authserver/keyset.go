package authserver

import (
	"errors"
	"fmt"

	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// KeySet is the server's signing key and the keys it publishes. Signing sits
// behind this small type so other signers can come later without touching
// the handlers.
type KeySet struct {
	signer    *keys.Key
	published []*keys.Key
	jwks      keys.JWKS
	// verify holds copies of the published keys whose KID is set to the kid
	// published for them, so that the verifier never treats one as a key
	// without an ID: a token whose kid is not in the JWKS is refused, even
	// when its signature would verify with one of our keys (RFC 9068 §4).
	verify []*keys.Key
}

// NewKeySet builds a key set: the first key signs, all are published. Every
// key must have its private half only if it is the signer; RSA keys below
// 2048 bits were refused when they were parsed.
func NewKeySet(signer *keys.Key, more ...*keys.Key) (*KeySet, error) {
	if signer == nil || signer.Private == nil {
		return nil, errors.New("the signing key must be a private key")
	}
	ks := &KeySet{signer: signer}
	seen := map[string]bool{}
	for _, k := range append([]*keys.Key{signer}, more...) {
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
		ks.published = append(ks.published, k)
		ks.jwks.Keys = append(ks.jwks.Keys, jwk)
		named := *k
		named.KID = kid
		ks.verify = append(ks.verify, &named)
	}
	return ks, nil
}

// Signer returns the key that signs new tokens.
func (ks *KeySet) Signer() *keys.Key {
	if ks == nil {
		return nil
	}
	return ks.signer
}

// JWKS returns the public key set (public members only, docs/security.md rule 20).
func (ks *KeySet) JWKS() keys.JWKS { return ks.jwks }

// Algs lists the signing algorithms of the published keys, signer first.
func (ks *KeySet) Algs() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range ks.published {
		if a := k.Algorithm(); !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// Sign signs claims with the signing key and the given typ header.
func (ks *KeySet) Sign(claims any, typ string) (string, error) {
	return token.Sign(claims, ks.signer, token.SignOptions{Typ: typ, KID: ks.signer.KeyID()})
}

// Verifier returns a verifier pinned to the published keys and their
// algorithms (docs/security.md rule 19). A token's kid must name one of them: an
// unknown kid is refused, not tried against every key.
func (ks *KeySet) Verifier(v token.Verifier) *token.Verifier {
	v.Keys = ks.verify
	return &v
}
