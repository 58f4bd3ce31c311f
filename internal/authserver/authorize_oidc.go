package authserver

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Response types of OpenID Connect's implicit flow (OpenID Connect Core
// §3.2.2.1), for clients registered for the implicit grant.
const (
	ResponseTypeIDToken      = "id_token"
	ResponseTypeIDTokenToken = "id_token token"
)

// maxNonceLength bounds the nonce, which is copied into the ID token.
const maxNonceLength = 512

// normalizeResponseType puts the space-separated values of response_type in
// a canonical order: their order does not matter (OAuth 2.0 Multiple
// Response Type Encoding Practices §5), so "token id_token" is
// "id_token token".
func normalizeResponseType(raw string) string {
	f := strings.Fields(raw)
	if len(f) < 2 {
		return raw
	}
	slices.Sort(f)
	return strings.Join(f, " ")
}

// isImplicit: the answer comes straight from /authorize, without a code.
func isImplicit(rt string) bool {
	return rt == ResponseTypeToken || rt == ResponseTypeIDToken || rt == ResponseTypeIDTokenToken
}

// returnsAccessToken: the implicit answer holds an access token.
func returnsAccessToken(rt string) bool {
	return rt == ResponseTypeToken || rt == ResponseTypeIDTokenToken
}

// returnsIDToken: the implicit answer holds an ID token.
func returnsIDToken(rt string) bool {
	return rt == ResponseTypeIDToken || rt == ResponseTypeIDTokenToken
}

// defaultMode is where an answer goes unless response_mode says otherwise:
// the query for code, the fragment for anything carrying a token (OAuth 2.0
// Multiple Response Type Encoding Practices §2.1, §5).
func defaultMode(rt string) string {
	if strings.Contains(rt, "token") {
		return ModeFragment
	}
	return ModeQuery
}

// checkOIDCParams validates the OpenID Connect parameters of a request
// whose response type and scope are already checked: nonce (required for
// an ID token straight from /authorize), max_age, id_token_hint, and the
// request objects this server does not support.
func (s *Server) checkOIDCParams(q *authzRequest, v url.Values) *Error {
	switch {
	case v.Get("request") != "":
		return NewError("request_not_supported", "request objects are accepted only from clients with registered keys (jwks, jwks_uri); send the parameters in the query (OpenID Connect Core §6, RFC 9101 §10.2)")
	case v.Get("request_uri") != "":
		return NewError("request_uri_not_supported", "request_uri is not supported; send the parameters in the query (OpenID Connect Core §6)")
	case len(q.Nonce) > maxNonceLength:
		return NewError(ErrInvalidRequest, "nonce is longer than "+strconv.Itoa(maxNonceLength)+" characters")
	}
	if returnsIDToken(q.ResponseType) {
		if !hasScope(q.Scope, ScopeOpenID) {
			return NewError(ErrInvalidRequest, "response_type "+q.ResponseType+" needs the openid scope (OpenID Connect Core §3.2.2.1)")
		}
		if q.Nonce == "" {
			return NewError(ErrInvalidRequest, "nonce is required when an ID token is returned from the authorization endpoint (OpenID Connect Core §3.2.2.1)")
		}
	}
	q.MaxAge = -1
	if raw, ok := v["max_age"]; ok {
		n, err := strconv.ParseInt(raw[0], 10, 64)
		if err != nil || n < 0 || raw[0][0] == '+' {
			return NewError(ErrInvalidRequest, "max_age must be a number of seconds, 0 or more (OpenID Connect Core §3.1.2.1)")
		}
		q.MaxAge = min(n, int64(100*365*24*3600))
	}
	if raw := v.Get("id_token_hint"); raw != "" {
		hint, ok := s.verifyIDTokenHint(raw)
		if !ok {
			return NewError(ErrInvalidRequest, "id_token_hint is not an ID token issued by this server (bad signature, issuer or type) (OpenID Connect Core §3.1.2.1)")
		}
		q.HintSubject = hint.Subject
	}
	return nil
}

// loginNeeded says why the person must sign in (again) for this request,
// "" when the session will do: no session, prompt=login or
// select_account, a session older than max_age, or an id_token_hint for
// another user. A sign-in made during this request satisfies them all but
// the last: only the hinted user does (docs/security.md rule 48).
func loginNeeded(p pendingAuth, sess session, signedIn bool, now time.Time) string {
	q := &p.Req
	switch {
	case !signedIn:
		return "the user is not signed in"
	case q.HintSubject != "" && q.HintSubject != sess.Subject:
		return "the signed-in user is not the one of id_token_hint"
	case p.LoginDone:
		return ""
	case q.Prompt.Login:
		return "prompt asks for a new sign-in"
	case q.MaxAge >= 0 && now.Sub(sess.AuthTime) > time.Duration(q.MaxAge)*time.Second:
		return "the sign-in is older than max_age"
	case q.MaxAge == 0:
		return "max_age=0 asks for a new sign-in"
	}
	return ""
}
