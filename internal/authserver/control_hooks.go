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
		clientID := ""
		if byClient {
			clientID, r = peekClientID(r)
		}
		f, ok := s.control.takeFailure(ep, clientID, func(f Failure) bool {
			return ep != EndpointAuthorize || f.Error == ""
		})
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if clientID != "" {
			noteClient(r, clientID)
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

// peekClientID finds the client a request names — HTTP Basic user name,
// else client_id in the query or the form body — and returns the request
// with its body intact for the endpoint.
func peekClientID(r *http.Request) (string, *http.Request) {
	if user, _, ok := r.BasicAuth(); ok {
		if id, err := url.QueryUnescape(user); err == nil { // RFC 6749 §2.3.1
			return id, r
		}
		return user, r
	}
	if id := r.URL.Query().Get("client_id"); id != "" {
		return id, r
	}
	if r.Body == nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return "", r
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	r2 := r.Clone(r.Context())
	r2.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	if err != nil {
		return "", r2
	}
	v, _ := url.ParseQuery(string(body))
	return v.Get("client_id"), r2
}
