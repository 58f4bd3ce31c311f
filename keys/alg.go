package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"strings"
)

// rsaAlgs are the JWS algorithms an RSA key may sign with.
func rsaAlgs() []string { return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} }

// Algs lists the JWS algorithms allowed for pub's key family, default first.
func Algs(pub crypto.PublicKey) []string {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return Spec{Type: TypeRSA}.Algs()
	case *ecdsa.PublicKey:
		if curveName(p.Curve) == "" {
			return nil // P-224 and others
		}
		return Spec{Type: TypeEC, Curve: curveName(p.Curve)}.Algs()
	case ed25519.PublicKey:
		return Spec{Type: TypeEd25519}.Algs()
	}
	return nil
}

// Algs lists the JWS algorithms allowed for keys made from s, default
// first; nil for an unsupported type or curve.
func (s Spec) Algs() []string {
	switch s.Type {
	case TypeRSA:
		return rsaAlgs()
	case TypeEC:
		switch s.Curve {
		case "P-256", "":
			return []string{"ES256"}
		case "P-384":
			return []string{"ES384"}
		case "P-521":
			return []string{"ES512"}
		}
	case TypeEd25519:
		return []string{"EdDSA"}
	}
	return nil
}

// DefaultAlg returns the JWS algorithm used by default for pub: RS256,
// ES256 / ES384 / ES512 by curve, or EdDSA. It is "" for unsupported keys.
func DefaultAlg(pub crypto.PublicKey) string {
	if a := Algs(pub); len(a) > 0 {
		return a[0]
	}
	return ""
}

// CheckAlg reports whether alg may be used with pub: RSA keys take
// RS256/384/512 and PS256/384/512, an EC key only its curve's ES algorithm,
// Ed25519 only EdDSA.
func CheckAlg(pub crypto.PublicKey, alg string) error {
	allowed := Algs(pub)
	if allowed == nil {
		return fmt.Errorf("%w: type %T", ErrUnsupported, pub)
	}
	for _, a := range allowed {
		if a == alg {
			return nil
		}
	}
	return fmt.Errorf("alg %q cannot be used with an %s key (allowed: %s)", alg, keyFamily(pub), strings.Join(allowed, ", "))
}
