package authserver

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/clientauth"
)

// injectFailures answers the requests a queued Failure matches, before
// they reach their endpoint: nothing is consumed or issued. At /authorize
// only delays and plain statuses are answered here; an OAuth error goes
// back to the client's redirect URI once the request is validated
// (failAuthorize).
func (s *Server) injectFailures(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ep := endpointOf(r.URL.Path)
		queued, byClient := s.control.wantsFailure(ep)
		if !queued {
			next.ServeHTTP(w, r)
			return
		}
		clientID, peeked := "", false
		var form url.Values
		if byClient {
			clientID, form, r = peekRequest(r)
			peeked = true
			if ep == EndpointUserinfo { // it names its client only through the access token
				clientID = s.bearerClientID(r)
			}
		}
		f, ok := s.control.takeFailure(ep, clientID, func(f Failure) bool {
			return ep != EndpointAuthorize || f.Error == ""
		})
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if !peeked { // the request log still names the client, grant and scope of an injected answer
			clientID, form, r = peekRequest(r)
		}
		if clientID != "" {
			noteClient(r, clientID)
		}
		if n, ok := r.Context().Value(eventNoteKey{}).(*eventNote); ok && ep == EndpointToken {
			n.grantType = capField(form.Get("grant_type")) // noteGrant wants the mux's pattern, not set yet
		}
		if ep == EndpointToken || ep == EndpointAuthorize {
			noteScope(r, form.Get("scope"))
		}
		if !sleepCtx(r.Context(), f.Delay) {
			return // the client went away
		}
		if f.Error == "" && f.Status == 0 {
			next.ServeHTTP(w, r)
			return
		}
		writeFailure(w, ep, f)
	})
}

// writeFailure writes an injected failure in the endpoint's way.
func writeFailure(w http.ResponseWriter, ep string, f Failure) {
	if f.Error == "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		NoStore(w)
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, "oauthkit: HTTP "+strconv.Itoa(f.Status)+" injected by the control API\n")
		return
	}
	e := &Error{Code: f.Error, Description: f.Description, Status: f.Status}
	if e.Status == 0 {
		e.Status = statusFor(f.Error)
	}
	if e.Description == "" {
		e.Description = "failure injected by the control API"
	}
	if ep == EndpointUserinfo || ep == EndpointProtected {
		WriteBearerError(w, e)
		return
	}
	WriteError(w, e)
}

// failAuthorize returns the OAuth error a queued failure gives a validated
// authorization request of the client, or nil.
func (s *Server) failAuthorize(ctx context.Context, clientID string) *Error {
	f, ok := s.control.takeFailure(EndpointAuthorize, clientID, func(f Failure) bool { return f.Error != "" })
	if !ok {
		return nil
	}
	if !sleepCtx(ctx, f.Delay) {
		return nil
	}
	desc := f.Description
	if desc == "" {
		desc = "failure injected by the control API"
	}
	return &Error{Code: f.Error, Description: desc, Status: http.StatusFound}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// bearerClientID is the client of the live access token a userinfo
// request presents in its Authorization header; "" for none.
func (s *Server) bearerClientID(r *http.Request) string {
	value, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return ""
	}
	rec, live, err := s.activeAccessToken(r.Context(), value)
	if err != nil || !live {
		return ""
	}
	return rec.ClientID
}

// peekRequest reads a request's parameters (the form body of a POST, else
// the query) and the client it names (as client authentication reads it,
// else its client_id), and returns the request with its body intact for the
// endpoint.
func peekRequest(r *http.Request) (clientID string, form url.Values, _ *http.Request) {
	form = r.URL.Query()
	if r.Body != nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		r2 := r.Clone(r.Context())
		r2.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		r = r2
		if err == nil && r.Method == http.MethodPost {
			form, _ = url.ParseQuery(string(body))
		}
	}
	if creds, err := clientauth.FromRequest(r, form); err == nil {
		return creds.ClientID, form, r
	}
	return form.Get("client_id"), form, r
}
