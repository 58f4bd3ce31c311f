package authserver

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/internal/dpop"
	"github.com/oauthkit/oauthkit/internal/store"
)

// DPoP (RFC 9449, docs/security.md rules 88–95). A proof is checked by
// internal/dpop; this file decides where one is needed and what a valid one
// binds.
//
// The binding travels in the credential, so no record needs a new field: a
// JWT access token carries cnf.jkt (RFC 9449 §6.1); an opaque access token,
// a refresh token and an authorization code bound to a key end with
// "~" and the key's thumbprint. Their stored hash covers the whole value, so
// changing or removing that suffix makes the credential unknown.

// jktSeparator starts the thumbprint suffix of a bound opaque credential;
// random values are base64url, which never contains it.
const jktSeparator = "~"

// bindValue appends the thumbprint of the key value is bound to; "" jkt
// leaves value unbound.
func bindValue(value, jkt string) string {
	if jkt == "" {
		return value
	}
	return value + jktSeparator + jkt
}

// boundJKT returns the thumbprint a credential made by bindValue is bound
// to, "" when it is not bound. Only trust it for a value whose hash was
// found in the store.
func boundJKT(value string) string {
	_, jkt, ok := strings.Cut(value, jktSeparator)
	if !ok {
		return ""
	}
	return jkt
}

// validJKT reports whether v looks like an RFC 7638 SHA-256 thumbprint:
// 43 characters of base64url.
func validJKT(v string) bool {
	if len(v) != 43 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// refreshJKT is the key a new refresh token is bound to: the proof's key
// for a public client (RFC 9449 §5), none for a confidential one, whose
// refresh tokens are bound to its authentication instead.
func refreshJKT(c store.Client, jkt string) string {
	if isPublic(c) {
		return jkt
	}
	return ""
}

// accessTokenJKT returns the thumbprint an access token that
// activeAccessTokenFor accepted is bound to, "" for a Bearer token. claims
// are what it returned: a JWT's verified claims, nil for an opaque token.
func accessTokenJKT(value string, claims map[string]any) string {
	if claims == nil {
		return boundJKT(value)
	}
	cnf, _ := claims["cnf"].(map[string]any)
	jkt, _ := cnf["jkt"].(string)
	return jkt
}

// endpointURL is the URL a proof's htu must name for r: the configured
// issuer and the path, never the request's Host (docs/security.md rule 21).
func (s *Server) endpointURL(r *http.Request) string {
	return s.settings.Issuer + r.URL.EscapedPath()
}

// dpopError turns a refused proof into the answer; for use_dpop_nonce it
// sets a fresh DPoP-Nonce header (RFC 9449 §8).
func (s *Server) dpopError(w http.ResponseWriter, e *dpop.Error, status int) *Error {
	if e.Store != nil {
		return s.storeError(e.Store)
	}
	if e.Code == dpop.ErrUseNonce && s.nonces != nil {
		w.Header().Set("DPoP-Nonce", s.nonces.Issue())
	}
	return &Error{Code: e.Code, Status: status, Description: e.Description}
}

// tokenDPoP checks the DPoP proof of a token request (RFC 9449 §5) and
// returns the thumbprint of its key, "" when the request has none. A client
// registered with dpop_bound_access_tokens must send one (§5.2). When the
// server uses nonces, every answer to a request with a proof carries a
// fresh DPoP-Nonce.
func (s *Server) tokenDPoP(w http.ResponseWriter, r *http.Request, client store.Client) (string, *Error) {
	headers := r.Header.Values("DPoP")
	if len(headers) == 0 {
		if client.Ext.DPoPBoundAccessTokens {
			return "", NewError(ErrInvalidRequest, "client "+client.ID+" is registered with dpop_bound_access_tokens: its token requests need a DPoP proof (RFC 9449 §5.2)")
		}
		return "", nil
	}
	if s.nonces != nil {
		w.Header().Set("DPoP-Nonce", s.nonces.Issue())
	}
	p, e := s.dpop.Verify(r.Context(), headers, dpop.Request{Method: r.Method, URL: s.endpointURL(r)})
	if e != nil {
		return "", s.dpopError(w, e, http.StatusBadRequest)
	}
	return p.JKT, nil
}

// checkBoundCredential refuses a code or refresh token bound to a key (by
// dpop_jkt or an earlier proof) unless the request's proof is made with
// that key (RFC 9449 §5, §10). It looks at the value before the store
// does: a forged suffix makes the value unknown anyway, and a refused
// request does not use the credential up.
func checkBoundCredential(value, proofJKT, what, section string) *Error {
	jkt := boundJKT(value)
	switch {
	case jkt == "":
		return nil
	case proofJKT == "":
		return NewError(dpop.ErrInvalidProof, "the "+what+" is bound to a DPoP key; send a DPoP proof made with that key (RFC 9449 "+section+")")
	case proofJKT != jkt:
		return NewError(ErrInvalidGrant, "the "+what+" is bound to another DPoP key than the proof's (RFC 9449 "+section+")")
	}
	return nil
}

// checkDPoPJKT reads dpop_jkt at /authorize (RFC 9449 §10): the thumbprint
// of the key the code will be bound to.
func checkDPoPJKT(q *authzRequest, v url.Values) *Error {
	jkt, ok := v["dpop_jkt"]
	if !ok {
		return nil
	}
	if isImplicit(q.ResponseType) {
		return NewError(ErrInvalidRequest, "dpop_jkt binds an authorization code; the implicit grant has none (RFC 9449 §10)")
	}
	if len(jkt) != 1 || !validJKT(jkt[0]) {
		return NewError(ErrInvalidRequest, "dpop_jkt must be one RFC 7638 SHA-256 JWK thumbprint, 43 characters of base64url (RFC 9449 §10)")
	}
	q.DPoPJKT = jkt[0]
	return nil
}

// dpopChallenge is the WWW-Authenticate challenge of the DPoP scheme
// (RFC 9449 §7.1), with the error when there is one.
func dpopChallenge(e *Error) string {
	c := `DPoP algs="` + strings.Join(dpop.Algs(), " ") + `"`
	if e != nil && e.Code != "" {
		c += `, error="` + e.Code + `"`
		if e.Description != "" {
			c += `, error_description="` + SafeDescription(e.Description) + `"`
		}
	}
	return c
}

// writeDPoPError answers a resource request refused under the DPoP scheme.
func writeDPoPError(w http.ResponseWriter, e *Error) {
	w.Header().Set("WWW-Authenticate", dpopChallenge(e))
	WriteError(w, e)
}

// dpopToken takes the token of "Authorization: DPoP X" (RFC 9449 §7.1).
func dpopToken(header string) (string, bool) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "DPoP") {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	if rest == "" || strings.ContainsAny(rest, " \t,") {
		return "", false
	}
	return rest, true
}

