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

// authenticateClient identifies and authenticates the client of a token,
// introspection or revocation request (RFC 6749 §2.3, docs/security.md rule 16).
// requireConfidential refuses public clients (introspection and revocation
// demand authentication, rule 22).
func (s *Server) authenticateClient(r *http.Request, form map[string]string) (store.Client, *Error) {
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
	basic := creds.Method == clientauth.MethodBasic
	fail := func(desc string) (store.Client, *Error) {
		return store.Client{}, &Error{Code: ErrInvalidClient, Status: http.StatusUnauthorized, BasicChallenge: basic, Description: desc}
	}
	client, err := s.store.Clients().Get(r.Context(), creds.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		secretMatches(creds.Secret, dummySecretHash)
		return fail("unknown client or wrong secret (RFC 6749 §5.2)")
	}
	if err != nil {
		return store.Client{}, s.storeError(err)
	}
	if string(creds.Method) != client.AuthMethod {
		return fail("client authenticated with " + string(creds.Method) + " but is registered for " + client.AuthMethod + " (RFC 6749 §2.3)")
	}
	if client.AuthMethod != string(clientauth.MethodNone) && !secretMatches(creds.Secret, client.SecretHash) {
		return fail("unknown client or wrong secret (RFC 6749 §5.2)")
	}
	return client, nil
}

// isPublic reports whether a client has no secret.
func isPublic(c store.Client) bool { return c.AuthMethod == string(clientauth.MethodNone) }

// secretMatches compares a presented secret with a stored "<alg>:<hex>"
// hash using the stored value's own algorithm, in constant time, so a
// secret_hash of any supported algorithm works whatever the token hashing
// is (docs/security.md rule 17).
func secretMatches(secret, stored string) bool {
	alg, _, ok := strings.Cut(stored, ":")
	if !ok {
		return false
	}
	h, err := hashing.New(alg, "")
	if err != nil {
		return false
	}
	return h.Match(secret, stored)
}
