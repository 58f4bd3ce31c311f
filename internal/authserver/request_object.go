package authserver

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/token"
)

// ErrInvalidRequestObject is the error of a bad request object (RFC 9101 §6.2).
const ErrInvalidRequestObject = "invalid_request_object"

// maxRequestObjectLifetime bounds exp-now of a request object
// (docs/security.md rule 103): it is made for one request.
const maxRequestObjectLifetime = 10 * time.Minute

// requestObjectClaims are JWT claims of a request object that are not
// authorization parameters.
var requestObjectClaims = map[string]bool{"iss": true, "aud": true, "exp": true, "iat": true, "nbf": true, "jti": true, "sub": true,
	"request": true, "request_uri": true}

// requestObject replaces the parameters of a request that carries a signed
// request object by value (RFC 9101 §5.1, §6.3) with the object's claims;
// only client_id is taken from outside it, and it must match. The object
// must be signed (never alg none) with one of the client's registered keys
// (jwks, jwks_file or jwks_uri, as for private_key_jwt; the key's algorithm,
// or the client's pinned token_endpoint_auth_signing_alg), with iss the
// client_id, aud this issuer and a short exp (docs/security.md rules
// 102–103). A request without request, or from a client without keys,
// comes back unchanged.
//
// Nothing in a bad object can be trusted, its redirect_uri included, so
// the failure is an *Error the caller shows as a page (/authorize) or a
// JSON answer (/par).
func (s *Server) requestObject(ctx context.Context, v url.Values) (url.Values, *Error) {
	raw, rep := single(v, "request")
	switch {
	case !v.Has("request"):
		return v, nil
	case rep:
		return nil, NewError(ErrInvalidRequest, "request is repeated (RFC 6749 §3.1)")
	case v.Has("request_uri"):
		return nil, NewError(ErrInvalidRequest, "request and request_uri cannot both be sent (RFC 9101 §5)")
	}
	clientID, _ := single(v, "client_id")
	if clientID == "" {
		return nil, NewError(ErrInvalidRequest, "client_id is missing; it must come with a request object (RFC 9101 §5)")
	}
	c, err := s.store.Clients().Get(ctx, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NewError(ErrInvalidRequest, "no client "+quoteShort(clientID)+" is registered with this server (RFC 6749 §4.1.2.1)")
	}
	if err != nil {
		return nil, s.storeError(err)
	}
	if len(c.Ext.JWKS) == 0 && c.Ext.JWKSURI == "" {
		// No keys to check it with: checkOIDCParams refuses it with
		// request_not_supported, sent back to the client as before.
		return v, nil
	}
	bad := func(why string) *Error { return NewError(ErrInvalidRequestObject, why) }
	a, err := clientauth.ParseAssertion("request object", raw)
	if err != nil {
		return nil, bad(err.Error())
	}
	now := s.now()
	switch {
	case strings.EqualFold(a.Alg, "none") || a.Alg == "":
		return nil, bad("the request object is not signed (alg " + quoteShort(a.Alg) + "); an unsigned one is never accepted (RFC 9101 §6.1, docs/security.md rule 102)")
	case a.Issuer != clientID:
		return nil, bad("the request object's iss " + quoteShort(a.Issuer) + " is not the client_id " + quoteShort(clientID) + " (RFC 9101 §10.2)")
	case !containsString(a.Audience, s.settings.Issuer):
		return nil, bad("the request object's aud " + quoteShort(strings.Join(a.Audience, " ")) + " is not this server's issuer " + s.settings.Issuer + " (RFC 9101 §10.2)")
	case a.ExpiresAt.IsZero():
		return nil, bad("the request object has no exp (docs/security.md rule 103)")
	case !now.Before(a.ExpiresAt.Add(clientauth.AssertionLeeway)):
		return nil, bad("the request object expired at " + a.ExpiresAt.UTC().Format(time.RFC3339) + " (RFC 9101 §10.2)")
	case a.ExpiresAt.Sub(now) > maxRequestObjectLifetime+clientauth.AssertionLeeway:
		return nil, bad("the request object expires more than " + strconv.Itoa(int(maxRequestObjectLifetime.Minutes())) + " minutes from now; sign one per request (docs/security.md rule 103)")
	}
	if id, ok := a.Claims["client_id"]; ok && id != clientID {
		return nil, bad("the request object's client_id claim differs from the client_id parameter (RFC 9101 §5)")
	}
	if nbf, ok, _ := token.NumericDate(a.Claims, "nbf"); ok && now.Add(clientauth.AssertionLeeway).Before(nbf) {
		return nil, bad("the request object is not valid before " + nbf.UTC().Format(time.RFC3339) + " (RFC 7519 §4.1.5)")
	}
	if strings.HasPrefix(strings.ToUpper(a.Alg), "HS") {
		return nil, bad("the request object is signed with " + a.Alg + "; only the client's public keys sign request objects here (RFC 8725 §3.1, docs/security.md rule 102)")
	}
	ver, err := s.clientVerification(ctx, c, false, false)
	if err == nil {
		err = a.Verify(ver)
		if errors.Is(err, clientauth.ErrUnknownKey) && c.Ext.JWKSURI != "" {
			if ver, err = s.clientVerification(ctx, c, true, false); err == nil {
				err = a.Verify(ver)
			}
		}
	}
	if err != nil {
		return nil, bad("the request object's signature was not verified with client " + clientID + "'s keys: " + err.Error() + " (RFC 9101 §6.2, docs/security.md rule 102)")
	}
	out := url.Values{"client_id": {clientID}}
	for name, val := range a.Claims {
		if requestObjectClaims[name] || name == "client_id" {
			continue
		}
		vals, ok := claimParam(val)
		if !ok {
			return nil, bad("the request object's claim " + quoteShort(name) + " is not a string, a number or a list of strings (RFC 9101 §4)")
		}
		out[name] = vals
	}
	return out, nil
}

// claimParam turns a request object claim into parameter values: a
// string, a number (max_age), or a list of strings (resource).
func claimParam(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case float64:
		return []string{strconv.FormatFloat(x, 'f', -1, 64)}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, len(out) > 0
	}
	return nil, false
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// requestObjectPage is the page of a refused request object at /authorize:
// nothing in it, its redirect URI included, can be trusted.
func requestObjectPage(e *Error) *pageError {
	status := http.StatusBadRequest
	if e.Status >= 500 {
		status = e.Status
	}
	return &pageError{status, "Invalid request object", e.Code + ": " + e.Description + " No redirect was made."}
}
