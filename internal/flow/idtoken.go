package flow

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/termtext"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// DefaultIDTokenLeeway is the clock skew tolerated on an ID token's exp,
// nbf and iat when none is configured (--leeway).
const DefaultIDTokenLeeway = 30 * time.Second

// IDTokenPolicy says how ID tokens in token responses are verified.
type IDTokenPolicy struct {
	// Skip turns verification off (--no-verify-id-token); nothing is
	// checked and no claims are returned.
	Skip bool
	// Leeway tolerates clock skew on exp, nbf and iat, like `jwt verify
	// --leeway`. It must not be negative.
	Leeway time.Duration
}

// NonceRule is how an ID token's nonce is checked.
type NonceRule int

const (
	// NonceNotChecked: refresh and password responses (OpenID Connect Core
	// §12.2: a refreshed ID token need not carry the nonce).
	NonceNotChecked NonceRule = iota
	// NonceSent: the token's nonce must be exactly the nonce sent in the
	// authorization request; when none was sent, the token must have none.
	NonceSent
	// NonceUnknown: a nonce may have been sent but is not known here (the
	// second step of the two-step mode without it): a token with a nonce
	// is refused, since it cannot be checked.
	NonceUnknown
)

// IDTokenExpect is what one ID token must match beyond the client's
// issuer and client_id.
type IDTokenExpect struct {
	Rule  NonceRule
	Nonce string
	// RequireAtHash: the implicit response_type "id_token token" must
	// carry at_hash (OpenID Connect Core §3.2.2.10).
	RequireAtHash bool
}

// IDTokenError is an ID token that failed a check. Its message is one line
// that names the check.
type IDTokenError struct {
	Msg string
}

func (e *IDTokenError) Error() string { return e.Msg }

func idTokenErrorf(format string, a ...any) *IDTokenError {
	return &IDTokenError{Msg: fmt.Sprintf(format, a...)}
}

// CanVerifyIDTokens reports why ID tokens cannot be verified with the
// client's endpoints (nil when they can, or when verification is off).
func (c *Client) CanVerifyIDTokens() error {
	switch {
	case c.IDTokens.Skip:
		return nil
	case c.Endpoints.Issuer == "":
		return errors.New("verifying the ID token needs the issuer: give --issuer (or --no-verify-id-token)")
	case c.Endpoints.JWKS == "":
		return errors.New("verifying the ID token needs the issuer's JWKS: its metadata has no jwks_uri; give --jwks-url (or --no-verify-id-token)")
	}
	return nil
}

// VerifyIDToken verifies the id_token of a token response, when it has
// one, and sets tr.IDTokenClaims to its claims. Checked: the signature
// against the issuer's JWKS (the algorithm pinned to the key's own; "none"
// and HMAC refused), iss equal to the issuer, aud containing the client_id
// (azp equal to it when present, and required with several audiences),
// exp in the future, iat present, sub present, the nonce per exp.Rule, and
// at_hash against the access token when both are present.
func (c *Client) VerifyIDToken(ctx context.Context, tr *TokenResponse, exp IDTokenExpect) error {
	if tr == nil || tr.IDToken == "" || c.IDTokens.Skip {
		return nil
	}
	if err := c.CanVerifyIDTokens(); err != nil {
		return fmt.Errorf("the response has an ID token, but %v", err)
	}
	if c.IDTokens.Leeway < 0 {
		return fmt.Errorf("ID token leeway must not be negative, got %s", c.IDTokens.Leeway)
	}
	ks, err := c.fetchJWKS(ctx)
	if err != nil {
		return err
	}
	return c.verifyIDTokenWith(ks, tr, exp)
}

// verifyIDTokenWith is VerifyIDToken with the issuer's keys at hand.
func (c *Client) verifyIDTokenWith(ks []*keys.Key, tr *TokenResponse, exp IDTokenExpect) error {
	v := &token.Verifier{Keys: ks, Issuer: c.Endpoints.Issuer, Audience: c.ClientID, Leeway: c.IDTokens.Leeway, Now: c.Now}
	got, err := v.Verify(tr.IDToken)
	if err != nil {
		return idTokenRejection(err)
	}
	if err := checkIDClaims(got, c.ClientID, exp, tr.AccessToken); err != nil {
		return err
	}
	tr.IDTokenClaims = json.RawMessage(got.RawClaims)
	return nil
}

