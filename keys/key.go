// Package keys generates, loads and encodes the asymmetric key pairs oauthkit
// signs and verifies with: RSA (2048 bits or more), ECDSA on P-256, P-384 and
// P-521, and Ed25519. Keys are read from PEM (PKCS#8, PKCS#1, SEC 1, SPKI,
// certificates), JWK and JWKS documents, and written back to the same forms.
// Key IDs default to the RFC 7638 SHA-256 thumbprint.
//
// Symmetric keys and RSA keys below 2048 bits are refused everywhere.
package keys

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
)

// MinRSABits is the smallest RSA modulus accepted (docs/security.md rule 35).
const MinRSABits = 2048

// maxRSABits bounds the RSA keys accepted, so hostile input cannot make a
// parser spend minutes on a gigantic modulus.
const maxRSABits = 16384

// Errors callers may test for with errors.Is.
var (
	// ErrNotAKey: the input is neither PEM, nor a JWK, nor a JWKS.
	ErrNotAKey = errors.New("not a key: expected PEM, a JWK or a JWKS")
	// ErrSymmetricKey: a JWK of kty "oct" (a shared secret).
	ErrSymmetricKey = errors.New(`symmetric keys (kty "oct") are not supported: use an RSA, EC or Ed25519 key pair`)
	// ErrKeyTooSmall: an RSA key below MinRSABits.
	ErrKeyTooSmall = errors.New("RSA key too small")
	// ErrEncrypted: a password-protected PEM private key.
	ErrEncrypted = errors.New("encrypted private keys are not supported: decrypt it first (openssl pkey -in KEY.pem -out plain.pem)")
	// ErrUnsupported: a key type or curve oauthkit does not handle.
	ErrUnsupported = errors.New("unsupported key")
)

// Key is a parsed public key, with its private half when known.
type Key struct {
	Public  crypto.PublicKey // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	Private crypto.Signer    // nil when only the public key is known
	KID     string           // "kid" given in a JWK, else ""
	Alg     string           // "alg" given in a JWK, else ""
	Use     string           // "use" given in a JWK, else ""
}

// KeyID returns KID if set, else the RFC 7638 thumbprint of the public key.
func (k *Key) KeyID() string {
	if k.KID != "" {
		return k.KID
	}
	tp, err := Thumbprint(k.Public)
	if err != nil {
		return ""
	}
	return tp
}

// Algorithm returns Alg if set, else DefaultAlg of the public key.
func (k *Key) Algorithm() string {
	if k.Alg != "" {
		return k.Alg
	}
	return DefaultAlg(k.Public)
}

// IsPrivate reports whether the private half is known.
func (k *Key) IsPrivate() bool { return k.Private != nil }

// Info describes a public key: its type ("rsa", "ec" or "ed25519"), the RSA
// modulus size in bits (0 otherwise) and the EC curve name ("" otherwise).
func Info(pub crypto.PublicKey) (typ string, bits int, curve string) {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return "rsa", p.N.BitLen(), ""
	case *ecdsa.PublicKey:
		return "ec", p.Curve.Params().BitSize, p.Curve.Params().Name
	case ed25519.PublicKey:
		return "ed25519", 256, ""
	}
	return "", 0, ""
}

// Describe names the type of a public key for messages: "RSA 2048-bit",
// "EC P-256", "Ed25519".
func Describe(pub crypto.PublicKey) string {
	switch typ, bits, curve := Info(pub); typ {
	case "rsa":
		return fmt.Sprintf("RSA %d-bit", bits)
	case "ec":
		return "EC " + curve
	case "ed25519":
		return "Ed25519"
	}
	return "unsupported"
}

// checkPublic makes sure pub is a supported, large enough public key.
func checkPublic(pub crypto.PublicKey) error {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if p == nil || p.N == nil {
			return fmt.Errorf("%w: empty RSA key", ErrUnsupported)
		}
		if n := p.N.BitLen(); n < MinRSABits {
			return fmt.Errorf("%w: %d bits, at least %d required", ErrKeyTooSmall, n, MinRSABits)
		} else if n > maxRSABits {
			return fmt.Errorf("%w: RSA key of %d bits, at most %d supported", ErrUnsupported, n, maxRSABits)
		}
		if p.E < 3 || p.E%2 == 0 {
			return fmt.Errorf("%w: invalid RSA public exponent %d", ErrUnsupported, p.E)
		}
		return nil
	case *ecdsa.PublicKey:
		if p == nil || p.Curve == nil {
			return fmt.Errorf("%w: empty EC key", ErrUnsupported)
		}
		if curveName(p.Curve) == "" {
			return fmt.Errorf("%w: EC curve %s (supported: P-256, P-384, P-521)", ErrUnsupported, p.Curve.Params().Name)
		}
		return nil
	case ed25519.PublicKey:
		if len(p) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: Ed25519 public key of %d bytes", ErrUnsupported, len(p))
		}
		return nil
	}
	return fmt.Errorf("%w: type %T (supported: RSA, EC P-256/P-384/P-521, Ed25519)", ErrUnsupported, pub)
}

// newKeyFromSigner builds a Key from a private key, checking it.
func newKeyFromSigner(s any) (*Key, error) {
	var signer crypto.Signer
	switch p := s.(type) {
	case *rsa.PrivateKey:
		signer = p
	case *ecdsa.PrivateKey:
		signer = p
	case ed25519.PrivateKey:
		if len(p) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: Ed25519 private key of %d bytes", ErrUnsupported, len(p))
		}
		signer = p
	case *ed25519.PrivateKey:
		if p == nil {
			return nil, fmt.Errorf("%w: empty Ed25519 key", ErrUnsupported)
		}
		return newKeyFromSigner(*p)
	case *ecdh.PrivateKey:
		return nil, fmt.Errorf("%w: %s key, which cannot sign (supported: RSA, EC P-256/P-384/P-521, Ed25519)", ErrUnsupported, p.Curve())
	default:
		return nil, fmt.Errorf("%w: private key type %T (supported: RSA, EC P-256/P-384/P-521, Ed25519)", ErrUnsupported, s)
	}
	pub := signer.Public()
	if err := checkPublic(pub); err != nil {
		return nil, err
	}
	return &Key{Public: pub, Private: signer}, nil
}

// newKeyFromPublic builds a Key from a public key, checking it.
func newKeyFromPublic(pub any) (*Key, error) {
	if p, ok := pub.(*ed25519.PublicKey); ok && p != nil {
		pub = *p
	}
	if p, ok := pub.(*ecdh.PublicKey); ok {
		return nil, fmt.Errorf("%w: %s key, which cannot sign (supported: RSA, EC P-256/P-384/P-521, Ed25519)", ErrUnsupported, p.Curve())
	}
	if err := checkPublic(pub); err != nil {
		return nil, err
	}
	return &Key{Public: pub}, nil
}

// curveName returns the JOSE name of a supported curve, or "".
func curveName(c elliptic.Curve) string {
	switch c {
	case elliptic.P256():
		return "P-256"
	case elliptic.P384():
		return "P-384"
	case elliptic.P521():
		return "P-521"
	}
	return ""
}

// curveByName returns the curve for a JOSE "crv" name.
func curveByName(name string) (elliptic.Curve, bool) {
	switch name {
	case "P-256":
		return elliptic.P256(), true
	case "P-384":
		return elliptic.P384(), true
	case "P-521":
		return elliptic.P521(), true
	}
	return nil, false
}

// coordSize is the byte length of a coordinate on c.
func coordSize(c elliptic.Curve) int { return (c.Params().BitSize + 7) / 8 }
