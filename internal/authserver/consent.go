package authserver

import (
	"net/http"
	"strings"
)

// consentPage is what the consent template shows.
type consentPage struct {
	ClientName, ClientID, Username string
	Scopes                         []scopeLine
	RedirectTo                     string
	CSRF, Request                  string
	UserCode                       string // of a device authorization, "" for /authorize
}

type scopeLine struct{ Name, Description string }

// handleConsent is the consent page: GET shows the client, the scopes with
// their descriptions and Allow / Deny; POST (CSRF-checked) remembers an
// Allow and answers the client, or sends access_denied for a Deny.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		rid := r.URL.Query().Get("request")
		sess, p, pe := s.pendingOf(r, rid)
		if pe == nil && !sess.signedIn() {
			pe = noRequestPage()
		}
		if pe != nil {
			s.renderError(w, pe)
			return
		}
		if s.signInMissing(w, r, sess, p, rid) {
			return
		}
		s.renderConsent(w, sess, p, rid)
	case http.MethodPost:
		s.postConsent(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		s.renderError(w, &pageError{http.StatusMethodNotAllowed, "Method not allowed", "The consent page answers GET and POST."})
	}
}

func (s *Server) renderConsent(w http.ResponseWriter, sess session, p pendingAuth, rid string) {
	c := p.Req.Client
	page := consentPage{ClientName: c.Name, ClientID: c.ID, Username: sess.Username,
		RedirectTo: redirectShown(p.Req.RedirectURI), CSRF: sess.CSRF, Request: rid, UserCode: p.Req.UserCode}
	if page.ClientName == "" {
		page.ClientName = c.ID
	}
	for _, sc := range strings.Fields(p.Req.Scope) {
		page.Scopes = append(page.Scopes, scopeLine{Name: sc, Description: s.settings.ScopeDescriptions[sc]})
	}
	s.render(w, http.StatusOK, "consent", "Allow access?", page, pageOptions{FormTargets: cspSource(p.Req.RedirectURI)})
}

// signInMissing sends the browser to the login page, and reports true,
// when the sign-in this request demanded (prompt=login, max_age,
// id_token_hint) has not happened: the consent page cannot stand in for it
// (OpenID Connect Core §3.1.2.1, docs/security.md rule 47).
func (s *Server) signInMissing(w http.ResponseWriter, r *http.Request, sess session, p pendingAuth, rid string) bool {
	if loginNeeded(p, sess, true, s.now()) == "" {
		return false
	}
	s.sendTo(w, r, PathLogin, p, rid)
	return true
}

// redirectShown is the redirect URI without its query, for the page.
func redirectShown(uri string) string {
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		return uri[:i]
	}
	return uri
}

func (s *Server) postConsent(w http.ResponseWriter, r *http.Request) {
	form, pe := readPageFormOnce(w, r)
	if pe != nil {
		s.renderError(w, pe)
		return
	}
	rid := form.Get("request")
	sess, p, pe := s.pendingOf(r, rid)
	if pe == nil && !sess.signedIn() {
		pe = noRequestPage()
	}
	if pe != nil {
		s.renderError(w, pe)
		return
	}
	if s.signInMissing(w, r, sess, p, rid) {
		return
	}
	if !csrfOK(sess, form.Get("csrf_token")) {
		s.renderError(w, &pageError{http.StatusForbidden, "Form expired",
			"The form's CSRF token does not belong to this browser session (RFC 6749 §10.12). Go back to the application and start again."})
		return
	}
	switch form.Get("decision") {
	case "allow":
		s.rememberConsent(r.Context(), sess.Subject, p.Req.Client.ID, p.Req.Scope)
		s.proceedAfterConsent(w, r, sess, p, rid)
	case "deny":
		s.sessions.takePending(r.Context(), sess.ID, rid)
		s.redirectError(w, r, p.Req.target(), NewError(ErrAccessDenied, "the user denied the request (RFC 6749 §4.1.2.1)"))
	default:
		s.renderError(w, &pageError{http.StatusBadRequest, "Invalid form", "decision must be allow or deny."})
	}
}
