package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math/big"
)

// b64 encodes bytes as base64url without padding.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// member decodes the base64url member name of a JWK; it must be present.
func member(name, value string) ([]byte, error) {
	if value == "" {
		return nil, fmt.Errorf("invalid JWK: missing %q", name)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(value)
	if err != nil {
		return nil, fmt.Errorf("invalid JWK: %q is not base64url without padding", name)
	}
	return b, nil
}

// fixedMember decodes a member that must be exactly size bytes long.
func fixedMember(name, value string, size int) ([]byte, error) {
	b, err := member(name, value)
	if err != nil {
		return nil, err
	}
	if len(b) != size {
		return nil, fmt.Errorf("invalid JWK: %q is %d bytes, want %d", name, len(b), size)
	}
	return b, nil
}

// intMember decodes an unsigned big-endian integer member.
func intMember(name, value string) (*big.Int, error) {
	b, err := member(name, value)
	if err != nil {
		return nil, err
	}
	n := new(big.Int).SetBytes(b)
	if n.Sign() == 0 {
		return nil, fmt.Errorf("invalid JWK: %q is zero", name)
	}
	return n, nil
}

func (j *JWK) rsaKey() (*Key, error) {
	if j.Crv != "" || j.X != "" || j.Y != "" || j.K != "" {
		return nil, fmt.Errorf("invalid JWK: RSA key with EC, OKP or oct members")
	}
	nb, err := member("n", j.N)
	if err != nil {
		return nil, err
	}
	if len(nb) > maxRSABits/8+1 {
		return nil, fmt.Errorf("%w: RSA modulus of %d bytes, at most %d bits supported", ErrUnsupported, len(nb), maxRSABits)
	}
	n := new(big.Int).SetBytes(nb)
	eb, err := member("e", j.E)
	if err != nil {
		return nil, err
	}
	e := new(big.Int).SetBytes(eb)
	if !e.IsInt64() || e.Int64() > 1<<31-1 {
		return nil, fmt.Errorf("invalid JWK: RSA exponent %q is too large", j.E)
	}
	pub := &rsa.PublicKey{N: n, E: int(e.Int64())}
	if err := checkPublic(pub); err != nil {
		return nil, err
	}
	if !j.IsPrivate() {
		return &Key{Public: pub}, nil
	}
	if j.D == "" || j.P == "" || j.Q == "" {
		return nil, fmt.Errorf("invalid JWK: an RSA private key needs \"d\", \"p\" and \"q\"")
	}
	d, err := intMember("d", j.D)
	if err != nil {
		return nil, err
	}
	p, err := intMember("p", j.P)
	if err != nil {
		return nil, err
	}
	q, err := intMember("q", j.Q)
	if err != nil {
		return nil, err
	}
	if new(big.Int).Mul(p, q).Cmp(n) != 0 {
		return nil, fmt.Errorf("invalid JWK: RSA \"p\" × \"q\" is not \"n\"")
	}
	priv := &rsa.PrivateKey{PublicKey: *pub, D: d, Primes: []*big.Int{p, q}}
	if err := priv.Validate(); err != nil {
		return nil, fmt.Errorf("invalid JWK: RSA private key: %v", err)
	}
	priv.Precompute()
	for _, crt := range []struct {
		name, value string
		want        *big.Int
	}{{"dp", j.DP, priv.Precomputed.Dp}, {"dq", j.DQ, priv.Precomputed.Dq}, {"qi", j.QI, priv.Precomputed.Qinv}} {
		if crt.value == "" {
			continue // optional: recomputed from p, q and d
		}
		got, err := intMember(crt.name, crt.value)
		if err != nil {
			return nil, err
		}
		if got.Cmp(crt.want) != 0 {
			return nil, fmt.Errorf("invalid JWK: RSA %q does not match \"p\", \"q\" and \"d\"", crt.name)
		}
	}
	return &Key{Public: &priv.PublicKey, Private: priv}, nil
}

func (j *JWK) ecKey() (*Key, error) {
	if j.N != "" || j.E != "" || j.P != "" || j.Q != "" || j.DP != "" || j.DQ != "" || j.QI != "" || j.K != "" {
		return nil, fmt.Errorf("invalid JWK: EC key with RSA or oct members")
	}
	if j.Crv == "" {
		return nil, fmt.Errorf("invalid JWK: missing \"crv\"")
	}
	curve, ok := curveByName(j.Crv)
	if !ok {
		return nil, fmt.Errorf("%w: EC curve %q (supported: P-256, P-384, P-521)", ErrUnsupported, j.Crv)
	}
	size := coordSize(curve)
	x, err := fixedMember("x", j.X, size)
	if err != nil {
		return nil, err
	}
	y, err := fixedMember("y", j.Y, size)
	if err != nil {
		return nil, err
	}
	point := make([]byte, 0, 1+2*size)
	point = append(append(append(point, 4), x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, fmt.Errorf("invalid JWK: the point (x, y) is not on %s", j.Crv)
	}
	if j.D == "" {
		return &Key{Public: pub}, nil
	}
	d, err := fixedMember("d", j.D, size)
	if err != nil {
		return nil, err
	}
	priv, err := ecdsa.ParseRawPrivateKey(curve, d)
	if err != nil {
		return nil, fmt.Errorf("invalid JWK: EC private key: %v", err)
	}
	if !priv.PublicKey.Equal(pub) {
		return nil, fmt.Errorf("invalid JWK: EC \"d\" does not match \"x\" and \"y\"")
	}
	return &Key{Public: &priv.PublicKey, Private: priv}, nil
}

func (j *JWK) okpKey() (*Key, error) {
	if j.N != "" || j.E != "" || j.Y != "" || j.P != "" || j.Q != "" || j.DP != "" || j.DQ != "" || j.QI != "" || j.K != "" {
		return nil, fmt.Errorf("invalid JWK: OKP key with RSA, EC or oct members")
	}
	if j.Crv != "Ed25519" {
		if j.Crv == "" {
			return nil, fmt.Errorf("invalid JWK: missing \"crv\"")
		}
		return nil, fmt.Errorf("%w: OKP curve %q (supported: Ed25519)", ErrUnsupported, j.Crv)
	}
	x, err := fixedMember("x", j.X, ed25519.PublicKeySize)
	if err != nil {
		return nil, err
	}
	pub := ed25519.PublicKey(x)
	if j.D == "" {
		return &Key{Public: pub}, nil
	}
	seed, err := fixedMember("d", j.D, ed25519.SeedSize)
	if err != nil {
		return nil, err
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if subtle.ConstantTimeCompare(priv.Public().(ed25519.PublicKey), pub) != 1 {
		return nil, fmt.Errorf("invalid JWK: Ed25519 \"d\" does not match \"x\"")
	}
	return &Key{Public: priv.Public(), Private: priv}, nil
}
