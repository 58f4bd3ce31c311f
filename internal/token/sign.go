package token

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/internal/token/rsasign"
	"github.com/oauthkit/oauthkit/keys"
)

// ErrNoPrivateKey is returned by Sign for a key without its private half.
var ErrNoPrivateKey = errors.New("signing needs a private key")

// SignOptions tune the JOSE header of a signed token.
type SignOptions struct {
	// Alg defaults to the key's Algorithm(); it must fit the key.
	Alg string
	// KID defaults to the key's KeyID() (its kid or RFC 7638 thumbprint).
	KID string
	// OmitKID leaves kid out of the header.
	OmitKID bool
	// Typ defaults to "JWT"; an authorization server passes "at+jwt".
	Typ string
	// JWK, when set, is written as the header's "jwk" member (a DPoP proof,
	// RFC 9449 §4.2); it must be a public key.
	JWK *keys.JWK
}

// header is the JOSE header Sign writes, members in this order.
type header struct {
	Alg string    `json:"alg"`
	Kid string    `json:"kid,omitempty"`
	Typ string    `json:"typ"`
	JWK *keys.JWK `json:"jwk,omitempty"`
}

// Sign returns the compact JWS of claims (a map or a struct that encodes to
// a JSON object) signed with key's private half.
func Sign(claims any, key *keys.Key, opts SignOptions) (string, error) {
	if key == nil || key.Public == nil {
		return "", errors.New("no signing key")
	}
	if key.Private == nil {
		return "", ErrNoPrivateKey
	}
	alg := opts.Alg
	if alg == "" {
		alg = key.Algorithm()
	}
	if err := CheckAlgName(alg); err != nil {
		return "", err
	}
	if err := keys.CheckAlg(key.Public, alg); err != nil {
		return "", fmt.Errorf("alg %s does not fit the key: %w", alg, err)
	}
	method := jwt.GetSigningMethod(alg)
	if method == nil {
		return "", fmt.Errorf("alg %q is not supported", alg)
	}
	if opts.JWK != nil && opts.JWK.IsPrivate() {
		return "", errors.New("the jwk header member must not carry private key members")
	}
	h := header{Alg: alg, Kid: opts.KID, Typ: opts.Typ, JWK: opts.JWK}
	switch {
	case opts.OmitKID:
		h.Kid = ""
	case h.Kid == "":
		h.Kid = key.KeyID()
	}
	if h.Typ == "" {
		h.Typ = "JWT"
	}
	headerJSON, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	payload, err := marshalClaims(claims)
	if err != nil {
		return "", err
	}
	input := encodeSegment(headerJSON) + "." + encodeSegment(payload)
	sig, err := signInput(method, alg, input, key.Private)
	if err != nil {
		return "", fmt.Errorf("signing with %s: %w", alg, err)
	}
	return input + "." + encodeSegment(sig), nil
}

// signInput signs the JWS signing input: RSA through the build's
// rsasign.Default (crypto/rsa, or OpenSSL with -tags openssl), the other
// algorithms through golang-jwt.
func signInput(method jwt.SigningMethod, alg, input string, priv crypto.Signer) ([]byte, error) {
	if rsaKey, ok := priv.(*rsa.PrivateKey); ok {
		if hash, pss, ok := rsasign.ForAlg(alg); ok {
			return rsasign.Default.Sign(rsaKey, hash, pss, []byte(input))
		}
	}
	return method.Sign(input, priv)
}

// marshalClaims encodes claims as one JSON object, without HTML escaping.
func marshalClaims(claims any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(claims); err != nil {
		return nil, fmt.Errorf("encoding claims: %w", err)
	}
	payload := bytes.TrimSpace(buf.Bytes())
	if len(payload) == 0 || payload[0] != '{' {
		return nil, errors.New("claims must encode to a JSON object")
	}
	return payload, nil
}