// checkResourceBinding applies RFC 9449 §7 to a live access token at a
// resource: a bound token needs the DPoP scheme and a proof by its key with
// ath; a Bearer token is refused under the DPoP scheme. On failure it has
// answered 401 (or 503) and returns false. claims: as for accessTokenJKT.
func (s *Server) checkResourceBinding(w http.ResponseWriter, r *http.Request, value string, claims map[string]any, dpopScheme bool) bool {
	jkt := accessTokenJKT(value, claims)
	switch {
	case jkt != "" && !dpopScheme:
		writeDPoPError(w, &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized,
			Description: "this access token is bound to a DPoP key (cnf.jkt): send it as Authorization: DPoP with a DPoP proof, not as Bearer (RFC 9449 §7.2)"})
		return false
	case jkt == "" && !dpopScheme:
		return true
	case jkt == "":
		writeDPoPError(w, &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized,
			Description: "this access token is not bound to a DPoP key: send it as Authorization: Bearer (RFC 9449 §7.1)"})
		return false
	}
	if s.nonces != nil {
		w.Header().Set("DPoP-Nonce", s.nonces.Issue())
	}
	p, de := s.dpop.Verify(r.Context(), r.Header.Values("DPoP"), dpop.Request{Method: r.Method, URL: s.endpointURL(r), AccessToken: value})
	if de != nil {
		e := s.dpopError(w, de, http.StatusUnauthorized)
		if de.Store != nil {
			WriteError(w, e)
		} else {
			writeDPoPError(w, e)
		}
		return false
	}
	if p.JKT != jkt {
		writeDPoPError(w, &Error{Code: dpop.ErrInvalidProof, Status: http.StatusUnauthorized,
			Description: "the DPoP proof is signed with another key than the one the access token is bound to (RFC 9449 §7.1)"})
		return false
	}
	return true
}
