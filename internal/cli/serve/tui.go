package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/tui/dashboard"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// Limits of what the recorder copies: the start of a form body (for
// grant_type and client_id) and of an error response (for its error code).
const (
	recordBodyLimit  = 64 << 10
	recordErrorLimit = 4 << 10
)

// recordRequests wraps h: after each request emit gets its method, path,
// status and time taken, the client_id when known (Basic username, form or
// query parameter), the grant_type of /token and the OAuth error code of a
// failure. The handler reads the body as usual; the recorder only keeps a
// copy of what was read, at most 64 KiB, and takes no other field from it:
// no secret, code or token is ever recorded.
func recordRequests(h http.Handler, now func() time.Time, emit func(dashboard.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := now()
		var body *limitedBuffer
		if r.Body != nil && r.Method == http.MethodPost {
			body = &limitedBuffer{limit: recordBodyLimit}
			r.Body = teeBody{Reader: io.TeeReader(r.Body, body), Closer: r.Body}
		}
		rec := &responseRecorder{ResponseWriter: w}
		defer func() {
			ev := dashboard.Request{Time: start, Method: r.Method, Path: r.URL.Path, Status: rec.status,
				Latency: now().Sub(start)}
			if ev.Status == 0 {
				ev.Status = http.StatusOK
			}
			var form url.Values
			if body != nil && !body.over && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
				form, _ = url.ParseQuery(body.buf.String())
			}
			ev.ClientID = clientID(r, form)
			if r.URL.Path == "/token" {
				ev.GrantType = form.Get("grant_type")
			}
			if ev.Status >= 300 {
				ev.Error = errorCode(rec)
			}
			emit(ev)
		}()
		h.ServeHTTP(rec, r)
	})
}

// clientID: the Basic username (RFC 6749 §2.3.1, form-encoded), else the
// client_id form parameter, else the query's (authorization requests).
func clientID(r *http.Request, form url.Values) string {
	if user, _, ok := r.BasicAuth(); ok {
		if u, err := url.QueryUnescape(user); err == nil {
			return u
		}
		return user
	}
	if id := form.Get("client_id"); id != "" {
		return id
	}
	return r.URL.Query().Get("client_id")
}

// errorCode is the "error" of a JSON error response, or of the query or
// fragment of a redirect (an authorization error sent back to the client).
func errorCode(rec *responseRecorder) string {
	if rec.status >= 300 && rec.status < 400 {
		loc, err := url.Parse(rec.Header().Get("Location"))
		if err != nil {
			return ""
		}
		if e := loc.Query().Get("error"); e != "" {
			return e
		}
		frag, _ := url.ParseQuery(loc.Fragment)
		return frag.Get("error")
	}
	var resp struct {
		Error string `json:"error"`
	}
	if !rec.errBody.over && json.Unmarshal(rec.errBody.buf.Bytes(), &resp) == nil && resp.Error != "" {
		return resp.Error
	}
	return fmt.Sprintf("http_%d", rec.status)
}

// limitedBuffer keeps the first limit bytes written; over tells that more came.
type limitedBuffer struct {
	buf   bytes.Buffer
	limit int
	over  bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.buf.Len(); room < len(p) {
		b.over = true
		b.buf.Write(p[:max(room, 0)])
	} else {
		b.buf.Write(p)
	}
	return len(p), nil
}

type teeBody struct {
	io.Reader
	io.Closer
}

// responseRecorder remembers the status and the start of an error body.
type responseRecorder struct {
	http.ResponseWriter
	status  int
	errBody limitedBuffer
}

func (r *responseRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *responseRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.status >= 400 {
		r.errBody.limit = recordErrorLimit
		r.errBody.Write(p)
	}
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *responseRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// dashboardRun is the dashboard of `serve --tui` while the server runs.
type dashboardRun struct {
	f      *cmdutil.Factory
	events chan dashboard.Request
	input  io.Reader // nil: the terminal

	once sync.Once
	prog *tea.Program
	done chan struct{}
	err  error // of the program, once done is closed
}

func newDashboardRun(f *cmdutil.Factory) *dashboardRun {
	return &dashboardRun{f: f, events: make(chan dashboard.Request, 256), done: make(chan struct{})}
}

// emit hands a request to the dashboard without ever blocking the server:
// when the screen falls behind, requests are dropped from it.
func (d *dashboardRun) emit(r dashboard.Request) {
	select {
	case d.events <- r:
	default:
	}
}

// start shows the dashboard on standard error and returns a context that
// ends when the person presses q (or ctx ends).
func (d *dashboardRun) start(ctx context.Context, info bannerInfo, started time.Time) context.Context {
	ios := d.f.IOStreams
	cfg := dashboard.Config{Issuer: info.issuer, Store: info.store, Now: d.f.Now, Started: started,
		Styles: theme.New(ios.ErrOut, ios.ColorEnabled())}
	if dm := info.demo; dm != nil {
		cfg.Demo = &dashboard.Demo{ClientID: dm.ClientID, ClientSecret: dm.ClientSecret,
			PublicClientID: dm.PublicClientID, Username: dm.Username, Password: dm.Password}
	}
	if c := info.config; c != nil {
		cfg.Source = fmt.Sprintf("config %s (%d clients, %d users)", c.File, len(c.Clients), len(c.Users))
	}
	// Ask the terminal for its background now: asked while the program
	// reads the keys, the answer would be taken for key presses.
	cfg.Styles.Renderer.HasDarkBackground()
	opts := []tea.ProgramOption{tea.WithOutput(ios.ErrOut), tea.WithoutSignalHandler(), tea.WithAltScreen()}
	if d.input != nil {
		opts = append(opts, tea.WithInput(d.input))
	} else {
		opts = append(opts, tea.WithInputTTY())
	}
	d.prog = tea.NewProgram(dashboard.New(cfg), opts...)
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer close(d.done)
		defer cancel()
		_, d.err = d.prog.Run()
	}()
	go func() {
		for {
			select {
			case r := <-d.events:
				d.prog.Send(dashboard.RequestMsg(r))
			case <-d.done:
				return
			}
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			d.prog.Quit()
		case <-d.done:
		}
	}()
	return ctx
}

// stop closes the dashboard and waits until the terminal is restored; nil
// and repeated calls are fine. The error is the program's (no terminal…).
func (d *dashboardRun) stop() error {
	if d == nil || d.prog == nil {
		return nil
	}
	d.once.Do(func() {
		d.prog.Quit()
		select {
		case <-d.done:
		case <-time.After(2 * time.Second):
			d.prog.Kill()
			<-d.done
		}
	})
	return d.err
}
