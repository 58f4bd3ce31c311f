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

// handleAuthorize is the authorization endpoint (RFC 6749 §3.1, §4.1.1,
// §4.2.1), GET or POST. An unknown client or a redirect URI that does not
// match gets an HTML page and never a redirect; every later error goes back
// to the client. Then the person signs in and consents, unless the session,
// a remembered consent, skip_consent or auto-approve make that unneeded.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		s.renderError(w, &pageError{http.StatusMethodNotAllowed, "Method not allowed", "The authorization endpoint answers GET and POST."})
		return
	}
	v, pe := authorizeParams(w, r)
	noteClient(r, v.Get("client_id"))
	noteScope(r, v.Get("scope"))
	if pe != nil {
		s.renderError(w, pe)
		return
	}
	var pushedErr *Error
	pushed := strings.HasPrefix(v.Get("request_uri"), RequestURIPrefix)
	if pushed { // RFC 9126 §4: the parameters are those pushed
		if v, pe, pushedErr = s.pushedParams(r.Context(), v); pe != nil {
			s.renderError(w, pe)
			return
		}
	} else if v.Has("request") { // RFC 9101 §6.3: the parameters are the signed ones
		var e *Error
		if v, e = s.requestObject(r.Context(), v); e != nil {
			s.renderError(w, requestObjectPage(e))
			return
		}
	}
	q, pe, e := s.validateAuthorize(r.Context(), v)
	if pe == nil && q != nil {
		q.Pushed = pushed
		if e == nil {
			e = pushedErr
		}
		if e == nil && !pushed && s.parRequired(q.Client) {
			e = NewError(ErrInvalidRequest, "client "+q.Client.ID+" must push its authorization requests to "+s.settings.Issuer+PathPAR+
				" and send the request_uri here (RFC 9126 §5, docs/security.md rule 100)")
		}
	}
	switch {
	case pe != nil:
		s.renderError(w, pe)
	case e != nil:
		s.redirectError(w, r, q.target(), e)
	default:
		if e := s.failAuthorize(r.Context(), q.Client.ID); e != nil { // ctl fail --endpoint authorize
			s.redirectError(w, r, q.target(), e)
			return
		}
		s.proceed(w, r, pendingAuth{Req: *q}, "")
	}
}

// proceed takes a validated request one step further: auto-approve, a login
// page, a consent page, or the answer. rid names the request stashed in the
// browser session ("" when it is not stashed yet).
func (s *Server) proceed(w http.ResponseWriter, r *http.Request, p pendingAuth, rid string) {
	q := &p.Req
	ctx := r.Context()
	if name, ok := s.control.takeLogin(q.Client.ID); ok { // ctl login-as
		user, err := s.store.Users().Get(ctx, name)
		if err != nil {
			s.redirectError(w, r, q.target(), s.loginAsError(name, err))
			return
		}
		if rid != "" {
			if sess, ok := s.browserSession(r); ok {
				s.sessions.takePending(ctx, sess.ID, rid)
			}
		}
		s.complete(w, r, q, user, s.now(), "")
		return
	}
	if q.Client.AutoApprove || s.settings.AutoApproveUser != "" {
		user, e := s.autoApproveUser(ctx, q)
		if e != nil {
			s.redirectError(w, r, q.target(), e)
			return
		}
		s.complete(w, r, q, user, s.now(), "")
		return
	}
	sess, ok := s.browserSession(r)
	var user store.User
	signedIn := ok && sess.signedIn()
	if signedIn {
		u, err := s.store.Users().GetBySubject(ctx, sess.Subject)
		switch {
		case errors.Is(err, store.ErrNotFound):
			signedIn = false // the user was removed
		case err != nil:
			s.redirectError(w, r, q.target(), s.storeError(err))
			return
		default:
			user = u
		}
	}
	if why := loginNeeded(p, sess, signedIn, s.now()); why != "" {
		if q.Prompt.None {
			s.redirectError(w, r, q.target(), NewError("login_required", why+" and prompt=none forbids the login page (OpenID Connect Core §3.1.2.6)"))
			return
		}
		s.sendTo(w, r, PathLogin, p, rid)
		return
	}
	remembered, err := s.consented(ctx, user.Subject, q.Client.ID, q.Scope)
	if err != nil {
		s.redirectError(w, r, q.target(), s.storeError(err))
		return
	}
	remembered = remembered && provableClient(q)
	if q.Prompt.Consent || (!q.Client.SkipConsent && !remembered) {
		if q.Prompt.None {
			s.redirectError(w, r, q.target(), NewError("consent_required", "the user has not consented to this client and scope and prompt=none forbids the consent page (OpenID Connect Core §3.1.2.6)"))
			return
		}
		s.sendTo(w, r, PathConsent, p, rid)
		return
	}
	if rid != "" {
		s.sessions.takePending(ctx, sess.ID, rid)
	}
	s.complete(w, r, q, user, sess.AuthTime, sess.SID)
}

