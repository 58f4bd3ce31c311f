package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"math/big"
)

// JWK is a JSON Web Key (RFC 7517) of type RSA, EC or OKP (Ed25519).
// Members are base64url without padding (RFC 7518 §6).
type JWK struct {
	Kty string `json:"kty"`

	Crv string `json:"crv,omitempty"` // EC, OKP
	X   string `json:"x,omitempty"`   // EC, OKP
	Y   string `json:"y,omitempty"`   // EC

	N string `json:"n,omitempty"` // RSA
	E string `json:"e,omitempty"` // RSA

	D  string `json:"d,omitempty"`  // private: RSA, EC, OKP
	P  string `json:"p,omitempty"`  // private RSA
	Q  string `json:"q,omitempty"`  // private RSA
	DP string `json:"dp,omitempty"` // private RSA
	DQ string `json:"dq,omitempty"` // private RSA
	QI string `json:"qi,omitempty"` // private RSA

	// K is the secret of a symmetric key; only read, so that such keys are
	// recognised and refused.
	K string `json:"k,omitempty"`

	Kid string `json:"kid,omitempty"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
}

// JWKS is a JSON Web Key Set: {"keys": [...]}.
type JWKS struct {
	Keys []*JWK `json:"keys"`
}

// IsPrivate reports whether j carries private members.
func (j *JWK) IsPrivate() bool {
	return j.D != "" || j.P != "" || j.Q != "" || j.DP != "" || j.DQ != "" || j.QI != "" || j.K != ""
}

// PublicJWK returns the public members of pub (kty and the key members),
// without kid, alg or use.
func PublicJWK(pub crypto.PublicKey) (*JWK, error) {
	if err := checkPublic(pub); err != nil {
		return nil, err
	}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return &JWK{Kty: "RSA", N: b64(p.N.Bytes()), E: b64(big.NewInt(int64(p.E)).Bytes())}, nil
	case *ecdsa.PublicKey:
		raw, err := p.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
		}
		size := coordSize(p.Curve)
		return &JWK{Kty: "EC", Crv: curveName(p.Curve), X: b64(raw[1 : 1+size]), Y: b64(raw[1+size:])}, nil
	case ed25519.PublicKey:
		return &JWK{Kty: "OKP", Crv: "Ed25519", X: b64(p)}, nil
	}
	return nil, fmt.Errorf("%w: type %T", ErrUnsupported, pub)
}

// PrivateJWK returns the public and private members of priv, without kid,
// alg or use.
func PrivateJWK(priv crypto.Signer) (*JWK, error) {
	j, err := PublicJWK(priv.Public())
	if err != nil {
		return nil, err
	}
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		if len(p.Primes) != 2 {
			return nil, fmt.Errorf("%w: RSA keys with %d primes", ErrUnsupported, len(p.Primes))
		}
		p.Precompute()
		j.D = b64(p.D.Bytes())
		j.P = b64(p.Primes[0].Bytes())
		j.Q = b64(p.Primes[1].Bytes())
		j.DP = b64(p.Precomputed.Dp.Bytes())
		j.DQ = b64(p.Precomputed.Dq.Bytes())
		j.QI = b64(p.Precomputed.Qinv.Bytes())
	case *ecdsa.PrivateKey:
		d, err := p.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
		}
		j.D = b64(d)
	case ed25519.PrivateKey:
		j.D = b64(p.Seed())
	default:
		return nil, fmt.Errorf("%w: private key type %T", ErrUnsupported, priv)
	}
	return j, nil
}

// PublicJWK returns k's public JWK with kid (KeyID), alg (Algorithm) and,
// when set, use. It never carries private members.
func (k *Key) PublicJWK() (*JWK, error) {
	j, err := PublicJWK(k.Public)
	if err != nil {
		return nil, err
	}
	j.Kid, j.Alg, j.Use = k.KeyID(), k.Algorithm(), k.Use
	return j, nil
}

// PrivateJWK returns k's private JWK with kid, alg and use like PublicJWK.
func (k *Key) PrivateJWK() (*JWK, error) {
	if k.Private == nil {
		return nil, fmt.Errorf("the private key is not known")
	}
	j, err := PrivateJWK(k.Private)
	if err != nil {
		return nil, err
	}
	j.Kid, j.Alg, j.Use = k.KeyID(), k.Algorithm(), k.Use
	return j, nil
}

// Key converts j to a Key, checking every member: lengths, that an EC
// point is on its curve, that private members match the public ones.
func (j *JWK) Key() (*Key, error) {
	var (
		k   *Key
		err error
	)
	switch j.Kty {
	case "RSA":
		k, err = j.rsaKey()
	case "EC":
		k, err = j.ecKey()
	case "OKP":
		k, err = j.okpKey()
	case "oct":
		return nil, ErrSymmetricKey
	case "":
		return nil, fmt.Errorf("invalid JWK: missing \"kty\"")
	default:
		return nil, fmt.Errorf("%w: JWK kty %q (supported: RSA, EC, OKP)", ErrUnsupported, j.Kty)
	}
	if err != nil {
		return nil, err
	}
	k.KID, k.Alg, k.Use = j.Kid, j.Alg, j.Use
	return k, nil
}

// ParseJWK parses one JWK.
func ParseJWK(data []byte) (*Key, error) {
	var j JWK
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("invalid JWK: %v", jsonError(err))
	}
	return j.Key()
}

// parseJSON parses a JWK or a JWKS (an object with a "keys" member).
func parseJSON(data []byte) ([]*Key, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", jsonError(err))
	}
	if _, ok := probe["keys"]; !ok {
		k, err := ParseJWK(data)
		if err != nil {
			return nil, err
		}
		return []*Key{k}, nil
	}
	var set JWKS
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("invalid JWKS: %v", jsonError(err))
	}
	if len(set.Keys) == 0 {
		return nil, fmt.Errorf("%w (the JWKS holds no keys)", ErrNotAKey)
	}
	out := make([]*Key, 0, len(set.Keys))
	for i, j := range set.Keys {
		if j == nil {
			return nil, fmt.Errorf("JWKS key %d of %d: null instead of a JWK", i+1, len(set.Keys))
		}
		k, err := j.Key()
		if err != nil {
			return nil, fmt.Errorf("JWKS key %d of %d: %w", i+1, len(set.Keys), err)
		}
		out = append(out, k)
	}
	return out, nil
}

// jsonError shortens encoding/json's messages for a one-line report.
func jsonError(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		if te.Field != "" {
			return fmt.Sprintf("member %q must be a %s, not a %s", te.Field, te.Type, te.Value)
		}
		return fmt.Sprintf("expected a JSON object, got a %s", te.Value)
	}
	return err.Error()
}
