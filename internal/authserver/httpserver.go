// Package authserver holds the HTTP side of `oauthkit serve`: one file per
// endpoint and per grant, RFC-shaped errors, and the middleware every
// request passes through. It knows nothing of Cobra or the terminal.
package authserver

import (
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"time"
)

// Limits on what a client may send (docs/security.md rules 12, 36, 37).
const (
	MaxBodyBytes      = 64 << 10 // form bodies of /token, /introspect, /revoke, /authorize
	MaxHeaderBytes    = 16 << 10
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	WriteTimeout      = 30 * time.Second
	IdleTimeout       = 60 * time.Second
)

// NewHTTPServer returns an http.Server with every timeout set, so slow-loris
// connections cannot hold the server (docs/security.md rule 36).
func NewHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// Middleware wraps every request: a panic becomes a JSON server_error (never
// a stack trace to the client), and each request is logged without secrets:
// method, path (no query string: it may carry codes or tokens), status, time,
// and the client, grant type and error code the handlers noted (Event).
func Middleware(next http.Handler, logger *slog.Logger, now func() time.Time) http.Handler {
	return observe(next, logger, now, nil)
}

// observe is Middleware that also hands each request's Event to onEvent
// (when not nil) once it is answered.
func observe(next http.Handler, logger *slog.Logger, now func() time.Time, onEvent func(Event)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := now()
		rec, r := record(w, r)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				if rec.status == 0 {
					WriteError(rec, NewError(ErrServerError, "internal error; see the server log"))
				}
			}
			ev := rec.event(r, start, now())
			logEvent(logger, ev)
			if onEvent != nil {
				onEvent(ev)
			}
		}()
		if headerSize(r) > MaxHeaderBytes {
			// net/http itself allows 4 KiB of slack over MaxHeaderBytes.
			WriteError(rec, &Error{Code: ErrInvalidRequest, Status: http.StatusRequestHeaderFieldsTooLarge,
				Description: "request headers larger than 16 KiB"})
			return
		}
		next.ServeHTTP(rec, r)
	})
}

// headerSize is the size of r's request line and header fields as sent
// (each line with its CRLF).
func headerSize(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4 + len("Host: ") + len(r.Host) + 2
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// ParseForm reads an application/x-www-form-urlencoded POST body of at most
// MaxBodyBytes. Parameters in the query string are not merged in: for the
// token, introspection and revocation endpoints the body is the only source
// (docs/security.md rule 12). A repeated parameter is an invalid_request (rule 5).
func ParseForm(w http.ResponseWriter, r *http.Request) (map[string]string, *Error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, &Error{Code: ErrInvalidRequest, Status: http.StatusMethodNotAllowed,
			Description: "this endpoint accepts only POST (RFC 6749 §3.2)"}
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" || !hasMediaType(ct, "application/x-www-form-urlencoded") {
		return nil, NewError(ErrInvalidRequest, "the body must be application/x-www-form-urlencoded (RFC 6749 §3.2)")
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &Error{Code: ErrInvalidRequest, Status: http.StatusRequestEntityTooLarge,
				Description: "request body larger than 64 KiB"}
		}
		return nil, NewError(ErrInvalidRequest, "the body is not valid form encoding (RFC 6749 Appendix B)")
	}
	out := make(map[string]string, len(r.PostForm))
	for k, vs := range r.PostForm {
		if len(vs) > 1 && k != "resource" { // RFC 8707 §2: resource may repeat
			return nil, NewError(ErrInvalidRequest, "parameter "+k+" is repeated (RFC 6749 §3.2)")
		}
		out[k] = vs[0]
	}
	return out, nil
}

func hasMediaType(header, want string) bool {
	if header == want { // the usual header, without parameters: nothing to parse
		return true
	}
	mt, _, err := mime.ParseMediaType(header)
	return err == nil && mt == want
}
