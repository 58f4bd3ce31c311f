package authserver

import (
	"errors"
	"net/http"
	"strconv"
)

// loginPage is what the login template shows.
type loginPage struct {
	ClientName, Notice, Error string
	CSRF, Request, Username   string
}

// noRequestPage is the page for a /login or /consent without a live
// request of this browser.
func noRequestPage() *pageError {
	return &pageError{http.StatusBadRequest, "No sign-in in progress",
		"This page belongs to an authorization request that has expired, was answered, or was started in another browser. Go back to the application and start again."}
}

// pendingOf returns the browser session and the waiting request named by
// the request parameter, else the page to show: none in progress, or the
// store failed (503).
func (s *Server) pendingOf(r *http.Request, rid string) (session, pendingAuth, *pageError) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || rid == "" {
		return session{}, pendingAuth{}, noRequestPage()
	}
	sess, ok, err := s.sessions.get(r.Context(), c.Value)
	var p pendingAuth
	if ok && err == nil {
		p, ok, err = s.sessions.pending(r.Context(), sess.ID, rid)
	}
	switch {
	case err != nil:
		e := s.storeError(err)
		return session{}, pendingAuth{}, &pageError{e.Status, "Server unavailable", e.Description}
	case !ok:
		return session{}, pendingAuth{}, noRequestPage()
	}
	return sess, p, nil
}

// handleLogin is the login page: GET shows the form, POST checks the CSRF
// token and the password (throttled, docs/security.md rule 15), signs the
// browser session in and carries on with the authorization request.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		rid := r.URL.Query().Get("request")
		sess, p, pe := s.pendingOf(r, rid)
		if pe != nil {
			s.renderError(w, pe)
			return
		}
		s.renderLogin(w, http.StatusOK, sess, p, rid, p.Req.LoginHint, "")
	case http.MethodPost:
		s.postLogin(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		s.renderError(w, &pageError{http.StatusMethodNotAllowed, "Method not allowed", "The login page answers GET and POST."})
	}
}

func (s *Server) renderLogin(w http.ResponseWriter, status int, sess session, p pendingAuth, rid, username, msg string) {
	name := p.Req.Client.Name
	if name == "" {
		name = p.Req.Client.ID
	}
	s.render(w, status, "login", "Sign in", loginPage{ClientName: name, Notice: s.settings.LoginNotice, Error: msg,
		CSRF: sess.CSRF, Request: rid, Username: username},
		pageOptions{FormTargets: cspSource(p.Req.RedirectURI)})
}

func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) {
	form, pe := readPageFormOnce(w, r)
	if pe != nil {
		s.renderError(w, pe)
		return
	}
	rid := form.Get("request")
	sess, p, pe := s.pendingOf(r, rid)
	if pe != nil {
		s.renderError(w, pe)
		return
	}
	if !csrfOK(sess, form.Get("csrf_token")) {
		s.renderError(w, &pageError{http.StatusForbidden, "Form expired",
			"The form's CSRF token does not belong to this browser session (RFC 6749 §10.12). Go back to the application and start again."})
		return
	}
	username, password := form.Get("username"), form.Get("password")
	if username == "" || password == "" {
		s.renderLogin(w, http.StatusBadRequest, sess, p, rid, username, "Enter your username and password.")
		return
	}
	user, err := s.checkPassword(r.Context(), username, password, clientIP(r))
	var te throttledError
	switch {
	case errors.As(err, &te):
		w.Header().Set("Retry-After", strconv.Itoa(int(te.wait.Seconds())+1))
		s.renderLogin(w, http.StatusTooManyRequests, sess, p, rid, username,
			"Too many failed attempts. Wait "+strconv.Itoa(int(te.wait.Seconds()+1))+" seconds and try again.")
		return
	case errors.Is(err, errHashBusy):
		w.Header().Set("Retry-After", strconv.Itoa(hashBusyRetryAfter))
		s.renderLogin(w, http.StatusServiceUnavailable, sess, p, rid, username,
			"The server is busy checking other passwords. Wait a second and sign in again.")
		return
	case errors.Is(err, errWrongPassword):
		s.log.Info("login failed", "client_id", p.Req.Client.ID)
		s.renderLogin(w, http.StatusUnauthorized, sess, p, rid, username, "Wrong username or password.")
		return
	case err != nil:
		e := s.storeError(err)
		s.renderError(w, &pageError{e.Status, "Server unavailable", e.Description})
		return
	}
	if p.Req.HintSubject != "" && user.Subject != p.Req.HintSubject {
		s.renderLogin(w, http.StatusForbidden, sess, p, rid, "",
			"The application asked for another account (id_token_hint). Sign in as that user, or go back to the application.")
		return
	}
	newSess, ok := s.sessions.signIn(r.Context(), sess.ID, user.Username, user.Subject)
	if !ok {
		s.renderError(w, noRequestPage())
		return
	}
	s.setSessionCookie(w, newSess)
	s.sessions.markLogin(r.Context(), newSess.ID, rid)
	p.LoginDone = true
	s.proceed(w, withSession(r, newSess), p, rid)
}

// withSession returns r carrying only the given session cookie, so the rest
// of this request sees the rotated session.
func withSession(r *http.Request, sess session) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Header.Del("Cookie")
	r2.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.ID})
	return r2
}
