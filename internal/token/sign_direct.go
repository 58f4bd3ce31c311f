package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// signDirect signs input with a standard-library ECDSA or Ed25519 key
// without golang-jwt's conversions (string copies, big.Int). ok is false
// for another alg or key type, which the caller signs through golang-jwt.
func signDirect(alg string, input []byte, priv crypto.Signer) (sig []byte, ok bool, err error) {
	switch alg {
	case "EdDSA":
		k, isEd := priv.(ed25519.PrivateKey)
		if !isEd || len(k) != ed25519.PrivateKeySize {
			return nil, false, nil
		}
		return ed25519.Sign(k, input), true, nil
	case "ES256", "ES384", "ES512":
		k, isEC := priv.(*ecdsa.PrivateKey)
		if !isEC {
			return nil, false, nil
		}
		sig, err := signECDSA(alg, input, k)
		return sig, true, err
	}
	return nil, false, nil
}

// signECDSA returns the JWS ECDSA signature of input: R and S as unsigned
// big-endian integers of the curve's size each, concatenated (RFC 7518
// §3.4), not ASN.1.
func signECDSA(alg string, input []byte, k *ecdsa.PrivateKey) ([]byte, error) {
	var (
		digest []byte
		bits   int
	)
	switch alg {
	case "ES256":
		d := sha256.Sum256(input)
		digest, bits = d[:], 256
	case "ES384":
		d := sha512.Sum384(input)
		digest, bits = d[:], 384
	default: // ES512
		d := sha512.Sum512(input)
		digest, bits = d[:], 521
	}
	if k.Curve == nil || k.Curve.Params().BitSize != bits {
		return nil, fmt.Errorf("%s needs a key on a %d-bit curve", alg, bits)
	}
	der, err := ecdsa.SignASN1(rand.Reader, k, digest)
	if err != nil {
		return nil, err
	}
	r, s, err := parseECDSASignature(der)
	if err != nil {
		return nil, err
	}
	size := (bits + 7) / 8
	if len(r) > size || len(s) > size {
		return nil, errors.New("ECDSA signature larger than the curve")
	}
	out := make([]byte, 2*size)
	copy(out[size-len(r):size], r)
	copy(out[2*size-len(s):], s)
	return out, nil
}

// parseECDSASignature splits the ASN.1 DER ECDSA-Sig-Value
// SEQUENCE { r INTEGER, s INTEGER } into r and s, positive and without
// leading zeros.
func parseECDSASignature(der []byte) (r, s []byte, err error) {
	in, inner := cryptobyte.String(der), cryptobyte.String(nil)
	if !in.ReadASN1(&inner, asn1.SEQUENCE) || !in.Empty() ||
		!inner.ReadASN1Integer(&r) || !inner.ReadASN1Integer(&s) || !inner.Empty() {
		return nil, nil, errors.New("malformed ECDSA signature")
	}
	return r, s, nil
}
