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
// SEQUENCE { r INTEGER, s INTEGER } into r and s without leading zeros.
func parseECDSASignature(der []byte) (r, s []byte, err error) {
	seq, rest, ok := readDER(der, 0x30)
	if !ok || len(rest) != 0 {
		return nil, nil, errors.New("malformed ECDSA signature")
	}
	r, seq, ok = readDER(seq, 0x02)
	if !ok {
		return nil, nil, errors.New("malformed ECDSA signature")
	}
	s, seq, ok = readDER(seq, 0x02)
	if !ok || len(seq) != 0 || len(r) == 0 || len(s) == 0 || r[0]&0x80 != 0 || s[0]&0x80 != 0 {
		return nil, nil, errors.New("malformed ECDSA signature")
	}
	for len(r) > 1 && r[0] == 0 {
		r = r[1:]
	}
	for len(s) > 1 && s[0] == 0 {
		s = s[1:]
	}
	return r, s, nil
}

// readDER reads one DER element of the tag: its contents and what follows.
// Lengths up to 0xffff are enough for any ECDSA signature.
func readDER(b []byte, tag byte) (content, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != tag {
		return nil, nil, false
	}
	n, hdr := int(b[1]), 2
	switch {
	case n < 0x80:
	case n == 0x81 && len(b) >= 3:
		n, hdr = int(b[2]), 3
	case n == 0x82 && len(b) >= 4:
		n, hdr = int(b[2])<<8|int(b[3]), 4
	default:
		return nil, nil, false
	}
	if len(b)-hdr < n {
		return nil, nil, false
	}
	return b[hdr : hdr+n], b[hdr+n:], true
}
