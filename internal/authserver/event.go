package authserver

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// Event is what the server reports about each request once it has
// answered: for the request log and for `serve --tui`'s dashboard. It is
// built from values the handlers hold typed, never from the request body
// or the response read again, and it has no field for a header, a
// parameter other than client_id and grant_type, a token, a code, a
// password or a secret.
type Event struct {
	Time   time.Time // when the request arrived
	Method string
	// Path is the endpoint's path as requested, without the query string
	// (which may carry a code or a token).
	Path string
	// ClientID is the client the request named (HTTP Basic user name,
	// client_id parameter, or the authorization request's client_id),
	// whether or not it then authenticated; "" when none.
	ClientID string
	// GrantType is the grant_type of a token request; "" elsewhere.
	GrantType string
	// Scope is the scope a token or authorization request asked for.
	Scope string
	// Error is the OAuth error code answered (RFC 6749 §5.2, §4.1.2.1),
	// in a JSON body or in a redirect back to the client; for another
	// answer of 400 or more without one (an HTML error page), "http_<status>".
	Error    string
	Status   int
	Duration time.Duration
}

// maxEventField caps what a request names (client_id, grant_type) in an
// event, so one request cannot flood the log.
const maxEventField = 200

// eventNote is what the handlers learn about a request while answering it.
type eventNote struct {
	clientID, grantType, scope, errCode string
}

type eventNoteKey struct{}

// noteClient records the client a request named.
func noteClient(r *http.Request, id string) {
	if n, ok := r.Context().Value(eventNoteKey{}).(*eventNote); ok {
		n.clientID = capField(id)
	}
}

// noteGrant records the grant_type of a request to the token endpoint
// (a grant_type sent to another endpoint means nothing and is left out).
func noteGrant(r *http.Request, grant string) {
	if n, ok := r.Context().Value(eventNoteKey{}).(*eventNote); ok && r.Pattern == "/token" {
		n.grantType = capField(grant)
	}
}

// noteScope records the scope a token or authorization request asked for.
func noteScope(r *http.Request, scope string) {
	if n, ok := r.Context().Value(eventNoteKey{}).(*eventNote); ok {
		n.scope = capField(scope)
	}
}

// noteError records the OAuth error code of the answer written to w.
func noteError(w http.ResponseWriter, code string) {
	if c, ok := w.(challengeWriter); ok {
		w = c.ResponseWriter
	}
	if rec, ok := w.(*statusRecorder); ok {
		rec.note.errCode = code
	}
}

func capField(s string) string {
	if len(s) > maxEventField {
		return s[:maxEventField]
	}
	return s
}

// statusRecorder remembers the status a handler wrote and carries the
// request's note.
type statusRecorder struct {
	http.ResponseWriter
	status int
	note   eventNote
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// record starts the recording of a request: the writer handlers answer
// through, and the request carrying the note they fill in.
func record(w http.ResponseWriter, r *http.Request) (*statusRecorder, *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	return rec, r.WithContext(context.WithValue(r.Context(), eventNoteKey{}, &rec.note))
}

// event is the finished request's Event.
func (rec *statusRecorder) event(r *http.Request, start, end time.Time) Event {
	ev := Event{Time: start, Method: r.Method, Path: r.URL.Path, Status: rec.status, Duration: end.Sub(start),
		ClientID: rec.note.clientID, GrantType: rec.note.grantType, Scope: rec.note.scope, Error: rec.note.errCode}
	if ev.Status == 0 {
		ev.Status = http.StatusOK
	}
	if ev.Error == "" && ev.Status >= 400 {
		ev.Error = "http_" + strconv.Itoa(ev.Status)
	}
	return ev
}

// logEvent writes the request log line of ev: method, path, status,
// duration_ms, then client_id, grant_type and error when set. Its
// attributes are built only when the logger takes Info lines. A handler's
// error (its writer's) is dropped, as Logger.LogAttrs drops it.
func logEvent(logger *slog.Logger, ev Event) {
	ctx := context.Background()
	if !logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	var arr [7]slog.Attr
	attrs := append(arr[:0], slog.String("method", ev.Method), slog.String("path", ev.Path), slog.Int("status", ev.Status),
		slog.Float64("duration_ms", float64(ev.Duration.Microseconds())/1000))
	for _, kv := range [...][2]string{{"client_id", ev.ClientID}, {"grant_type", ev.GrantType}, {"error", ev.Error}} {
		if kv[1] != "" {
			attrs = append(attrs, slog.String(kv[0], kv[1]))
		}
	}
	// The record goes to the handler without a caller's PC: the line never
	// names its source, and Logger.LogAttrs would walk the stack for it on
	// every request.
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
	r.AddAttrs(attrs...)
	_ = logger.Handler().Handle(ctx, r)
}
