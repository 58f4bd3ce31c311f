// Package control is the HTTP face of authserver.Control: the handler that
// `oauthkit serve --control` mounts at $ISSUER/_oauthkit/control/, and the
// Go client that `oauthkit ctl` uses (docs/control.md). JSON in, JSON out;
// every call needs the control token as a Bearer token.
package control

import (
	"net/http"
	"sort"
	"strings"

	"github.com/oauthkit/oauthkit/internal/authserver"
)

// route is one operation: its handlers by method.
type route map[string]http.HandlerFunc

// handler serves the control API.
type handler struct {
	ctl    *authserver.Control
	token  []byte
	routes map[string]route // by the path after authserver.ControlPathPrefix
}

// NewHandler returns the control API for ctl, guarded by token (which must
// not be empty: it panics otherwise, as serving the API unguarded would be
// a hole). Mount it at authserver.ControlPathPrefix.
func NewHandler(ctl *authserver.Control, token string) http.Handler {
	if token == "" {
		panic("control: NewHandler needs a token")
	}
	h := &handler{ctl: ctl, token: []byte(token)}
	h.routes = map[string]route{
		"fail":        {http.MethodPost: h.fail},
		"tamper":      {http.MethodPost: h.tamper},
		"login-as":    {http.MethodPost: h.loginAs},
		"claims":      {http.MethodPost: h.claims},
		"clock":       {http.MethodGet: h.clock, http.MethodPost: h.setClock},
		"rotate-keys": {http.MethodPost: h.rotateKeys},
		"retire-key":  {http.MethodPost: h.retireKey},
		"keys":        {http.MethodGet: h.keys},
		"revoke":      {http.MethodPost: h.revoke},
		"requests":    {http.MethodGet: h.requests, http.MethodDelete: h.clearRequests},
		"reset":       {http.MethodPost: h.reset},
		"state":       {http.MethodGet: h.state},
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	authserver.NoStore(w)
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oauthkit-control"`)
		writeError(w, http.StatusUnauthorized, "unauthorized",
			"the control API needs Authorization: Bearer <control token> (the token file that oauthkit serve --control names)")
		return
	}
	op, found := strings.CutPrefix(r.URL.Path, authserver.ControlPathPrefix)
	rt, ok := h.routes[op]
	if !found || !ok {
		writeError(w, http.StatusNotFound, "not_found", "no control operation at "+r.URL.Path+"; see docs/control.md")
		return
	}
	fn, ok := rt[r.Method]
	if !ok {
		methods := make([]string, 0, len(rt))
		for m := range rt {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		w.Header().Set("Allow", strings.Join(methods, ", "))
		writeError(w, http.StatusMethodNotAllowed, "invalid_request", r.Method+" is not allowed here; use "+strings.Join(methods, " or "))
		return
	}
	if r.Method != http.MethodPost && r.ContentLength > 0 {
		writeError(w, http.StatusBadRequest, "invalid_request", r.Method+" takes no body")
		return
	}
	if r.Method != http.MethodGet && r.URL.RawQuery != "" {
		// Query parameters filter a GET; a POST says it all in its JSON body.
		writeError(w, http.StatusBadRequest, "invalid_request", "query parameters are not read by "+r.Method+"; send a JSON body")
		return
	}
	fn(w, r)
}
