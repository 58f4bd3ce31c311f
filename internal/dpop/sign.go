package dpop

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// ProofRequest is what a client's proof is made for.
type ProofRequest struct {
	Method      string
	URL         string // the endpoint; query and fragment are dropped
	AccessToken string // at a resource: hashed into ath
	Nonce       string // the server's last DPoP-Nonce, if any
	Now         time.Time
}

// NewProof signs a fresh proof (RFC 9449 §4.2) with key, which must hold
// its private half: typ dpop+jwt, the public jwk in the header, a random
// jti, htm, htu, iat, and ath and nonce when given.
func NewProof(key *keys.Key, r ProofRequest) (string, error) {
	if key == nil || key.Private == nil {
		return "", errors.New("a DPoP proof needs a private key")
	}
	jwk, err := keys.PublicJWK(key.Public)
	if err != nil {
		return "", err
	}
	htu, ok := normalURL(r.URL)
	if !ok {
		return "", errors.New("a DPoP proof needs an absolute http(s) URL, got " + quote(r.URL))
	}
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	claims := map[string]any{
		"jti": base64.RawURLEncoding.EncodeToString(jti),
		"htm": r.Method,
		"htu": htu,
		"iat": r.Now.Unix(),
	}
	if r.AccessToken != "" {
		claims["ath"] = ATH(r.AccessToken)
	}
	if r.Nonce != "" {
		claims["nonce"] = r.Nonce
	}
	return token.Sign(claims, key, token.SignOptions{Typ: Type, OmitKID: true, JWK: jwk})
}

// Thumbprint returns the RFC 7638 thumbprint of key's public half, the
// jkt an access token bound to it carries (RFC 9449 §6.1).
func Thumbprint(key *keys.Key) (string, error) { return keys.Thumbprint(key.Public) }
