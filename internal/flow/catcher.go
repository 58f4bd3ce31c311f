package flow

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// CatcherConfig says where the loopback redirect catcher listens.
type CatcherConfig struct {
	// Host is 127.0.0.1 (default), localhost (binds 127.0.0.1) or [::1].
	Host string
	// Port 0 (default) picks a free port; a taken port is an error.
	Port int
	// Path of the redirect URI; default /callback.
	Path string
	// RedirectURI, when set, gives host, port and path, and is used as
	// is; without a port, or with port 0, a free port is taken and the
	// redirect URI carries it (RFC 8252 §7.3).
	RedirectURI string
	// Implicit: the response arrives in the fragment, so a GET without
	// parameters is answered with a page whose script posts it back.
	Implicit bool
	// Validate checks the response; its error is shown on the page.
	Validate func(url.Values) (*Callback, error)
}

// Catcher is a one-shot HTTP server on a loopback address that receives the
// authorization response (docs/security.md rule 30).
type Catcher struct {
	ln          net.Listener
	srv         *http.Server
	redirectURI string
	host        string // expected Host header
	path        string
	implicit    bool
	validate    func(url.Values) (*Callback, error)

	mu     sync.Mutex
	done   bool
	result chan catcherResult
}

type catcherResult struct {
	cb  *Callback
	err error
}

// Listen binds the catcher. It is listening when Listen returns, so the
// browser may be opened right after.
func Listen(cfg CatcherConfig) (*Catcher, error) {
	bindHost, uriHost, port, path, err := catcherAddress(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(bindHost, strconv.Itoa(port)))
	if err != nil {
		if port != 0 {
			return nil, fmt.Errorf("callback port %d on %s cannot be used: %v", port, bindHost, unwrapOpError(err))
		}
		return nil, fmt.Errorf("listening on %s: %v", bindHost, unwrapOpError(err))
	}
	actual := ln.Addr().(*net.TCPAddr).Port
	hostport := net.JoinHostPort(strings.Trim(uriHost, "[]"), strconv.Itoa(actual))
	redirect := cfg.RedirectURI
	if redirect == "" || port == 0 {
		redirect = "http://" + hostport + path
	}
	c := &Catcher{
		ln: ln, redirectURI: redirect, host: hostport, path: path,
		implicit: cfg.Implicit, validate: cfg.Validate,
		result: make(chan catcherResult, 1),
	}
	if c.validate == nil {
		c.validate = func(url.Values) (*Callback, error) { return nil, errors.New("no validator") }
	}
	c.srv = &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	go func() { _ = c.srv.Serve(ln) }()
	return c, nil
}

// CheckCatcherConfig reports what Listen would refuse in cfg (a redirect
// URI or callback host that is not loopback, a bad port), before anything
// listens.
func CheckCatcherConfig(cfg CatcherConfig) error {
	_, _, _, _, err := catcherAddress(cfg)
	return err
}

