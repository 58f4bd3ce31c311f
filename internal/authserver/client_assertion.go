package authserver

import (
	"context"
	"errors"
	"net/http"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/store"
)

// clientAssertionFailed is the one answer for an unknown client, a client
// not registered for the assertion's method and an assertion whose
// signature does not verify with the client's keys or secret: like
// clientAuthFailed it does not tell a registered client from an unknown
// one (docs/security.md rule 50). The precise reason goes to the server
// log. Rules that do not depend on the client (aud, exp, jti, alg none)
// are named in the answer.
const clientAssertionFailed = "unknown client or invalid client_assertion (RFC 7523 §3)"

// replayKey is the ReplayStore key of an assertion's jti. Client
// assertions and JWT bearer grant assertions of one issuer share it, so
// one JWT is never accepted twice, whatever it is presented as.
func replayKey(issuer, jti string) string { return "assertion:" + issuer + ":" + jti }

// assertionAudiences are the aud values accepted at the endpoint of r:
// the issuer, the token endpoint and the endpoint itself (introspection,
// revocation, PAR) (RFC 7523 §3 item 3).
func (s *Server) assertionAudiences(r *http.Request) []string {
	iss := s.settings.Issuer
	out := []string{iss, iss + "/token"}
	if r.URL.Path != "/token" {
		out = append(out, iss+r.URL.Path)
	}
	return out
}

// authenticateAssertion authenticates a client by its client_assertion
// (private_key_jwt or client_secret_jwt, RFC 7523 §2.2, docs/security.md
// rules 70–74). anyConfidential is ignored: a JWT client uses its
// registered method at every endpoint.
func (s *Server) authenticateAssertion(r *http.Request, creds clientauth.Credentials) (store.Client, *Error) {
	a := creds.Assertion
	refuse := func(desc string, reason error) *Error {
		s.log.Info("client authentication refused", "client", creds.ClientID, "method", string(creds.Method), "reason", reason.Error())
		return NewError(ErrInvalidClient, desc)
	}
	err := a.CheckClaims(clientauth.Expect{What: "client_assertion", Issuer: creds.ClientID, Subject: creds.ClientID,
		Audiences: s.assertionAudiences(r), Now: s.now()})
	if err != nil {
		return store.Client{}, refuse(err.Error(), err)
	}
	ctx := r.Context()
	client, err := s.store.Clients().Get(ctx, creds.ClientID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Client{}, refuse(clientAssertionFailed, errors.New("unknown client"))
	case err != nil:
		return store.Client{}, s.storeError(err)
	case client.AuthMethod != string(creds.Method):
		return store.Client{}, refuse(clientAssertionFailed, errors.New("the client is registered for "+client.AuthMethod+", not "+string(creds.Method)))
	}
	if err := s.verifyAssertion(ctx, a, client, true); err != nil {
		if errors.Is(err, store.ErrReplayed) {
			return store.Client{}, refuse("client_assertion jti "+quoteShort(a.JTI)+" was already used: mint a new assertion per request (RFC 7523 §3 item 7, docs/security.md rule 72)", err)
		}
		var se storeFailure
		if errors.As(err, &se) {
			return store.Client{}, s.storeError(se.err)
		}
		return store.Client{}, refuse(clientAssertionFailed, err)
	}
	return client, nil
}

// storeFailure is a store error met while checking an assertion.
type storeFailure struct{ err error }

func (e storeFailure) Error() string { return e.err.Error() }

// verifyAssertion is the one home of the key-dependent assertion rules,
// for client authentication and the JWT bearer grant: the signature with
// the client's keys (fetching its jwks_uri again once for an unknown kid)
// or secret, alg pinned, then the jti single-use until exp
// (store.ErrReplayed). Claims are checked before, by CheckClaims. A
// store error comes back as a storeFailure.
func (s *Server) verifyAssertion(ctx context.Context, a *clientauth.Assertion, c store.Client, withSecret bool) error {
	v, err := s.clientVerification(ctx, c, false, withSecret)
	if err == nil {
		err = a.Verify(v)
		if errors.Is(err, clientauth.ErrUnknownKey) && c.Ext.JWKSURI != "" {
			if v, err = s.clientVerification(ctx, c, true, withSecret); err == nil {
				err = a.Verify(v)
			}
		}
	}
	if err != nil {
		return err
	}
	err = s.store.Replays().Use(ctx, replayKey(a.Issuer, a.JTI), s.now(), a.ExpiresAt)
	switch {
	case err == nil, errors.Is(err, store.ErrReplayed):
		return err
	}
	return storeFailure{err}
}
