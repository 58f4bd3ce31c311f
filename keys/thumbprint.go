package keys

import (
	"crypto"
	"crypto/sha256"
	"fmt"
)

// CanonicalJWK returns the RFC 7638 §3 form of pub's JWK: only the required
// members, in lexicographic order, without white space — for RSA
// {"e":"AQAB","kty":"RSA","n":"..."}. It is what Thumbprint hashes, and the
// bare public key JSON some gateways (Tencent API Gateway) are configured with.
func CanonicalJWK(pub crypto.PublicKey) ([]byte, error) {
	j, err := PublicJWK(pub)
	if err != nil {
		return nil, err
	}
	// The values are base64url or fixed names: nothing needs JSON escaping.
	switch j.Kty {
	case "RSA":
		return fmt.Appendf(nil, `{"e":%q,"kty":"RSA","n":%q}`, j.E, j.N), nil
	case "EC":
		return fmt.Appendf(nil, `{"crv":%q,"kty":"EC","x":%q,"y":%q}`, j.Crv, j.X, j.Y), nil
	default: // OKP
		return fmt.Appendf(nil, `{"crv":%q,"kty":"OKP","x":%q}`, j.Crv, j.X), nil
	}
}

// Thumbprint returns the RFC 7638 SHA-256 thumbprint of pub, base64url
// without padding.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	c, err := CanonicalJWK(pub)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c)
	return b64(sum[:]), nil
}
