package clientauth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// DefaultAssertionLifetime is the lifetime of the assertions NewAssertion
// mints: long enough for one request, short enough to be useless later.
const DefaultAssertionLifetime = 60 * time.Second

// AssertionClaims say what NewAssertion mints.
type AssertionClaims struct {
	// Issuer is iss; Subject is sub (the Issuer when empty: a client
	// assertion has iss = sub = client_id, RFC 7523 §3).
	Issuer, Subject string
	// Audience is aud, one string: the authorization server's issuer
	// identifier, or the endpoint's URL when the issuer is unknown.
	Audience string
	Now      time.Time
	// Lifetime is exp-iat (DefaultAssertionLifetime when zero).
	Lifetime time.Duration
	// Extra claims; they cannot override the ones above.
	Extra map[string]any
}

// AssertionKey is what signs an assertion: Key (private_key_jwt, a JWT
// bearer grant) or Secret (client_secret_jwt, HMAC).
type AssertionKey struct {
	Key    *keys.Key
	Secret string
	// Alg defaults to the key's algorithm, or HS256 with a Secret.
	Alg string
	// KeyID defaults to the key's kid (or RFC 7638 thumbprint); none is
	// sent with a Secret.
	KeyID string
}

// NewAssertion mints a JWT assertion (RFC 7523 §3) with a fresh random jti.
func NewAssertion(c AssertionClaims, k AssertionKey) (string, error) {
	if c.Issuer == "" || c.Audience == "" {
		return "", errors.New("an assertion needs an issuer and an audience")
	}
	life := c.Lifetime
	if life <= 0 {
		life = DefaultAssertionLifetime
	}
	sub := c.Subject
	if sub == "" {
		sub = c.Issuer
	}
	jti, err := randomJTI()
	if err != nil {
		return "", err
	}
	claims := map[string]any{}
	for k, v := range c.Extra {
		claims[k] = v
	}
	claims["iss"], claims["sub"], claims["aud"], claims["jti"] = c.Issuer, sub, c.Audience, jti
	claims["iat"], claims["exp"] = c.Now.Unix(), c.Now.Add(life).Unix()

	switch {
	case k.Key != nil && k.Secret != "":
		return "", errors.New("sign an assertion with a key or with a secret, not both")
	case k.Key != nil:
		if k.Alg != "" && strings.HasPrefix(strings.ToUpper(k.Alg), "HS") {
			return "", fmt.Errorf("alg %s is an HMAC algorithm: it needs the client secret (client_secret_jwt), not a private key", k.Alg)
		}
		return token.Sign(claims, k.Key, token.SignOptions{Alg: k.Alg, KID: k.KeyID})
	case k.Secret != "":
		return signHMAC(claims, k.Secret, k.Alg)
	}
	return "", errors.New("no key or secret to sign the assertion with")
}

// HMACAlgs are the algorithms of client_secret_jwt (RFC 7518 §3.2).
func HMACAlgs() []string { return []string{"HS256", "HS384", "HS512"} }

func signHMAC(claims map[string]any, secret, alg string) (string, error) {
	if alg == "" {
		alg = "HS256"
	}
	m, ok := jwt.GetSigningMethod(alg).(*jwt.SigningMethodHMAC)
	if !ok {
		return "", fmt.Errorf("alg %s is not one of %s: client_secret_jwt signs with the secret (RFC 7518 §3.2)", alg, strings.Join(HMACAlgs(), ", "))
	}
	h, err := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	sig, err := m.Sign(input, []byte(secret))
	if err != nil {
		return "", err
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// randomJTI is 128 random bits, base64url.
func randomJTI() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random jti: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
