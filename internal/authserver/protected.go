package authserver

import (
	"net/http"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/store"
)

// authorizeBearer checks the Bearer token of a protected-resource request
// (RFC 6750 §2.1) and answers the 401/403/503 itself when it fails.
func (s *Server) authorizeBearer(w http.ResponseWriter, r *http.Request, needScope string) (store.AccessToken, bool) {
	header := r.Header.Get("Authorization")
	if header == "" {
		// No credentials at all: a challenge without an error code (RFC 6750 §3.1).
		w.Header().Set("WWW-Authenticate", `Bearer realm="oauthkit"`)
		w.Header().Add("WWW-Authenticate", dpopChallenge(nil)) // RFC 9449 §7.1
		noteError(w, ErrInvalidToken)
		WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": ErrInvalidToken,
			"error_description": "an access token is required: Authorization: Bearer <token> (RFC 6750 §2.1)"})
		return store.AccessToken{}, false
	}
	value, ok := bearerToken(header)
	dpopScheme := false
	if !ok {
		value, ok = dpopToken(header)
		dpopScheme = ok
	}
	if !ok {
		WriteBearerError(w, &Error{Code: ErrInvalidRequest, Status: http.StatusBadRequest,
			Description: "the Authorization header is not 'Bearer <token>' (RFC 6750 §2.1)"})
		return store.AccessToken{}, false
	}
	rec, claims, live, err := s.activeAccessTokenFor(r.Context(), value, s.settings.Audience) // activeAccessToken, with the claims
	if err != nil {
		WriteError(w, s.storeError(err))
		return store.AccessToken{}, false
	}
	if !live {
		WriteBearerError(w, &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized,
			Description: "the access token is invalid, expired or revoked (RFC 6750 §3.1)"})
		return store.AccessToken{}, false
	}
	if !s.checkResourceBinding(w, r, value, claims, dpopScheme) { // RFC 9449 §7
		return store.AccessToken{}, false
	}
	if needScope != "" && !slices.Contains(strings.Fields(rec.Scope), needScope) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oauthkit", error="insufficient_scope", scope="`+needScope+`"`)
		WriteError(w, &Error{Code: ErrInsufficientScope, Status: http.StatusForbidden,
			Description: "this resource needs the scope " + needScope + " (RFC 6750 §3.1)"})
		return store.AccessToken{}, false
	}
	return rec, true
}

// handleProtected is the seeds' "business API": it answers only a valid
// Bearer token (Tencent's demo, Oracle's /oauth/protected).
func (s *Server) handleProtected(w http.ResponseWriter, r *http.Request) {
	w = challengeWriter{ResponseWriter: w, metadata: s.ResourceMetadataURL()} // RFC 9728 §5.1
	rec, ok := s.authorizeBearer(w, r, s.settings.ProtectedScope)
	if !ok {
		return
	}
	if !s.forProtected(rec) {
		WriteBearerError(w, &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized,
			Description: "the access token's audience (" + rec.Audience + ") does not include this resource, " + s.ProtectedResourceID() + " (RFC 8707 §2)"})
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{
		"message": "hello world", "sub": rec.Subject, "client_id": rec.ClientID, "scope": rec.Scope,
	})
}
