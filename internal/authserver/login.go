package authserver

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
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
// the request parameter.
func (s *Server) pendingOf(r *http.Request, rid string) (session, pendingAuth, bool) {
	sess, ok := s.browserSession(r)
	if !ok || rid == "" {
		return session{}, pendingAuth{}, false
	}
	p, ok := s.sessions.pending(sess.ID, rid)
	return sess, p, ok
}

// handleLogin is the login page: GET shows the form, POST checks the CSRF
// token and the password (throttled, docs/security.md rule 15), signs the
// browser session in and carries on with the authorization request.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		rid := r.URL.Query().Get("request")
		sess, p, ok := s.pendingOf(r, rid)
		if !ok {
			s.renderError(w, noRequestPage())
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
	sess, p, ok := s.pendingOf(r, rid)
	if !ok {
		s.renderError(w, noRequestPage())
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
	ip := clientIP(r)
	throttleKey := "\x00login:" + username
	if wait := s.throttle.blocked(throttleKey, ip); wait > 0 {
		s.renderLogin(w, http.StatusTooManyRequests, sess, p, rid, username,
			"Too many failed attempts. Wait "+strconv.Itoa(int(wait.Seconds()+1))+" seconds and try again.")
		return
	}
	user, err := s.store.Users().Get(r.Context(), username)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		e := s.storeError(err)
		s.renderError(w, &pageError{e.Status, "Server unavailable", e.Description})
		return
	}
	hash := s.dummyPasswordHash()
	if known {
		hash = user.PasswordHash
	}
	match, verr := hashing.VerifyPassword(hash, password)
	if verr != nil && known {
		s.log.Error("stored password hash is unusable", "user", username, "err", verr)
	}
	if !known || !match {
		s.throttle.fail(throttleKey, ip)
		s.log.Info("login failed", "client_id", p.Req.Client.ID)
		s.renderLogin(w, http.StatusUnauthorized, sess, p, rid, username, "Wrong username or password.")
		return
	}
	s.throttle.succeed(throttleKey, ip)
	newSess, ok := s.sessions.signIn(sess.ID, user.Username, user.Subject)
	if !ok {
		s.renderError(w, noRequestPage())
		return
	}
	s.setSessionCookie(w, newSess)
	s.sessions.markLogin(newSess.ID, rid)
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
