package control

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
)

// The queued behaviours: fail, tamper, login-as.

// scope checks the wire's client and times and returns the core's Scope.
func scope(clientID string, times int) (authserver.Scope, error) {
	if times < TimesAlways {
		return authserver.Scope{}, fmt.Errorf("times %d: use a count, 0 for once, or -1 for every matching request until reset", times)
	}
	return authserver.Scope{ClientID: clientID, Times: times}, nil
}

// queuedTimes is what a queued entry's times reads as on the wire.
func queuedTimes(times int) int {
	switch {
	case times == 0:
		return 1
	case times < 0:
		return TimesAlways
	}
	return times
}

// parseDuration reads a Go duration string of a field ("" is 0).
func parseDuration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s %q: use a Go duration such as 2s, 250ms, 1h or -30m", field, s)
	}
	return d, nil
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request) {
	var req FailRequest
	if !readJSON(w, r, &req) {
		return
	}
	sc, err := scope(req.ClientID, req.Times)
	if err != nil {
		refuse(w, err)
		return
	}
	delay, err := parseDuration("delay", req.Delay)
	if err != nil {
		refuse(w, err)
		return
	}
	if req.Endpoint == "" {
		refuse(w, errors.New("endpoint: name the endpoint to fail (token, authorize, introspect, revoke, userinfo, jwks, discovery, device_authorization)"))
		return
	}
	f := authserver.Failure{Scope: sc, Endpoint: req.Endpoint, Error: req.Error, Description: req.ErrorDescription,
		Status: req.Status, Delay: delay}
	if err := h.ctl.Fail(f); err != nil {
		refuse(w, err)
		return
	}
	req.Times = queuedTimes(req.Times)
	if delay != 0 {
		req.Delay = delay.String()
	}
	writeJSON(w, http.StatusOK, failAnswer{Queued: req})
}

func (h *handler) tamper(w http.ResponseWriter, r *http.Request) {
	var req TamperRequest
	if !readJSON(w, r, &req) {
		return
	}
	sc, err := scope(req.ClientID, req.Times)
	if err != nil {
		refuse(w, err)
		return
	}
	if err := h.ctl.Tamper(authserver.Tamper{Scope: sc, Kind: authserver.TamperKind(req.Kind)}); err != nil {
		refuse(w, err)
		return
	}
	req.Times = queuedTimes(req.Times)
	writeJSON(w, http.StatusOK, tamperAnswer{Queued: req})
}

func (h *handler) loginAs(w http.ResponseWriter, r *http.Request) {
	var req LoginAsRequest
	if !readJSON(w, r, &req) {
		return
	}
	sc, err := scope(req.ClientID, req.Times)
	if err != nil {
		refuse(w, err)
		return
	}
	if req.User == "" {
		refuse(w, errors.New("user: name the user to log in as"))
		return
	}
	if err := h.ctl.LoginAs(r.Context(), req.User, sc); err != nil {
		refuse(w, err)
		return
	}
	req.Times = queuedTimes(req.Times)
	writeJSON(w, http.StatusOK, loginAnswer{Queued: req})
}
