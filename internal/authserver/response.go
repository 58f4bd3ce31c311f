package authserver

import (
	"net/http"
	"strconv"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Token response kinds a client may be registered for.
const (
	TokenResponseJSON   = "json"    // the JSON object of the server's profile
	TokenResponseRawJWT = "raw_jwt" // the bare JWT as text/plain, as Tencent's demo /token does
)

// writeTokenResponse answers a successful grant in the client's shape:
// RFC 6749 §5.1 JSON, Apigee Edge's extended JSON, or the bare JWT. Every
// shape carries Cache-Control: no-store (docs/security.md rule 14).
func (s *Server) writeTokenResponse(w http.ResponseWriter, client store.Client, out *issued) {
	NoStore(w)
	if client.TokenResponse == TokenResponseRawJWT { // the access token alone, never an ID token
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(out.AccessToken))
		return
	}
	expiresIn := int64(out.ExpiresAt.Sub(out.IssuedAt).Seconds())
	if s.settings.Profile == ProfileApigee {
		s.writeTokenBody(w, client.ID, apigeeResponse(client, out, expiresIn))
		return
	}
	body := tokenBody{AccessToken: out.AccessToken, TokenType: tokenType(out), ExpiresIn: expiresIn,
		Scope: out.Scope, RefreshToken: out.RefreshToken, IDToken: out.IDToken, IssuedTokenType: out.IssuedTokenType}
	if out.TokenType != "" {
		body.TokenType = out.TokenType
	}
	noTokenType, done := s.tamperTokenBody(w, client.ID)
	if done {
		return
	}
	body.omitTokenType = noTokenType
	writeTokenJSON(w, &body)
}

// writeTokenBody writes a JSON token response, tampered with when the
// control says so (ctl tamper malformed_json|no_token_type).
func (s *Server) writeTokenBody(w http.ResponseWriter, clientID string, body map[string]any) {
	noTokenType, done := s.tamperTokenBody(w, clientID)
	if done {
		return
	}
	if noTokenType {
		delete(body, "token_type")
	}
	WriteJSON(w, http.StatusOK, body)
}

// tamperTokenBody applies a queued ctl tamper of the client's token
// response: malformed_json answers a body cut short here (done);
// no_token_type is for the caller to apply.
func (s *Server) tamperTokenBody(w http.ResponseWriter, clientID string) (noTokenType, done bool) {
	kind, ok := s.control.tamperTokenBody(clientID)
	switch {
	case ok && kind == TamperNoTokenType:
		return true, false
	case ok && kind == TamperMalformedJSON:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"access_token":"`)) // cut short: not JSON
		return false, true
	}
	return false, false
}

// apigeeResponse is the shape Apigee Edge's GenerateAccessToken and
// RefreshAccessToken policies answer (seed 004): times in milliseconds and
// counts as strings, token_type "BearerToken", status fields "approved".
func apigeeResponse(client store.Client, out *issued, expiresIn int64) map[string]any {
	name := client.Name
	if name == "" {
		name = client.ID
	}
	body := map[string]any{
		"access_token":     out.AccessToken,
		"token_type":       "BearerToken",
		"issued_at":        strconv.FormatInt(out.IssuedAt.UnixMilli(), 10),
		"expires_in":       strconv.FormatInt(expiresIn, 10),
		"scope":            out.Scope,
		"status":           "approved",
		"client_id":        client.ID,
		"application_name": name,
		"api_product_list": "[]",
		// Apigee also sends organization and developer fields; oauthkit has
		// no organisations, so it says what it is.
		"organization_name": "oauthkit",
		"organization_id":   "0",
	}
	if out.IDToken != "" {
		body["id_token"] = out.IDToken
	}
	if out.RefreshToken != "" {
		body["refresh_token"] = out.RefreshToken
		body["refresh_token_issued_at"] = strconv.FormatInt(out.RefreshAt.UnixMilli(), 10)
		body["refresh_token_expires_in"] = strconv.FormatInt(int64(out.RefreshExp.Sub(out.RefreshAt).Seconds()), 10)
		body["refresh_token_status"] = "approved"
		body["refresh_count"] = strconv.Itoa(out.RefreshCount)
	}
	return body
}

// tokenType is the token_type of the RFC 6749 profile: DPoP for a bound
// access token (RFC 9449 §5.1), else Bearer.
func tokenType(out *issued) string {
	if out.DPoP {
		return "DPoP"
	}
	return "Bearer"
}
