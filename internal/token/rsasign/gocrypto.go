package rsasign

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
)

// GoSigner signs with Go's crypto/rsa: the default, and the reference the
// openssl signer is tested against.
type GoSigner struct{}

// Name implements Signer.
func (GoSigner) Name() string { return "go crypto/rsa" }

// Sign implements Signer.
func (GoSigner) Sign(priv *rsa.PrivateKey, hash crypto.Hash, pss bool, msg []byte) ([]byte, error) {
	if err := checkHash(hash); err != nil {
		return nil, err
	}
	h := hash.New()
	h.Write(msg)
	digest := h.Sum(nil)
	if pss {
		return rsa.SignPSS(rand.Reader, priv, hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	}
	return rsa.SignPKCS1v15(nil, priv, hash, digest)
}
