package authserver

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"maps"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/token"
)

// idTokenType is the typ header of ID tokens: plain "JWT", so an ID token
// can never pass for an RFC 9068 access token (typ at+jwt) or the reverse.
const idTokenType = "JWT"

// idToken describes an ID token to issue (OpenID Connect Core §2).
type idToken struct {
	Client    store.Client
	User      store.User
	Scope     string // releases the user's claims (claims.go)
	Nonce     string // echoed exactly; "" when the request had none (and on refresh)
	AuthTime  time.Time
	SessionID string // "sid"; "" without a browser session
	// AccessToken issued alongside, for at_hash ("" when none).
	AccessToken string
	Now         time.Time
}

// mintIDToken signs an ID token with the key and kid of access tokens. The
// client's static claims come first and the user's claims by scope next,
// so the protocol claims always win. aud is the client alone, so azp is
// never needed (OpenID Connect Core §2).
func (s *Server) mintIDToken(t idToken) (string, *Error) {
	claims := map[string]any{}
	maps.Copy(claims, t.Client.Claims)
	maps.Copy(claims, userClaims(t.User, t.Scope))
	s.control.addClaims(claims, claimsForIDToken, t.Client.ID, t.User.Subject) // ctl claims
	claims["iss"] = s.settings.Issuer
	claims["sub"] = t.User.Subject
	claims["aud"] = t.Client.ID
	claims["iat"] = t.Now.Unix()
	claims["exp"] = t.Now.Add(s.settings.IDTokenTTL).Unix()
	authTime := t.AuthTime
	if authTime.IsZero() {
		authTime = t.Now
	}
	claims["auth_time"] = authTime.Unix()
	if t.Nonce != "" {
		claims["nonce"] = t.Nonce
	}
	if t.SessionID != "" {
		claims["sid"] = t.SessionID
	}
	signer := s.keys.Signer() // one key for at_hash and the signature, even during a rotation
	if t.AccessToken != "" {
		claims["at_hash"] = tokenHash(t.AccessToken, signer.Algorithm())
	}
	s.control.tamperIDToken(t.Client.ID, claims, t.Now) // ctl tamper nonce|aud|at_hash|expired
	// Not cancelled while waiting for the sign gate: its callers have
	// already spent their grant (a code, a refresh token) when they get here.
	signed, err := s.sign(context.Background(), signer, claims, idTokenType)
	if err != nil {
		s.log.Error("signing an ID token failed", "err", err)
		return "", NewError(ErrServerError, "could not sign the ID token; see the server log")
	}
	return signed, nil
}

// tokenHash is at_hash (and c_hash): the left half of the hash of the
// ASCII value, base64url without padding, with the hash of the JWS
// algorithm — SHA-256 for *256, SHA-384 for *384, SHA-512 for *512 and for
// EdDSA with Ed25519 (OpenID Connect Core §3.1.3.6, §3.2.2.9).
func tokenHash(value, alg string) string {
	var h hash.Hash
	switch {
	case strings.HasSuffix(alg, "384"):
		h = sha512.New384()
	case strings.HasSuffix(alg, "512"), alg == "EdDSA":
		h = sha512.New()
	default:
		h = sha256.New()
	}
	h.Write([]byte(value))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// idTokenHint is what a verified id_token_hint says.
type idTokenHint struct {
	Subject  string
	Audience []string
	SID      string
}

// verifyIDTokenHint checks an id_token_hint: an ID token this server
// signed (published keys and their algorithms only, iss, typ JWT) whose
// expiry does not matter (OpenID Connect Core §3.1.2.1, RP-Initiated
// Logout §2). ok is false for anything else: garbage, a tampered or
// foreign token, an access token.
func (s *Server) verifyIDTokenHint(value string) (idTokenHint, bool) {
	if value == "" || len(value) > maxTokenLength {
		return idTokenHint{}, false
	}
	d, err := token.Decode(value)
	if err != nil {
		return idTokenHint{}, false
	}
	// Expiry is ignored by checking the token at the moment it was issued;
	// the signature is verified before any claim is looked at.
	iat, ok, err := token.NumericDate(d.Claims, "iat")
	if err != nil || !ok {
		return idTokenHint{}, false
	}
	v := s.keys.Verifier(token.Verifier{Issuer: s.settings.Issuer, Type: idTokenType,
		Now: func() time.Time { return iat }})
	verified, err := v.Verify(value)
	if token.KindOf(err) == token.KindUnknownKey && s.keys.reloadForUnknownKID() { // another replica rotated (keysync.go)
		verified, err = s.keys.Verifier(*v).Verify(value)
	}
	if err != nil {
		return idTokenHint{}, false
	}
	sub, _ := verified.Claims["sub"].(string)
	aud, _, err := token.Audience(verified.Claims)
	if sub == "" || err != nil {
		return idTokenHint{}, false
	}
	sid, _ := verified.Claims["sid"].(string)
	return idTokenHint{Subject: sub, Audience: aud, SID: sid}, true
}
