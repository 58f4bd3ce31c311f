package authserver

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// TamperKind names how an answer is falsified, to test that a client
// notices (docs/control.md).
type TamperKind string

// The tamper kinds.
const (
	// Authorization response (RFC 9207, RFC 6749 §10.12).
	TamperIss   TamperKind = "iss"   // iss names another issuer (mix-up)
	TamperState TamperKind = "state" // state differs from the request's
	// ID token (OpenID Connect Core §3.1.3.7).
	TamperNonce   TamperKind = "nonce"   // nonce differs from the request's
	TamperAud     TamperKind = "aud"     // aud is another client
	TamperAtHash  TamperKind = "at_hash" // at_hash does not match the access token
	TamperExpired TamperKind = "expired" // exp (and iat) an hour in the past
	// Token response.
	TamperSignature     TamperKind = "signature"      // the JWT access token's signature is broken
	TamperMalformedJSON TamperKind = "malformed_json" // the body is cut short: not JSON
	TamperNoTokenType   TamperKind = "no_token_type"  // token_type is left out (RFC 6749 §5.1 requires it)
)

// TamperKinds lists every kind, in the order docs/control.md gives them.
func TamperKinds() []TamperKind {
	return []TamperKind{TamperIss, TamperState, TamperNonce, TamperAud, TamperAtHash, TamperExpired,
		TamperSignature, TamperMalformedJSON, TamperNoTokenType}
}

// Tamper falsifies the next matching answers of one kind.
type Tamper struct {
	Scope
	Kind TamperKind
}

type queuedTamper struct {
	Tamper
	n counter
}

// mixUpIssuer is the issuer a tampered authorization response names: a
// reserved name (RFC 2606) that is no server's.
const mixUpIssuer = "https://mix-up.invalid"

// Tamper queues a tampered answer.
func (c *Control) Tamper(t Tamper) error {
	if !slices.Contains(TamperKinds(), t.Kind) {
		names := make([]string, 0, len(TamperKinds()))
		for _, k := range TamperKinds() {
			names = append(names, string(k))
		}
		return fmt.Errorf("tamper %q: use one of %s", t.Kind, strings.Join(names, ", "))
	}
	if err := t.Scope.check(); err != nil {
		return err
	}
	if t.Kind == TamperSignature && c.srv.settings.Format == FormatOpaque {
		return fmt.Errorf("tamper signature: this server issues opaque access tokens, which have no signature")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tampers = append(c.tampers, &queuedTamper{Tamper: t, n: newCounter(t.Scope)})
	return nil
}

// takeTamper spends the first queued tamper of one of the kinds that
// matches the client; ok is false when none is queued.
func (c *Control) takeTamper(clientID string, kinds ...TamperKind) (TamperKind, bool) {
	if c == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, q := range c.tampers {
		if slices.Contains(kinds, q.Kind) && q.n.matches(clientID) {
			if q.n.use() {
				c.tampers = slices.Delete(c.tampers, i, i+1)
			}
			return q.Kind, true
		}
	}
	return "", false
}

// tamperAuthzResponse falsifies iss or state of an authorization response
// to the client.
func (c *Control) tamperAuthzResponse(clientID string, state, iss *string) {
	kind, ok := c.takeTamper(clientID, TamperIss, TamperState)
	if !ok {
		return
	}
	if kind == TamperIss {
		*iss = mixUpIssuer
		return
	}
	*state = "tampered-" + randomToken(6)
}

// tamperIDToken falsifies one claim of an ID token about to be signed.
func (c *Control) tamperIDToken(clientID string, claims map[string]any, now time.Time) {
	kind, ok := c.takeTamper(clientID, TamperNonce, TamperAud, TamperAtHash, TamperExpired)
	if !ok {
		return
	}
	switch kind {
	case TamperNonce:
		claims["nonce"] = "tampered-" + randomToken(6)
	case TamperAud:
		claims["aud"] = "another-client-" + randomToken(4)
	case TamperAtHash:
		claims["at_hash"] = tokenHash("tampered-"+randomToken(6), "RS256")
	case TamperExpired:
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	}
}

// tamperSignature breaks the signature of a JWT: the first character of
// the signature changes, so the token still parses (the base64url stays
// canonical, which a change of the last character, holding padding bits,
// would not) but no key verifies it.
func (c *Control) tamperSignature(clientID, jwt string) string {
	dot := strings.LastIndexByte(jwt, '.')
	if dot < 0 || dot == len(jwt)-1 {
		return jwt
	}
	if _, ok := c.takeTamper(clientID, TamperSignature); !ok {
		return jwt
	}
	b := []byte(jwt)
	if b[dot+1] == 'A' {
		b[dot+1] = 'B'
	} else {
		b[dot+1] = 'A'
	}
	return string(b)
}

// tamperTokenBody falsifies a JSON token response body: it says how.
func (c *Control) tamperTokenBody(clientID string) (TamperKind, bool) {
	return c.takeTamper(clientID, TamperMalformedJSON, TamperNoTokenType)
}
