package control

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
)

// What stays set until reset (claims, clock) or for the life of the
// process (keys, revocations), and the snapshot of it all (state, reset).

func (h *handler) claims(w http.ResponseWriter, r *http.Request) {
	var req ClaimsRequest
	if !readJSON(w, r, &req) {
		return
	}
	rule := authserver.ClaimsRule{User: req.User, ClientID: req.ClientID, Claims: req.Claims}
	for _, in := range req.In {
		switch in {
		case InAccessToken:
			rule.AccessToken = true
		case InIDToken:
			rule.IDToken = true
		case InUserinfo:
			rule.Userinfo = true
		default:
			refuse(w, fmt.Errorf("in %q: use %s, %s or %s", in, InAccessToken, InIDToken, InUserinfo))
			return
		}
	}
	if err := h.ctl.SetClaims(r.Context(), rule); err != nil {
		refuse(w, err)
		return
	}
	if len(req.In) == 0 {
		req.In = []string{InAccessToken, InIDToken, InUserinfo}
	}
	req.In = slices.Compact(req.In)
	writeJSON(w, http.StatusOK, claimsAnswer{Set: req})
}

func (h *handler) clockState() ClockState {
	return ClockState{Skew: h.ctl.Skew().String(), Now: h.ctl.Now().Format(time.RFC3339)}
}

func (h *handler) clock(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, h.clockState())
}

func (h *handler) setClock(w http.ResponseWriter, r *http.Request) {
	var req ClockRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Skew == "" {
		refuse(w, errors.New(`skew: give a duration such as 1h or -30m ("0s" resets the clock)`))
		return
	}
	d, err := parseDuration("skew", req.Skew)
	if err == nil {
		err = h.ctl.SetSkew(d)
	}
	if err != nil {
		refuse(w, err)
		return
	}
	writeJSON(w, http.StatusOK, h.clockState())
}

func (h *handler) rotateKeys(w http.ResponseWriter, r *http.Request) {
	var req RotateKeysRequest
	if !readJSON(w, r, &req) {
		return
	}
	k, err := h.ctl.RotateKeys(req.Alg)
	if err != nil {
		refuse(w, err)
		return
	}
	writeJSON(w, http.StatusOK, keyInfo(k))
}

func (h *handler) retireKey(w http.ResponseWriter, r *http.Request) {
	var req RetireKeyRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.KID == "" {
		refuse(w, errors.New("kid: name the key to retire (GET keys lists them)"))
		return
	}
	if err := h.ctl.RetireKey(req.KID); err != nil {
		refuse(w, err)
		return
	}
	writeJSON(w, http.StatusOK, retireAnswer{Retired: req.KID})
}

func (h *handler) keys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, keysAnswer{Keys: keyInfos(h.ctl.State().Keys)})
}

func keyInfo(k authserver.KeyInfo) KeyInfo {
	return KeyInfo{KID: k.KID, Alg: k.Alg, Signing: k.Signing}
}

func keyInfos(ks []authserver.KeyInfo) []KeyInfo {
	out := make([]KeyInfo, 0, len(ks))
	for _, k := range ks {
		out = append(out, keyInfo(k))
	}
	return out
}

func (h *handler) revoke(w http.ResponseWriter, r *http.Request) {
	var req RevokeRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.At != "" {
		refuse(w, errors.New("at: set by the server, not by the caller"))
		return
	}
	rev, err := h.ctl.Revoke(r.Context(), authserver.Revocation{All: req.All, ClientID: req.ClientID, User: req.User})
	if err != nil {
		refuse(w, err)
		return
	}
	writeJSON(w, http.StatusOK, revokeAnswer{Revoked: revocation(rev)})
}

func revocation(r authserver.Revocation) RevokeRequest {
	return RevokeRequest{All: r.All, ClientID: r.ClientID, User: r.User, At: r.At.Format(time.RFC3339Nano)}
}

func (h *handler) reset(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength != 0 {
		var empty struct{}
		if !readJSON(w, r, &empty) {
			return
		}
	}
	h.ctl.Reset()
	writeJSON(w, http.StatusOK, resetAnswer{Reset: true})
}

func (h *handler) state(w http.ResponseWriter, _ *http.Request) {
	st := h.ctl.State()
	out := State{Skew: st.Skew.String(), Failures: []FailRequest{}, Tampers: []TamperRequest{}, Logins: []LoginAsRequest{},
		Claims: []ClaimsRequest{}, Revoked: []RevokeRequest{}, Keys: keyInfos(st.Keys), Requests: st.Requests}
	for _, f := range st.Failures {
		x := FailRequest{Endpoint: f.Endpoint, Error: f.Error, ErrorDescription: f.Description, Status: f.Status,
			ClientID: f.ClientID, Times: f.Times}
		if f.Delay != 0 {
			x.Delay = f.Delay.String()
		}
		out.Failures = append(out.Failures, x)
	}
	for _, t := range st.Tampers {
		out.Tampers = append(out.Tampers, TamperRequest{Kind: string(t.Kind), ClientID: t.ClientID, Times: t.Times})
	}
	for _, l := range st.Logins {
		out.Logins = append(out.Logins, LoginAsRequest{User: l.User, ClientID: l.ClientID, Times: l.Times})
	}
	for _, c := range st.Claims {
		x := ClaimsRequest{User: c.User, ClientID: c.ClientID, Claims: c.Claims}
		for _, in := range []struct {
			on   bool
			name string
		}{{c.AccessToken, InAccessToken}, {c.IDToken, InIDToken}, {c.Userinfo, InUserinfo}} {
			if in.on {
				x.In = append(x.In, in.name)
			}
		}
		out.Claims = append(out.Claims, x)
	}
	for _, r := range st.Revoked {
		out.Revoked = append(out.Revoked, revocation(r))
	}
	writeJSON(w, http.StatusOK, out)
}
