package authserver

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/store"
)

// /authorize/logout is the page to sign out and the end_session_endpoint of OpenID
// Connect RP-Initiated Logout 1.0. An application sends the browser there
// with id_token_hint, client_id, post_logout_redirect_uri and state; the
// session ends and the browser goes back to post_logout_redirect_uri (with
// state) if that URI is registered for the client exactly. Anything wrong
// gets an error page and never a redirect (as docs/security.md rule 2 for
// /authorize). The person is asked to confirm, on a page whose button
// posts a CSRF-protected form, unless the "sid" of id_token_hint is the
// current sign-in's (RP-Initiated Logout §2, docs/security.md rule 58).

// logoutRequest is a validated logout request.
type logoutRequest struct {
	Client      *store.Client // nil when neither client_id nor id_token_hint names one
	RedirectURI string        // a registered post_logout_redirect_uri, "" for none
	State       string
	Hint        *idTokenHint // a verified id_token_hint, nil without one
}

// logoutPage is what the logout template shows.
type logoutPage struct {
	SignedIn             bool
	Username, CSRF       string
	ClientID, ClientName string
	Redirect, State      string
}

// handleLogout: GET or POST. Signed in and not confirmed (no id_token_hint
// of this sign-in's sid, no CSRF-checked form): the confirmation page. Otherwise the
// session ends, the cookie is cleared, and the browser goes to the
// post_logout_redirect_uri, or sees the signed-out page.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	var (
		v  url.Values
		pe *pageError
	)
	switch r.Method {
	case http.MethodGet:
		v, pe = authorizeParams(w, r)
	case http.MethodPost:
		v, pe = readPageForm(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		pe = &pageError{http.StatusMethodNotAllowed, "Method not allowed", "The logout page answers GET and POST."}
	}
	var lr logoutRequest
	if pe == nil {
		lr, pe = s.parseLogout(r.Context(), v)
	}
	if pe != nil {
		s.renderError(w, pe)
		return
	}
	sess, ok := s.browserSession(r)
	if ok && sess.signedIn() {
		csrf, sent := v["csrf_token"]
		switch {
		case r.Method == http.MethodPost && sent:
			if !csrfOK(sess, csrf[0]) {
				s.renderError(w, &pageError{http.StatusForbidden, "Form expired",
					"The form's CSRF token does not belong to this browser session. Open " + PathLogout + " again."})
				return
			}
		case lr.Hint != nil && lr.Hint.SID != "" && lr.Hint.SID == sess.SID:
			// The hint is of this very sign-in: no page (RP-Initiated
			// Logout §2). A hint of an earlier sign-in, even of the same
			// user, asks first (docs/security.md rule 58).
		default:
			page := logoutPage{SignedIn: true, Username: sess.Username, CSRF: sess.CSRF, Redirect: lr.RedirectURI, State: lr.State}
			if lr.Client != nil {
				page.ClientID, page.ClientName = lr.Client.ID, lr.Client.Name
				if page.ClientName == "" {
					page.ClientName = lr.Client.ID
				}
			}
			s.render(w, http.StatusOK, "logout", "Sign out", page, pageOptions{FormTargets: cspSource(lr.RedirectURI)})
			return
		}
	}
	if ok {
		s.sessions.remove(r.Context(), sess.ID)
	}
	s.clearSessionCookie(w)
	switch {
	case lr.RedirectURI != "":
		s.redirectAfterLogout(w, r, lr)
	case r.Method == http.MethodPost:
		NoStore(w)
		w.Header().Set("Location", PathLogout)
		w.WriteHeader(http.StatusSeeOther)
	default:
		s.render(w, http.StatusOK, "logout", "Signed out", logoutPage{}, pageOptions{})
	}
}

// parseLogout validates the parameters of RP-Initiated Logout §2.
func (s *Server) parseLogout(ctx context.Context, v url.Values) (logoutRequest, *pageError) {
	bad := func(detail string) (logoutRequest, *pageError) {
		return logoutRequest{}, &pageError{http.StatusBadRequest, "Invalid logout request", detail + " No redirect was made."}
	}
	for name, vs := range v {
		if len(vs) > 1 {
			return bad("The parameter " + quoteShort(name) + " is repeated.")
		}
	}
	var lr logoutRequest
	clientID := v.Get("client_id")
	if raw := v.Get("id_token_hint"); raw != "" {
		hint, ok := s.verifyIDTokenHint(raw)
		if !ok {
			return bad("id_token_hint is not an ID token issued by this server (bad signature, issuer or type) (OpenID Connect RP-Initiated Logout section 2).")
		}
		lr.Hint = &hint
		switch {
		case clientID == "" && len(hint.Audience) == 1:
			clientID = hint.Audience[0]
		case clientID != "" && !slices.Contains(hint.Audience, clientID):
			return bad("client_id " + quoteShort(clientID) + " is not the audience of id_token_hint.")
		}
	}
	if clientID != "" {
		c, err := s.store.Clients().Get(ctx, clientID)
		if errors.Is(err, store.ErrNotFound) {
			return bad("No client " + quoteShort(clientID) + " is registered with this server.")
		}
		if err != nil {
			e := s.storeError(err)
			return logoutRequest{}, &pageError{e.Status, "Server unavailable", e.Description}
		}
		lr.Client = &c
	}
	if uri := v.Get("post_logout_redirect_uri"); uri != "" {
		switch {
		case lr.Client == nil:
			return bad("post_logout_redirect_uri needs client_id or id_token_hint to say whose it is (OpenID Connect RP-Initiated Logout section 2).")
		case !slices.Contains(lr.Client.PostLogoutRedirectURIs, uri):
			return bad("post_logout_redirect_uri " + quoteShort(uri) + " is not registered for client " + quoteShort(lr.Client.ID) +
				" (it must equal one of its post_logout_redirect_uris exactly).")
		}
		lr.RedirectURI, lr.State = uri, v.Get("state")
	}
	return lr, nil
}

// redirectAfterLogout sends the browser to the registered URI with state.
func (s *Server) redirectAfterLogout(w http.ResponseWriter, r *http.Request, lr logoutRequest) {
	loc := lr.RedirectURI
	if lr.State != "" {
		sep := "?"
		if strings.Contains(loc, "?") {
			sep = "&"
		}
		loc += sep + url.Values{"state": {lr.State}}.Encode()
	}
	NoStore(w)
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Location", loc)
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	w.WriteHeader(status)
}
