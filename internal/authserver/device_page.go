package authserver

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// The verification page of the device grant (RFC 8628 §3.3): a person
// types the user code shown on the device, then signs in and consents on
// the same pages, under the same rules, as for /authorize; the decision is
// recorded for the device's next poll. verification_uri_complete only
// fills the field in: the person still confirms the code (RFC 8628 §5.4,
// docs/security.md rule 81). Wrong codes are throttled per browser session
// and source address (RFC 8628 §5.1, rule 79).

// devicePage is what the device template shows.
type devicePage struct {
	Action, CSRF, UserCode, Error string
	Prefilled                     bool
}

// deviceDonePage is what the device_done template shows.
type deviceDonePage struct {
	Heading, Message string
	Approved         bool
}

// handleVerification is the verification_uri: the device page lives
// under the session cookie's Path (docs/security.md rule 39), so this
// short address redirects there, with its user_code.
func (s *Server) handleVerification(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.renderError(w, &pageError{http.StatusMethodNotAllowed, "Method not allowed", "The device page answers GET."})
		return
	}
	loc := PathDevice
	if code := r.URL.Query().Get("user_code"); code != "" && len(code) <= 64 {
		loc += "?" + url.Values{"user_code": {code}}.Encode()
	}
	NoStore(w)
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
}

// handleDevicePage is the page where the user code is entered: GET shows
// the form (starting a browser session for its CSRF token), POST checks
// the code and goes on to the login and consent pages.
func (s *Server) handleDevicePage(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
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
		typed := r.URL.Query().Get("user_code")
		if len(typed) > 64 {
			typed = ""
		}
		if code, ok := NormalizeUserCode(typed); ok {
			typed = formatUserCode(code)
		}
		s.renderDevice(w, http.StatusOK, sess, typed, "")
	case http.MethodPost:
		s.postDevice(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		s.renderError(w, &pageError{http.StatusMethodNotAllowed, "Method not allowed", "The device page answers GET and POST."})
	}
}

func (s *Server) renderDevice(w http.ResponseWriter, status int, sess session, typed, msg string) {
	s.render(w, status, "device", "Connect a device", devicePage{Action: PathDevice, CSRF: sess.CSRF, UserCode: typed,
		Error: msg, Prefilled: typed != "" && msg == ""}, pageOptions{})
}

func (s *Server) postDevice(w http.ResponseWriter, r *http.Request) {
	form, pe := readPageFormOnce(w, r)
	if pe != nil {
		s.renderError(w, pe)
		return
	}
	sess, ok := s.browserSession(r)
	if !ok || !csrfOK(sess, form.Get("csrf_token")) {
		s.renderError(w, &pageError{http.StatusForbidden, "Form expired",
			"The form's CSRF token does not belong to this browser session (RFC 6749 §10.12). Open the device page again and enter the code."})
		return
	}
	typed := form.Get("user_code")
	if len(typed) > 64 {
		typed = typed[:64]
	}
	code, ok := NormalizeUserCode(typed)
	if !ok {
		s.renderDevice(w, http.StatusBadRequest, sess, typed,
			"Enter the code your device shows: 8 letters, like BCDF-GHJK.")
		return
	}
	ip := clientIP(r)
	key := "session:" + sess.ID
	if wait := s.deviceGuesses.attempt(key, ip); wait > 0 {
		secs := strconv.Itoa(int(wait.Seconds()) + 1)
		w.Header().Set("Retry-After", secs)
		s.renderDevice(w, http.StatusTooManyRequests, sess, typed,
			"Too many wrong codes. Wait "+secs+" seconds and try again (RFC 8628 §5.1).")
		return
	}
	d, hash, err := s.deviceByUserCode(r, code)
	var msg string
	switch {
	case errors.Is(err, store.ErrNotFound):
		msg = "That code is not valid. Check the code on your device and enter it again."
	case err != nil:
		s.deviceGuesses.cancel(key, ip)
		e := s.storeError(err)
		s.renderError(w, &pageError{e.Status, "Server unavailable", e.Description})
		return
	case !s.now().Before(d.ExpiresAt):
		msg = "That code has expired. Start again on your device to get a new one."
	case d.Status != store.DeviceStatusPending:
		msg = "That code was already used. Start again on your device to get a new one."
	}
	if msg != "" {
		s.deviceGuesses.failed(key, ip)
		s.renderDevice(w, http.StatusBadRequest, sess, typed, msg)
		return
	}
	s.deviceGuesses.succeed(key, ip)
	client, err := s.store.Clients().Get(r.Context(), d.ClientID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.renderDevice(w, http.StatusBadRequest, sess, typed, "The application of that code is no longer registered.")
			return
		}
		e := s.storeError(err)
		s.renderError(w, &pageError{e.Status, "Server unavailable", e.Description})
		return
	}
	q := authzRequest{Client: client, Scope: d.Scope, MaxAge: -1, Device: hash, UserCode: formatUserCode(code)}
	s.proceed(w, r, pendingAuth{Req: q}, "")
}

