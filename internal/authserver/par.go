package authserver

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/oauthkit/oauthkit/internal/store"
)

// PathPAR is the pushed authorization request endpoint (RFC 9126 §2).
const PathPAR = "/par"

// RequestURIPrefix starts every request_uri the PAR endpoint hands out
// (RFC 9126 §2.2).
const RequestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// MaxLivePushed caps a client's pushed requests that have not expired: a
// public client needs no secret to push, and a flood must not fill the
// store (docs/security.md rule 101, as MaxLiveCodes for codes).
const MaxLivePushed = 1000

// credentialParams are client authentication parameters: they are not
// part of the authorization request and are never stored with it.
var credentialParams = []string{"client_secret", "client_assertion", "client_assertion_type"}

// handlePAR is POST /par (RFC 9126 §2): the client authenticates as at the
// token endpoint, every check of /authorize runs now, and the request is
// stored for a single use within PARTTL; the answer is its request_uri
// (docs/security.md rules 100–101).
func (s *Server) handlePAR(w http.ResponseWriter, r *http.Request) {
	form, client, ok := s.clientRequest(w, r, false)
	if !ok {
		return
	}
	if form["request_uri"] != "" {
		WriteError(w, NewError(ErrInvalidRequest, "request_uri must not be pushed: the PAR endpoint hands it out (RFC 9126 §2.1)"))
		return
	}
	if id, sent := form["client_id"]; sent && id != client.ID {
		WriteError(w, NewError(ErrInvalidRequest, "client_id does not match the authenticated client (RFC 9126 §2.1)"))
		return
	}
	v := url.Values{}
	for k, vs := range r.PostForm {
		v[k] = vs
	}
	for _, k := range credentialParams {
		v.Del(k)
	}
	v.Set("client_id", client.ID)
	v, e := s.requestObject(r.Context(), v) // RFC 9126 §3: a request object may be pushed
	if e != nil {
		WriteError(w, e)
		return
	}
	_, pe, e := s.validateAuthorize(r.Context(), v)
	if pe != nil {
		// An unknown client cannot get here; the redirect URI is wrong.
		e = NewError(ErrInvalidRequest, strings.TrimSuffix(pe.Detail, " No redirect was made."))
	}
	if e != nil {
		WriteError(w, e)
		return
	}
	now := s.now()
	n, err := s.store.PushedRequests().CountLive(r.Context(), client.ID, now)
	if err != nil {
		WriteError(w, s.storeError(err))
		return
	}
	if n >= MaxLivePushed {
		WriteError(w, &Error{Code: ErrTemporarilyUnavailable, Status: http.StatusServiceUnavailable, RetryAfter: int(s.settings.PARTTL.Seconds()) + 1,
			Description: "client " + client.ID + " has too many pushed requests waiting; use them or wait until they expire (docs/security.md rule 101)"})
		return
	}
	ref := randomToken(32)
	p := store.PushedRequest{Hash: s.hasher.Hash(ref), ClientID: client.ID, Params: v.Encode(), ExpiresAt: now.Add(s.settings.PARTTL)}
	if err := s.store.PushedRequests().Put(r.Context(), p); err != nil {
		WriteError(w, s.storeError(err))
		return
	}
	NoStore(w)
	WriteJSON(w, http.StatusCreated, map[string]any{
		"request_uri": RequestURIPrefix + ref,
		"expires_in":  int(s.settings.PARTTL.Seconds()),
	})
}

// pushedParams replaces the parameters of an /authorize request that has a
// request_uri with those pushed for it (RFC 9126 §4): the request_uri is
// taken once, must not have expired, and must have been pushed by the client
// that client_id names. Parameters sent beside it are ignored, as §4 asks.
// An expired request comes back with its parameters and e set, so the error
// can go to its checked redirect URI; for an unknown or reused request_uri
// there is nothing to trust and the answer is a page.
func (s *Server) pushedParams(ctx context.Context, v url.Values) (url.Values, *pageError, *Error) {
	ref, rep := single(v, "request_uri")
	clientID, _ := single(v, "client_id")
	switch {
	case rep:
		return nil, &pageError{http.StatusBadRequest, "Invalid request", "request_uri is repeated (RFC 6749 §3.1). No redirect was made."}, nil
	case clientID == "":
		return nil, &pageError{http.StatusBadRequest, "Invalid request", "client_id is missing; it must come with request_uri (RFC 9126 §4). No redirect was made."}, nil
	}
	random, ok := strings.CutPrefix(ref, RequestURIPrefix)
	if !ok || random == "" {
		return nil, &pageError{http.StatusBadRequest, "Invalid request URI",
			"invalid_request_uri: request_uri " + quoteShort(ref) + " was not issued by this server's PAR endpoint (RFC 9126 §4). No redirect was made."}, nil
	}
	var (
		p   store.PushedRequest
		err error
	)
	for _, h := range s.hasher.Candidates(random) {
		p, err = s.store.PushedRequests().Take(ctx, h, s.now())
		if !errors.Is(err, store.ErrNotFound) {
			break
		}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, &pageError{http.StatusBadRequest, "Invalid request URI",
			"invalid_request_uri: this request_uri is unknown or was already used; a pushed request is good for one authorization (RFC 9126 §4). Start again from the application. No redirect was made."}, nil
	case err != nil && !errors.Is(err, store.ErrExpired):
		e := s.storeError(err)
		return nil, &pageError{e.Status, "Server unavailable", e.Description}, nil
	case p.ClientID != clientID:
		return nil, &pageError{http.StatusBadRequest, "Invalid request URI",
			"invalid_request_uri: this request_uri was pushed by another client than " + quoteShort(clientID) + " (RFC 9126 §4). No redirect was made."}, nil
	}
	params, perr := url.ParseQuery(p.Params)
	if perr != nil {
		s.log.Error("a stored pushed request does not parse", "client_id", p.ClientID)
		return nil, &pageError{http.StatusInternalServerError, "Server error", "The pushed request could not be read; see the server log."}, nil
	}
	if errors.Is(err, store.ErrExpired) {
		return params, nil, NewError(ErrInvalidRequestURI, "the request_uri expired; it lives "+strconv.Itoa(int(s.settings.PARTTL.Seconds()))+" s after the push (RFC 9126 §4)")
	}
	return params, nil, nil
}

// parRequired reports whether client must push its requests (RFC 9126 §5,
// §6): the server requires it of everyone, or the client of itself.
func (s *Server) parRequired(c store.Client) bool {
	return s.settings.RequirePAR || c.Ext.RequirePushedAuthorizationRequests
}
