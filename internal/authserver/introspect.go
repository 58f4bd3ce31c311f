package authserver

import (
	"net/http"
)

// handleIntrospect is POST /introspect (RFC 7662). The caller must
// authenticate as a confidential client; anything not live — garbage,
// expired, revoked, rotated out — is {"active": false} and nothing else
// (docs/security.md rule 22). Refresh tokens are active only to their own
// client (rule 57); access tokens to any confidential client (resource
// servers introspect them).
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	form, client, ok := s.clientRequest(w, r, true, "token")
	if !ok {
		return
	}
	if isPublic(client) {
		WriteError(w, &Error{Code: ErrInvalidClient, Status: http.StatusUnauthorized,
			Description: "introspection requires client authentication; public clients may not introspect (RFC 7662 §2.1)"})
		return
	}
	value := form["token"]
	if value == "" {
		WriteError(w, NewError(ErrInvalidRequest, "token is missing (RFC 7662 §2.1)"))
		return
	}
	NoStore(w)
	ctx := withLoadedClient(r.Context(), client)
	hint := form["token_type_hint"]
	tryAccess := func() (map[string]any, error) {
		rec, claims, ok, err := s.activeAccessTokenFor(ctx, value, s.settings.Audience) // activeAccessToken, with the claims
		if err != nil || !ok {
			return nil, err
		}
		body := map[string]any{
			"active": true, "token_type": "Bearer", "client_id": rec.ClientID, "sub": rec.Subject,
			"scope": rec.Scope, "iat": rec.IssuedAt.Unix(), "exp": rec.ExpiresAt.Unix(),
			"iss": s.settings.Issuer, "aud": s.introspectedAudience(rec),
		}
		if jkt := accessTokenJKT(value, claims); jkt != "" { // RFC 9449 §6.2
			body["token_type"], body["cnf"] = "DPoP", map[string]string{"jkt": jkt}
		}
		return body, nil
	}
	tryRefresh := func() (map[string]any, error) {
		rt, fam, ok, err := s.activeRefreshToken(ctx, value)
		if err != nil || !ok {
			return nil, err
		}
		if fam.ClientID != client.ID {
			// A refresh token is only ever presented by its own client:
			// to anyone else it is not active, and its user and scope stay
			// hidden (RFC 7662 §2.2, docs/security.md rule 57).
			return nil, nil
		}
		return map[string]any{
			"active": true, "token_type": "refresh_token", "client_id": fam.ClientID, "sub": fam.Subject,
			"scope": fam.Scope, "iat": rt.IssuedAt.Unix(), "exp": rt.ExpiresAt.Unix(), "iss": s.settings.Issuer,
		}, nil
	}
	order := []func() (map[string]any, error){tryAccess, tryRefresh}
	if hint == "refresh_token" {
		order[0], order[1] = order[1], order[0]
	}
	for _, try := range order {
		body, err := try()
		if err != nil {
			WriteError(w, s.storeError(err))
			return
		}
		if body != nil {
			WriteJSON(w, http.StatusOK, body)
			return
		}
	}
	WriteJSON(w, http.StatusOK, map[string]bool{"active": false})
}
