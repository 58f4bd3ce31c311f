package authserver

import (
	"maps"
	"net/http"
	"slices"

	"github.com/oauthkit/oauthkit/internal/dpop"
)

// handleDiscovery serves RFC 8414 metadata with the OpenID Connect
// Discovery 1.0 members, at both well-known paths. The issuer is the configured one, never taken from the
// request's Host or forwarding headers; only what is enabled is listed
// (docs/security.md rule 21).
func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		WriteError(w, &Error{Code: ErrInvalidRequest, Status: http.StatusMethodNotAllowed, Description: "use GET"})
		return
	}
	md, err := s.Metadata(r)
	if err != nil {
		WriteError(w, s.storeError(err))
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	WriteJSON(w, http.StatusOK, md)
}

// Metadata returns the discovery document.
func (s *Server) Metadata(r *http.Request) (map[string]any, error) {
	clients, err := s.store.Clients().List(r.Context())
	if err != nil {
		return nil, err
	}
	grants, methods := map[string]bool{}, map[string]bool{}
	scopes := map[string]bool{}
	for sc := range s.settings.ScopeDescriptions {
		scopes[sc] = true
	}
	for _, c := range clients {
		for _, g := range c.GrantTypes {
			grants[g] = true
		}
		methods[c.AuthMethod] = true
		for _, sc := range c.Scopes {
			scopes[sc] = true
		}
	}
	responseTypes := []string{}
	if grants[GrantAuthorizationCode] {
		responseTypes = append(responseTypes, ResponseTypeCode)
	}
	if grants[GrantImplicit] {
		responseTypes = append(responseTypes, ResponseTypeToken, ResponseTypeIDToken, ResponseTypeIDTokenToken)
	}
	users, err := s.store.Users().List(r.Context())
	if err != nil {
		return nil, err
	}
	iss := s.settings.Issuer
	confidential := []string{}
	for _, m := range []string{"client_secret_basic", "client_secret_jwt", "client_secret_post", "private_key_jwt"} {
		if methods[m] {
			confidential = append(confidential, m)
		}
	}
	md := map[string]any{
		"issuer":                                         iss,
		"authorization_endpoint":                         iss + "/authorize",
		"token_endpoint":                                 iss + "/token",
		"jwks_uri":                                       iss + "/jwks.json",
		"introspection_endpoint":                         iss + "/introspect",
		"revocation_endpoint":                            iss + "/revoke",
		"userinfo_endpoint":                              iss + "/userinfo",
		"grant_types_supported":                          sortedKeys(grants),
		"response_types_supported":                       responseTypes,
		"response_modes_supported":                       []string{ModeQuery, ModeFragment, ModeFormPost},
		"token_endpoint_auth_methods_supported":          sortedKeys(methods),
		"introspection_endpoint_auth_methods_supported":  confidential,
		"revocation_endpoint_auth_methods_supported":     sortedKeys(methods),
		"code_challenge_methods_supported":               []string{PKCEMethodS256},
		"scopes_supported":                               sortedKeys(scopes),
		"authorization_response_iss_parameter_supported": true,
		// OpenID Connect Discovery 1.0 §3.
		"end_session_endpoint":                  iss + PathLogout,
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{s.keys.Signer().Algorithm()},
		"claims_supported":                      supportedClaims(scopes, users, clients),
		"prompt_values_supported":               []string{"none", "login", "consent", "select_account"},
		"claims_parameter_supported":            false,
		"request_parameter_supported":           true, // signed request objects (RFC 9101), request_object.go
		"request_uri_parameter_supported":       false,
		"dpop_signing_alg_values_supported":     dpop.Algs(), // RFC 9449 §5.1
		// RFC 9126 §5.
		"pushed_authorization_request_endpoint": iss + PathPAR,
		"require_pushed_authorization_requests": s.settings.RequirePAR,
	}
	if ep := s.RegistrationEndpoint(); ep != "" {
		md["registration_endpoint"] = ep // RFC 8414 §2, RFC 7591 §3
	}
	if grants[GrantDeviceCode] {
		md["device_authorization_endpoint"] = iss + PathDeviceAuthorization // RFC 8628 §4
	}
	assertionMetadata(md, clients)
	return md, nil
}

func sortedKeys(m map[string]bool) []string {
	return slices.Sorted(maps.Keys(m))
}

// handleJWKS publishes the public keys (docs/security.md rule 20).
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		WriteError(w, &Error{Code: ErrInvalidRequest, Status: http.StatusMethodNotAllowed, Description: "use GET"})
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Content-Type", "application/jwk-set+json")
	WriteJSONKeepType(w, http.StatusOK, s.keys.JWKS())
}
