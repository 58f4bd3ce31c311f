package authserver

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
)

// dummySecretHash is compared against when the client is unknown, so an
// unknown client and a wrong secret take the same time.
const dummySecretHash = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// clientAuthFailed is the one answer for an unknown client, a wrong secret
// and an authentication method the client is not registered for: it does
// not tell a registered client from an unknown one (RFC 6749 §5.2,
// docs/security.md rule 50). Clients give the hint about the method.
const clientAuthFailed = "unknown client or wrong secret (RFC 6749 §5.2)"

// authenticateClient identifies and authenticates the client of a token,
// introspection or revocation request (RFC 6749 §2.3, docs/security.md rule 16).
// With anyConfidential (introspection, revocation), a confidential client
// may use either advertised secret method: its registered method binds
// only the token endpoint (RFC 7591 §2).
func (s *Server) authenticateClient(r *http.Request, form map[string]string, anyConfidential bool) (store.Client, *Error) {
	values := url.Values{}
	for k, v := range form {
		values.Set(k, v)
	}
	creds, err := clientauth.FromRequest(r, values)
	if err != nil {
		if errors.Is(err, clientauth.ErrNoClient) {
			return store.Client{}, &Error{Code: ErrInvalidClient, Status: http.StatusUnauthorized, BasicChallenge: true,
				Description: "no client authentication: send HTTP Basic credentials or client_id (RFC 6749 §2.3)"}
		}
		return store.Client{}, NewError(clientauth.OAuthErrorCode(err), err.Error())
	}
	noteClient(r, creds.ClientID)
	if creds.Assertion != nil {
		return s.authenticateAssertion(r, creds)
	}
	fail := &Error{Code: ErrInvalidClient, Status: http.StatusUnauthorized,
		BasicChallenge: creds.Method == clientauth.MethodBasic, Description: clientAuthFailed}
	client, err := s.store.Clients().Get(r.Context(), creds.ClientID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Client{}, s.storeError(err)
	}
	known := err == nil
	// The same work on every path: one secret comparison, against the
	// client's hash or a dummy one (timing, RFC 6749 §5.2).
	stored := s.dummySecret()
	if known && !isPublic(client) {
		stored = client.SecretHash
	}
	secretOK := s.secretMatches(creds.Secret, stored)
	switch {
	case !known:
		return store.Client{}, fail
	case !methodAccepted(client, creds.Method, anyConfidential):
		return store.Client{}, fail
	case !isPublic(client) && !secretOK:
		return store.Client{}, fail
	}
	return client, nil
}

// methodAccepted reports whether a client may authenticate with m: its
// registered method, or (anyConfidential) either secret method when it
// is confidential.
func methodAccepted(c store.Client, m clientauth.Method, anyConfidential bool) bool {
	if string(m) == c.AuthMethod {
		return true
	}
	secretMethod := m == clientauth.MethodBasic || m == clientauth.MethodPost
	return anyConfidential && !isPublic(c) && secretMethod && c.SecretHash != ""
}

// isPublic reports whether a client has no secret.
func isPublic(c store.Client) bool { return c.AuthMethod == string(clientauth.MethodNone) }

// secretMatches compares a presented secret with a stored one of any
// supported form (hmac-sha256 with the server key, a digest of any
// algorithm whatever the token hashing is, docs/security.md rule 17), in
// constant time.
func (s *Server) secretMatches(secret, stored string) bool {
	return s.hasher.MatchSecret(secret, stored)
}

// dummySecret is compared against when there is no real hash to compare
// with, in the form real secrets are stored in, so it costs the same.
func (s *Server) dummySecret() string {
	if len(s.hasher.SecretKey) > 0 {
		return hashing.HMACSHA256 + ":" + strings.Repeat("0", 64)
	}
	return dummySecretHash
}
