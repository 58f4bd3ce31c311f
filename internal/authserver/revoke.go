package authserver

import (
	"errors"
	"net/http"

	"github.com/oauthkit/oauthkit/internal/store"
)

// handleRevoke is POST /revoke (RFC 7009): an unknown token is 200 with an
// empty body; a refresh token takes its whole grant (and so its access
// tokens) with it; a client may not revoke another client's token; a store
// failure is 503, never a fake 200 (docs/security.md rule 23).
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	form, client, ok := s.clientRequest(w, r, true, "token")
	if !ok {
		return
	}
	value := form["token"]
	if value == "" {
		WriteError(w, NewError(ErrInvalidRequest, "token is missing (RFC 7009 §2.1)"))
		return
	}
	if e := s.revoke(r, client, value, form["token_type_hint"]); e != nil {
		WriteError(w, e)
		return
	}
	NoStore(w)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) revoke(r *http.Request, client store.Client, value, hint string) *Error {
	ctx := r.Context()
	notYours := NewError(ErrUnauthorizedClient, "the token was issued to another client (RFC 7009 §2.1)")
	revokeRefresh := func() (bool, *Error) {
		if len(value) > maxTokenLength {
			return false, nil
		}
		for _, h := range s.hasher.Candidates(value) {
			_, fam, err := s.store.RefreshTokens().Lookup(ctx, h)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return false, s.storeError(err)
			}
			if fam.ClientID != client.ID {
				return false, notYours
			}
			if err := s.store.RefreshTokens().RevokeFamily(ctx, fam.ID); err != nil {
				return false, s.storeError(err)
			}
			return true, nil
		}
		return false, nil
	}
	revokeAccess := func() (bool, *Error) {
		rec, _, err := s.activeAccessToken(ctx, value)
		if err != nil {
			return false, s.storeError(err)
		}
		if rec.ID == "" {
			return false, nil
		}
		if rec.ClientID != client.ID {
			return false, notYours
		}
		if err := s.revokeAccessRecord(ctx, rec); err != nil {
			return false, s.storeError(err)
		}
		return true, nil
	}
	order := []func() (bool, *Error){revokeRefresh, revokeAccess}
	if hint == "access_token" {
		order[0], order[1] = order[1], order[0]
	}
	for _, try := range order {
		done, e := try()
		if e != nil || done {
			return e
		}
	}
	return nil // unknown token: nothing to do (RFC 7009 §2.2)
}
