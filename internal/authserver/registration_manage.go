package authserver

import (
	"errors"
	"net/http"

	"github.com/oauthkit/oauthkit/internal/store"
)

// registrationTokenInvalid is the one answer for a wrong or missing
// registration access token, an unknown client and a client that was not
// registered dynamically: none of them tells which (RFC 7592 §2.1,
// docs/security.md rule 107).
const registrationTokenInvalid = "the registration access token is not valid for this client (RFC 7592 §2.1)"

// handleRegistration is the client configuration endpoint of RFC 7592:
// GET reads the client, PUT replaces its metadata, DELETE removes it.
func (s *Server) handleRegistration(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodPut, http.MethodDelete:
	default:
		w.Header().Set("Allow", "GET, PUT, DELETE")
		WriteError(w, &Error{Code: ErrInvalidRequest, Status: http.StatusMethodNotAllowed,
			Description: "use GET, PUT or DELETE on the registration client URI (RFC 7592 §2)"})
		return
	}
	c, tok, e := s.registeredClient(r)
	if e != nil {
		WriteBearerError(w, e)
		return
	}
	noteClient(r, c.ID)
	NoStore(w)
	switch r.Method {
	case http.MethodGet:
		WriteJSON(w, http.StatusOK, s.clientInformation(c, "", tok))
	case http.MethodPut:
		s.updateRegistered(w, r, c, tok)
	case http.MethodDelete:
		s.registrar.mu.Lock() // not between an update's check and its write
		err := s.store.Clients().Delete(r.Context(), c.ID)
		s.registrar.mu.Unlock()
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			WriteError(w, s.storeError(err))
			return
		}
		// Its tokens end with it: a token of a client that is not in the
		// store is inactive (grantPartiesExist), and the client can no
		// longer authenticate to refresh (docs/security.md rule 108).
		s.log.Info("registered client deleted", "client_id", c.ID)
		w.WriteHeader(http.StatusNoContent)
	}
}

// registeredClient authenticates a request to the client configuration
// endpoint with the client's registration access token (RFC 7592 §3). A
// client of the configuration file has no such token and is never
// managed this way (docs/security.md rule 107). One secret comparison is
// made on every path.
func (s *Server) registeredClient(r *http.Request) (store.Client, string, *Error) {
	fail := &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized, Description: registrationTokenInvalid}
	tok, ok := bearerToken(r.Header.Get("Authorization"))
	id := r.PathValue("id")
	c, err := s.store.Clients().Get(r.Context(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Client{}, "", s.storeError(err)
	}
	stored := s.dummySecret()
	known := err == nil && c.Ext.Registered && c.Ext.RegistrationTokenHash != ""
	if known {
		stored = c.Ext.RegistrationTokenHash
	}
	match := s.hasher.MatchSecret(tok, stored)
	if !ok || !known || !match {
		return store.Client{}, "", fail
	}
	return c, tok, nil
}

// updateRegistered replaces the client's metadata (RFC 7592 §2.2): the
// request is the whole new metadata, judged as a registration is; what it
// leaves out takes the default. client_id must be the client's own; a
// client_secret sent must be its current one. The secret is kept, issued
// when a public client becomes confidential, dropped the other way.
func (s *Server) updateRegistered(w http.ResponseWriter, r *http.Request, old store.Client, tok string) {
	md, e := readClientMetadata(w, r)
	if e != nil {
		WriteError(w, e)
		return
	}
	if md.ClientID != old.ID {
		WriteError(w, NewError(errInvalidMetadata, "client_id must be sent and be the client's own, "+quoteShort(old.ID)+"; it cannot change (RFC 7592 §2.2)"))
		return
	}
	if md.ClientSecret != "" && (old.SecretHash == "" || !s.hasher.MatchSecret(md.ClientSecret, old.SecretHash)) {
		WriteError(w, NewError(errInvalidMetadata, "client_secret does not match the client's current secret (RFC 7592 §2.2)"))
		return
	}
	c, e := s.buildRegisteredClient(old.ID, md)
	if e != nil {
		WriteError(w, e)
		return
	}
	c.CreatedAt, c.Ext.RegistrationTokenHash = old.CreatedAt, old.Ext.RegistrationTokenHash
	secret := ""
	switch {
	case c.AuthMethod == "none":
	case old.SecretHash != "":
		c.SecretHash = old.SecretHash
	default:
		secret = randomToken(32)
		c.SecretHash = s.hasher.HashSecret(secret)
	}
	if e := s.replaceRegistered(r, old, c); e != nil {
		WriteError(w, e)
		return
	}
	s.log.Info("registered client updated", "client_id", c.ID, "auth_method", c.AuthMethod, "grant_types", c.GrantTypes)
	WriteJSON(w, http.StatusOK, s.clientInformation(c, secret, tok))
}

// replaceRegistered writes the updated client unless it was deleted or
// re-keyed since it was read: an update that loses a race with a delete
// must not bring the client back (RFC 7592 §2.3).
func (s *Server) replaceRegistered(r *http.Request, old, c store.Client) *Error {
	s.registrar.mu.Lock()
	defer s.registrar.mu.Unlock()
	cur, err := s.store.Clients().Get(r.Context(), old.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized, Description: registrationTokenInvalid}
	case err != nil:
		return s.storeError(err)
	case !cur.Ext.Registered || cur.Ext.RegistrationTokenHash != old.Ext.RegistrationTokenHash:
		return &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized, Description: registrationTokenInvalid}
	}
	if err := s.store.Clients().Put(r.Context(), c); err != nil {
		return s.storeError(err)
	}
	return nil
}