// proceedAfterConsent answers a request the person has just allowed.
func (s *Server) proceedAfterConsent(w http.ResponseWriter, r *http.Request, sess session, p pendingAuth, rid string) {
	user, err := s.store.Users().GetBySubject(r.Context(), sess.Subject)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.redirectError(w, r, p.Req.target(), NewError(ErrAccessDenied, "the signed-in user no longer exists (RFC 6749 §4.1.2.1)"))
		} else {
			s.redirectError(w, r, p.Req.target(), s.storeError(err))
		}
		return
	}
	s.sessions.takePending(r.Context(), sess.ID, rid)
	s.complete(w, r, &p.Req, user, sess.AuthTime, sess.SID)
}

// sendTo stashes the request in the browser session (creating one if
// needed) and redirects the browser to a page of this server.
func (s *Server) sendTo(w http.ResponseWriter, r *http.Request, page string, p pendingAuth, rid string) {
	sess, ok := s.browserSession(r)
	if !ok {
		var err error
		if sess, err = s.sessions.create(r.Context()); err != nil {
			e := s.storeError(err)
			s.renderError(w, &pageError{e.Status, "Server unavailable", e.Description})
			return
		}
		s.setSessionCookie(w, sess)
	}
	if rid == "" {
		var err error
		switch rid, err = s.sessions.addPending(r.Context(), sess.ID, p); {
		case errors.Is(err, errSessionsFull):
			w.Header().Set("Retry-After", "10")
			s.renderError(w, &pageError{http.StatusServiceUnavailable, "Server busy",
				"Too many sign-ins are waiting on this server; try again in a few seconds."})
			return
		case err != nil && !errors.Is(err, errSessionGone):
			e := s.storeError(err)
			s.renderError(w, &pageError{e.Status, "Server unavailable", e.Description})
			return
		case err != nil:
			s.renderError(w, &pageError{http.StatusInternalServerError, "Session lost", "The browser session ended; start again from the application."})
			return
		}
	}
	NoStore(w)
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Location", page+"?"+url.Values{"request": {rid}}.Encode())
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	w.WriteHeader(status)
}

// autoApproveUser picks the user an auto-approved request is answered for:
// the subject of an id_token_hint (login_required if that user is gone),
// else the login_hint if it names a known user, else the server's
// --auto-approve user, else the only user there is.
func (s *Server) autoApproveUser(ctx context.Context, q *authzRequest) (store.User, *Error) {
	users := s.store.Users()
	if q.HintSubject != "" {
		u, err := users.GetBySubject(ctx, q.HintSubject)
		if errors.Is(err, store.ErrNotFound) {
			return store.User{}, NewError("login_required", "the user of id_token_hint no longer exists (OpenID Connect Core §3.1.2.6)")
		}
		if err != nil {
			return store.User{}, s.storeError(err)
		}
		return u, nil
	}
	if q.LoginHint != "" {
		u, err := users.Get(ctx, q.LoginHint)
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return store.User{}, s.storeError(err)
		}
	}
	if name := s.settings.AutoApproveUser; name != "" {
		u, err := users.Get(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			s.log.Error("the auto-approve user does not exist", "user", name)
			return store.User{}, NewError(ErrServerError, "the server's auto-approve user does not exist; see the server log")
		}
		if err != nil {
			return store.User{}, s.storeError(err)
		}
		return u, nil
	}
	all, err := users.List(ctx)
	if err != nil {
		return store.User{}, s.storeError(err)
	}
	if len(all) != 1 {
		return store.User{}, NewError("login_required", "client "+q.Client.ID+" is auto_approve but the server has "+strconv.Itoa(len(all))+
			" users: send login_hint=USERNAME, or start the server with --auto-approve USER")
	}
	return all[0], nil
}
