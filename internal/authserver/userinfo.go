package authserver

import (
	"errors"
	"net/http"

	"github.com/oauthkit/oauthkit/internal/store"
)

// handleUserinfo answers the claims of the token's user that its scope
// releases (OpenID Connect Core §5.3, §5.4): sub always, profile, email,
// address and phone claims with their scopes, custom claims always. A token
// without a user (client_credentials) is refused.
func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		WriteError(w, &Error{Code: ErrInvalidRequest, Status: http.StatusMethodNotAllowed, Description: "use GET or POST"})
		return
	}
	rec, ok := s.authorizeBearer(w, r, "")
	if !ok {
		return
	}
	if rec.FamilyID == "" {
		// client_credentials: the subject is a client, whatever user may
		// share its name.
		WriteBearerError(w, &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized,
			Description: "this access token was issued to a client, not for a user (client_credentials)"})
		return
	}
	if !hasScope(rec.Scope, ScopeOpenID) {
		// OpenID Connect Core §5.3: the UserInfo endpoint serves OpenID
		// Connect access tokens only (docs/security.md rule 51).
		WriteBearerError(w, &Error{Code: ErrInsufficientScope, Status: http.StatusForbidden,
			Description: "this access token lacks the openid scope that /userinfo requires (OpenID Connect Core section 5.3)"})
		return
	}
	user, err := s.store.Users().GetBySubject(r.Context(), rec.Subject)
	if errors.Is(err, store.ErrNotFound) {
		WriteBearerError(w, &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized,
			Description: "this access token has no user (a client_credentials token?) or the user was removed"})
		return
	}
	if err != nil {
		WriteError(w, s.storeError(err))
		return
	}
	// OpenID Connect Core §5.3.2, §5.4: the claims the token's scope releases.
	claims := userClaims(user, rec.Scope)
	s.control.addClaims(claims, claimsForUserinfo, rec.ClientID, user.Subject) // ctl claims
	NoStore(w)
	WriteJSON(w, http.StatusOK, claims)
}
