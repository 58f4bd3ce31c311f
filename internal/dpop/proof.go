// Package dpop creates and verifies DPoP proofs (RFC 9449): the JWT a client
// sends in the DPoP header to prove it holds the private key an access
// token is bound to. Parse checks what a proof is by itself (structure,
// header, key, signature); Verifier checks it against a request (method,
// URL, time, replay, nonce, access token hash).
package dpop

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// Type is the typ header of a DPoP proof (RFC 9449 §4.2).
const Type = "dpop+jwt"

// MaxLength bounds a proof: longer header values are refused unread.
const MaxLength = 8 << 10

// maxJTILength bounds the jti kept in the replay cache.
const maxJTILength = 256

// Algs returns the JWS algorithms accepted for proofs, as discovery lists
// them (dpop_signing_alg_values_supported): asymmetric only, never none or
// HMAC (RFC 9449 §4.3 point 5).
func Algs() []string { return []string{"ES256", "RS256", "PS256", "EdDSA"} }

// Proof is a parsed DPoP proof whose signature verified with its own jwk.
type Proof struct {
	Key      *keys.Key // the public key of the jwk header
	JKT      string    // its RFC 7638 SHA-256 thumbprint
	Alg      string
	JTI      string
	HTM      string
	HTU      string
	IssuedAt time.Time
	Nonce    string // "" when the proof has none
	ATH      string // "" when the proof has none
}

// Parse checks a proof by itself (RFC 9449 §4.3 points 2–7): one compact
// JWS, typ dpop+jwt, an allowed asymmetric alg, a jwk header holding a
// public key only that fits the alg, a signature by that key, and the
// claims jti, htm, htu and iat with the right types. The error text says
// what is wrong, without the RFC reference (the caller adds it).
func Parse(proof string) (*Proof, error) {
	if len(proof) > MaxLength {
		return nil, fmt.Errorf("the proof is %d bytes long, more than the %d accepted", len(proof), MaxLength)
	}
	d, err := token.Decode(proof)
	if err != nil {
		return nil, fmt.Errorf("the proof is not a signed JWT: %v", err)
	}
	if typ := d.Type(); typ != Type {
		return nil, fmt.Errorf("the proof's typ header is %q, it must be %q", typ, Type)
	}
	alg := d.Alg()
	if !slices.Contains(Algs(), alg) {
		return nil, fmt.Errorf("the proof's alg %q is not accepted (accepted: %s)", alg, strings.Join(Algs(), ", "))
	}
	raw, ok := d.Header["jwk"]
	if !ok {
		return nil, fmt.Errorf("the proof has no jwk header")
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the proof's jwk header is not a JSON object")
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("the proof's jwk header cannot be read: %v", err)
	}
	var j keys.JWK
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("the proof's jwk header cannot be read: members must be strings")
	}
	if j.IsPrivate() {
		return nil, fmt.Errorf("the proof's jwk header carries private key members; it must hold the public key only")
	}
	j.Alg, j.Kid, j.Use = "", "", "" // only the key members count
	key, err := j.Key()
	if err != nil {
		return nil, fmt.Errorf("the proof's jwk header is not a usable public key: %v", err)
	}
	if err := keys.CheckAlg(key.Public, alg); err != nil {
		return nil, fmt.Errorf("the proof's alg does not fit its jwk: %v", err)
	}
	method := jwt.GetSigningMethod(alg)
	if method == nil || method.Verify(d.SigningInput, d.Signature, key.Public) != nil {
		return nil, fmt.Errorf("the proof's signature does not verify with its jwk")
	}
	jkt, err := keys.Thumbprint(key.Public)
	if err != nil {
		return nil, fmt.Errorf("the proof's jwk has no thumbprint: %v", err)
	}
	p := &Proof{Key: key, JKT: jkt, Alg: alg}
	for _, c := range []struct {
		name     string
		dst      *string
		required bool
	}{{"jti", &p.JTI, true}, {"htm", &p.HTM, true}, {"htu", &p.HTU, true}, {"nonce", &p.Nonce, false}, {"ath", &p.ATH, false}} {
		v, present := d.Claims[c.name]
		s, isString := v.(string)
		switch {
		case !present && c.required:
			return nil, fmt.Errorf("the proof has no %s claim", c.name)
		case present && (!isString || s == ""):
			return nil, fmt.Errorf("the proof's %s claim must be a non-empty string", c.name)
		}
		*c.dst = s
	}
	if len(p.JTI) > maxJTILength {
		return nil, fmt.Errorf("the proof's jti is longer than %d characters", maxJTILength)
	}
	iat, ok, err := token.NumericDate(d.Claims, "iat")
	switch {
	case err != nil:
		return nil, fmt.Errorf("the proof's iat claim is not a NumericDate: %v", err)
	case !ok:
		return nil, fmt.Errorf("the proof has no iat claim")
	}
	p.IssuedAt = iat
	return p, nil
}

// ATH returns the ath claim for an access token: base64url of its SHA-256
// (RFC 9449 §4.2).
func ATH(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