// catcherAddress works out the bind host, the host in the redirect URI,
// the port (0: a free one) and the path.
func catcherAddress(cfg CatcherConfig) (bind, uriHost string, port int, path string, err error) {
	if cfg.RedirectURI != "" {
		u, perr := url.Parse(cfg.RedirectURI)
		if perr != nil || u.Scheme != "http" || u.Host == "" || u.User != nil || u.Fragment != "" {
			return "", "", 0, "", fmt.Errorf("--redirect-uri %q must be an http:// URL on a loopback host without a fragment (RFC 8252 §7.3)", termtext.Cut(cfg.RedirectURI, 200))
		}
		if u.RawQuery != "" {
			return "", "", 0, "", fmt.Errorf("--redirect-uri %q must not have a query", termtext.Cut(cfg.RedirectURI, 200))
		}
		// No port, or port 0: a free port (RFC 8252 §7.3), never port 80.
		if p := u.Port(); p != "" {
			if port, err = strconv.Atoi(p); err != nil || port < 0 || port > 65535 {
				return "", "", 0, "", fmt.Errorf("--redirect-uri %q has a bad port", termtext.Cut(cfg.RedirectURI, 200))
			}
		}
		path = u.EscapedPath()
		if path == "" {
			path = "/"
		}
		bind, uriHost, err = loopbackHost(u.Hostname())
		return bind, uriHost, port, path, err
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return "", "", 0, "", fmt.Errorf("--callback-port %d is not a port number", cfg.Port)
	}
	path = cfg.Path
	if path == "" {
		path = "/callback"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if (&url.URL{Path: path}).EscapedPath() != path || strings.Contains(path, "//") {
		return "", "", 0, "", fmt.Errorf("--callback-path %q must be a plain URL path such as /callback", termtext.Cut(cfg.Path, 200))
	}
	bind, uriHost, err = loopbackHost(cfg.Host)
	return bind, uriHost, cfg.Port, path, err
}

// loopbackHost maps a callback host to the address to bind and the host to
// put in the redirect URI. Only loopback hosts are allowed.
func loopbackHost(h string) (bind, uriHost string, err error) {
	switch strings.ToLower(strings.Trim(h, "[]")) {
	case "", "127.0.0.1":
		return "127.0.0.1", "127.0.0.1", nil
	case "localhost":
		return "127.0.0.1", "localhost", nil
	case "::1":
		return "::1", "[::1]", nil
	}
	return "", "", fmt.Errorf("callback host %q is not one of 127.0.0.1, localhost, [::1]: the catcher listens on loopback only (RFC 8252 §7.3)", termtext.Cut(h, 100))
}

func unwrapOpError(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

// RedirectURI is the redirect_uri to send.
func (c *Catcher) RedirectURI() string { return c.redirectURI }

// Addr is the listening address.
func (c *Catcher) Addr() net.Addr { return c.ln.Addr() }

// Wait returns the first authorization response, or the context's error.
func (c *Catcher) Wait(ctx context.Context) (*Callback, error) {
	select {
	case r := <-c.result:
		return r.cb, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close lets the last page finish (at most 2 s) and stops listening.
func (c *Catcher) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.srv.Shutdown(ctx); err != nil {
		return c.srv.Close()
	}
	return nil
}

func (c *Catcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	if !c.hostAllowed(r.Host) {
		http.Error(w, "unexpected Host header", http.StatusMisdirectedRequest)
		return
	}
	if r.URL.Path != c.path {
		http.NotFound(w, r)
		return
	}
	var params url.Values
	switch r.Method {
	case http.MethodGet:
		params = r.URL.Query()
		if len(params) == 0 {
			if c.implicit {
				writeFragmentPage(w)
				return
			}
			http.Error(w, "no authorization response in this request", http.StatusBadRequest)
			return
		}
	case http.MethodPost:
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/x-www-form-urlencoded" {
			http.Error(w, "expected an application/x-www-form-urlencoded body", http.StatusUnsupportedMediaType)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10+1))
		if err != nil || len(body) > 64<<10 {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if params, err = url.ParseQuery(string(body)); err != nil {
			params = url.Values{"error": {"invalid_request"}, "error_description": {"the callback body is not form-urlencoded"}}
		}
	default:
		h.Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		http.Error(w, "oauthkit already received an authorization response; this one was ignored", http.StatusGone)
		return
	}
	c.done = true
	c.mu.Unlock()

	cb, err := c.validate(params)
	if c.implicit && r.Method == http.MethodPost {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
		}
		_, _ = io.WriteString(w, resultText(err))
	} else {
		writeResultPage(w, err)
	}
	c.result <- catcherResult{cb: cb, err: err}
}

// hostAllowed refuses requests for another host name (DNS rebinding).
func (c *Catcher) hostAllowed(host string) bool {
	if host == c.host {
		return true
	}
	u, err := url.Parse(c.redirectURI)
	return err == nil && (host == u.Host || (u.Port() == "" && host == u.Host+":80"))
}

func resultText(err error) string {
	if err != nil {
		return "oauthkit: the authorization failed: " + err.Error() + "\nReturn to the terminal."
	}
	return "oauthkit: authorization received. You can close this tab and return to the terminal."
}

var resultPage = template.Must(template.New("result").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oauthkit</title></head>
<body><h1>{{if .Err}}Authorization failed{{else}}Authorization received{{end}}</h1>
<p>{{.Text}}</p></body></html>
`))

func writeResultPage(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
	}
	_ = resultPage.Execute(w, struct {
		Err  bool
		Text string
	}{err != nil, resultText(err)})
}

var fragmentPage = template.Must(template.New("fragment").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oauthkit</title></head>
<body><h1>oauthkit</h1><p id="msg">Sending the authorization response to oauthkit…</p>
<noscript><p>This page needs JavaScript to pass the response (in the URL fragment) to oauthkit.</p></noscript>
<script nonce="{{.}}">
(function () {
  var f = window.location.hash.substring(1);
  history.replaceState(null, "", window.location.pathname);
  fetch(window.location.pathname, {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: f})
    .then(function (r) { return r.text(); })
    .then(function (t) { document.getElementById("msg").textContent = t; })
    .catch(function (e) { document.getElementById("msg").textContent = "oauthkit could not be reached: " + e; });
})();
</script></body></html>
`))

func writeFragmentPage(w http.ResponseWriter) {
	nonce := RandomValue(16)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+nonce+"'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'")
	_ = fragmentPage.Execute(w, nonce)
}
