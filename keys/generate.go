package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
)

// Key types accepted by Generate.
const (
	TypeRSA     = "rsa"
	TypeEC      = "ec"
	TypeEd25519 = "ed25519"
)

// RSABits are the RSA sizes Generate accepts.
func RSABits() []int { return []int{2048, 3072, 4096} }

// Curves are the EC curves Generate accepts.
func Curves() []string { return []string{"P-256", "P-384", "P-521"} }

// Spec says which key Generate makes. Bits applies to RSA (0 means 2048),
// Curve to EC ("" means P-256); both must be zero for other types.
type Spec struct {
	Type  string
	Bits  int
	Curve string
}

// Generate makes a new key pair from a secure random source.
func Generate(s Spec) (*Key, error) {
	if s.Type != TypeRSA && s.Bits != 0 {
		return nil, fmt.Errorf("a size in bits only applies to RSA keys")
	}
	if s.Type != TypeEC && s.Curve != "" {
		return nil, fmt.Errorf("a curve only applies to EC keys")
	}
	switch s.Type {
	case TypeRSA:
		bits := s.Bits
		if bits == 0 {
			bits = 2048
		}
		if bits < MinRSABits {
			return nil, fmt.Errorf("%w: %d bits, at least %d required", ErrKeyTooSmall, bits, MinRSABits)
		}
		if !containsInt(RSABits(), bits) {
			return nil, fmt.Errorf("RSA size %d not supported (use 2048, 3072 or 4096)", bits)
		}
		priv, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, fmt.Errorf("generating an RSA key: %v", err)
		}
		return &Key{Public: &priv.PublicKey, Private: priv}, nil
	case TypeEC:
		name := s.Curve
		if name == "" {
			name = "P-256"
		}
		curve, ok := curveByName(name)
		if !ok {
			return nil, fmt.Errorf("%w: EC curve %q (supported: P-256, P-384, P-521)", ErrUnsupported, name)
		}
		priv, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generating an EC key: %v", err)
		}
		return &Key{Public: &priv.PublicKey, Private: priv}, nil
	case TypeEd25519:
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generating an Ed25519 key: %v", err)
		}
		return &Key{Public: pub, Private: priv}, nil
	}
	return nil, fmt.Errorf("%w: key type %q (use rsa, ec or ed25519)", ErrUnsupported, s.Type)
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