// idTokenRejection words a token.Verifier rejection for an ID token.
func idTokenRejection(err error) error {
	msg := err.Error()
	switch token.KindOf(err) {
	case 0:
		return fmt.Errorf("ID token: %v", err)
	case token.KindSignature, token.KindUnknownKey:
		return idTokenErrorf("ID token signature does not verify with the issuer's JWKS: %s", msg)
	case token.KindAlgorithm:
		return idTokenErrorf("ID token refused: %s", msg)
	case token.KindMalformed:
		return idTokenErrorf("ID token is malformed: %s", msg)
	}
	if rest, ok := strings.CutPrefix(msg, "token "); ok {
		return idTokenErrorf("ID token %s", rest)
	}
	return idTokenErrorf("ID token: %s", msg)
}

// checkIDClaims checks what token.Verifier does not: azp, iat, sub, nonce
// and at_hash (OpenID Connect Core §3.1.3.7, §3.2.2.9).
func checkIDClaims(got *token.Verified, clientID string, exp IDTokenExpect, accessToken string) error {
	claims := got.Claims
	aud, _, _ := token.Audience(claims) // checked by the verifier
	azp, hasAzp := claims["azp"]
	switch {
	case hasAzp && azp != clientID:
		return idTokenErrorf("ID token azp %s is not the client_id %q", quoteValue(azp), clientID)
	case len(aud) > 1 && !hasAzp:
		return idTokenErrorf("ID token has several audiences but no azp claim (OpenID Connect Core §2)")
	}
	if _, ok := claims["iat"]; !ok {
		return idTokenErrorf("ID token has no iat claim")
	}
	if sub, _ := claims["sub"].(string); sub == "" {
		return idTokenErrorf("ID token has no sub claim")
	}
	nonce, hasNonce := claims["nonce"]
	switch exp.Rule {
	case NonceSent:
		switch {
		case exp.Nonce == "" && hasNonce:
			return idTokenErrorf("ID token has a nonce, but none was sent")
		case exp.Nonce != "" && !hasNonce:
			return idTokenErrorf("ID token has no nonce, but one was sent")
		case exp.Nonce != "" && nonce != exp.Nonce:
			return idTokenErrorf("ID token nonce does not match the one sent")
		}
	case NonceUnknown:
		if hasNonce {
			return idTokenErrorf("ID token has a nonce, but the one sent is not known here, so it cannot be checked: give --nonce (printed by --print-url) or --save FILE")
		}
	}
	raw, hasAtHash := claims["at_hash"]
	if !hasAtHash && exp.RequireAtHash {
		return idTokenErrorf("ID token has no at_hash, which the implicit flow requires with an access token (OpenID Connect Core §3.2.2.10)")
	}
	if hasAtHash && accessToken != "" {
		want, err := TokenHash(got.Alg, accessToken)
		if err != nil {
			return idTokenErrorf("ID token at_hash cannot be checked: %v", err)
		}
		if raw != want {
			return idTokenErrorf("ID token at_hash does not match the access token")
		}
	}
	return nil
}

// TokenHash is an at_hash or c_hash value (OpenID Connect Core §3.1.3.6):
// the left half of the hash of value, base64url. The hash is the one of the
// ID token's alg: SHA-256 for *256, SHA-384 for *384, SHA-512 for *512 and
// for EdDSA (Ed25519).
func TokenHash(alg, value string) (string, error) {
	var h hash.Hash
	switch {
	case alg == "EdDSA", strings.HasSuffix(alg, "512"):
		h = sha512.New()
	case strings.HasSuffix(alg, "384"):
		h = sha512.New384()
	case strings.HasSuffix(alg, "256"):
		h = sha256.New()
	default:
		return "", fmt.Errorf("no hash is defined for alg %q", alg)
	}
	h.Write([]byte(value))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]), nil
}

// fetchJWKS reads the issuer's JWKS; entries that cannot verify (symmetric,
// encryption, unsupported keys) are left out (keys.ParseVerificationSet).
func (c *Client) fetchJWKS(ctx context.Context) ([]*keys.Key, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Endpoints.JWKS, nil)
	if err != nil {
		return nil, fmt.Errorf("JWKS URL: %v", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusOK {
		return nil, fmt.Errorf("fetching the issuer's JWKS from %s: HTTP %d%s", redactURL(req.URL), resp.Status, snippet(resp.ContentType, resp.Body))
	}
	ks, _, err := keys.ParseVerificationSet(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("the issuer's JWKS from %s: %v", redactURL(req.URL), err)
	}
	return ks, nil
}

// quoteValue prints a claim value of any JSON type for a message.
func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", termtext.Cut(s, 100))
	}
	b, _ := json.Marshal(v)
	return termtext.Cut(string(b), 100)
}