// deviceByUserCode finds the device authorization of a normalized user
// code, and the hash it is stored under.
func (s *Server) deviceByUserCode(r *http.Request, code string) (store.DeviceCode, string, error) {
	err := store.ErrNotFound
	for _, h := range s.userCodeHashes(code) {
		var d store.DeviceCode
		if d, err = s.store.DeviceCodes().GetByUserCode(r.Context(), h); err == nil {
			return d, h, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			break
		}
	}
	return store.DeviceCode{}, "", err
}

// deviceApproved records the approval of a device authorization once the
// person has signed in and consented (complete calls it in place of
// issuing a code); the device's next poll gets the tokens.
func (s *Server) deviceApproved(w http.ResponseWriter, r *http.Request, q *authzRequest, user store.User, authTime time.Time, sid string) {
	_, err := s.store.DeviceCodes().Decide(r.Context(), q.Device, store.DeviceDecision{Approve: true,
		Subject: user.Subject, AuthTime: authTime, SessionID: sid, Now: s.now()})
	if pe := s.decisionFailed(err); pe != nil {
		s.renderError(w, pe)
		return
	}
	s.log.Info("device authorization approved", "client_id", q.Client.ID)
	s.render(w, http.StatusOK, "device_done", "Device connected", deviceDonePage{Approved: true,
		Heading: "Device connected", Message: "You allowed the device to use your account. You can close this window and return to your device."}, pageOptions{})
}

// deviceRefused answers a device request whose approval failed: a denial
// (access_denied) is recorded for the device's next poll; any other error
// is shown, and the device keeps waiting until its code expires.
func (s *Server) deviceRefused(w http.ResponseWriter, r *http.Request, t authzTarget, e *Error) {
	noteError(w, e.Code)
	if e.Code != ErrAccessDenied {
		s.renderError(w, &pageError{e.Status, "Request failed", e.Description})
		return
	}
	_, err := s.store.DeviceCodes().Decide(r.Context(), t.Device, store.DeviceDecision{Now: s.now()})
	if pe := s.decisionFailed(err); pe != nil {
		s.renderError(w, pe)
		return
	}
	s.log.Info("device authorization denied", "client_id", t.ClientID)
	s.render(w, http.StatusOK, "device_done", "Access denied", deviceDonePage{
		Heading: "Access denied", Message: "You denied the device access to your account. It will be told so the next time it asks."}, pageOptions{})
}

// decisionFailed turns a failed Decide into the page to show; nil if it
// succeeded.
func (s *Server) decisionFailed(err error) *pageError {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrExpired):
		return &pageError{http.StatusBadRequest, "Code expired", "The code expired before you answered (RFC 8628 §3.5). Start again on your device to get a new one."}
	case errors.Is(err, store.ErrAlreadyUsed):
		return &pageError{http.StatusConflict, "Already answered", "This code was answered already, maybe in another window. Start again on your device if it is still waiting."}
	case errors.Is(err, store.ErrNotFound):
		return &pageError{http.StatusBadRequest, "Code expired", "This code no longer exists. Start again on your device to get a new one."}
	}
	e := s.storeError(err)
	return &pageError{e.Status, "Server unavailable", e.Description}
}
