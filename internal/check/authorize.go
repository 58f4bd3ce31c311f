package check

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/termtext"
)

// Login completes an authorization request that needs a person (a login
// form, a consent page).
type Login interface {
	// Complete is given the authorization URL and returns the URL the
	// server finally redirected the browser to: the redirect URI with the
	// authorization response in its query (or fragment).
	Complete(ctx context.Context, authURL string) (string, error)
}

// ScriptLogin is the --login program: it is run as `PROGRAM AUTH_URL` (the
// URL also in OAUTHKIT_AUTHORIZATION_URL, the redirect URI in
// OAUTHKIT_REDIRECT_URI), must sign in and approve however it likes
// (curl, a headless browser, an API of the server), and print the final
// redirect URL as the last line of its standard output, then exit 0.
// Its standard error is passed through.
type ScriptLogin struct {
	Path        string
	RedirectURI string
	Stderr      io.Writer
	Timeout     time.Duration
}

// Complete runs the program once.
func (s *ScriptLogin) Complete(ctx context.Context, authURL string) (string, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.Path, authURL)
	cmd.Env = append(os.Environ(), "OAUTHKIT_AUTHORIZATION_URL="+authURL, "OAUTHKIT_REDIRECT_URI="+s.RedirectURI)
	var out bytes.Buffer
	cmd.Stdout = &limitedWriter{w: &out, n: 64 << 10}
	cmd.Stderr = s.Stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("--login %s: no answer within %s", s.Path, timeout)
		}
		return "", fmt.Errorf("--login %s: %v", s.Path, err)
	}
	last := ""
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			last = l
		}
	}
	if last == "" {
		return "", fmt.Errorf("--login %s printed nothing; it must print the final redirect URL", s.Path)
	}
	return last, nil
}

type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > l.n {
		_, _ = l.w.Write(p[:l.n])
		l.n = 0
		return len(p), nil
	}
	l.n -= len(p)
	return l.w.Write(p)
}

// maxHops bounds the redirects followed inside the server's origins.
const maxHops = 8

// errNeedsPerson: the server shows a page (login, consent) and no --login
// program was given.
var errNeedsPerson = errors.New("needs a person: the server answers with a page (login or consent) instead of redirecting; give --login PROGRAM, or run against a server that approves without a person")

// authReply is where an authorization request ended.
type authReply struct {
	// redirected: the server sent the browser outside its own origins
	// (to location); otherwise it answered a page with status.
	redirected bool
	location   *url.URL
	params     url.Values // the response in location's query or fragment
	status     int
	page       string
	// viaLogin: the --login program produced location.
	viaLogin bool
}

// serverOrigin reports whether u is on the issuer's or the authorization
// endpoint's origin: redirects there are followed, others are not.
func (e *Env) serverOrigin(u *url.URL) bool {
	for _, s := range []string{e.cfg.Issuer, e.md.AuthorizationEndpoint} {
		if o, err := url.Parse(s); err == nil && flow.SameOrigin(o, u) {
			return true
		}
	}
	return false
}

// visit requests an authorization URL as a browser without a person would:
// redirects inside the server's origins are followed (with cookies, at most
// maxHops); a redirect elsewhere, or a page, ends it. Nothing outside the
// server is ever requested.
func (e *Env) visit(ctx context.Context, authURL string) (*authReply, error) {
	jar, _ := cookiejar.New(nil)
	hc := *e.hc
	hc.Jar = jar
	// A redirect URI on the server's own origin ends the chain too.
	var target *url.URL
	if au, err := url.Parse(authURL); err == nil {
		target, _ = url.Parse(au.Query().Get("redirect_uri"))
	}
	next := authURL
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
		if err != nil {
			return nil, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			return &authReply{status: resp.StatusCode, page: flow.PageText(mt, body)}, nil
		}
		u, err := req.URL.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("unparsable Location %q", termtext.Cut(loc, 200))
		}
		if !e.serverOrigin(u) || atRedirectURI(u, target) {
			return replyAt(u), nil
		}
		if hop >= maxHops {
			return nil, fmt.Errorf("more than %d redirects inside the server", maxHops)
		}
		next = u.String()
	}
}

// atRedirectURI: u is the redirect URI (scheme, host and path).
func atRedirectURI(u, target *url.URL) bool {
	return target != nil && target.Host != "" && strings.EqualFold(u.Scheme, target.Scheme) &&
		strings.EqualFold(u.Host, target.Host) && u.EscapedPath() == target.EscapedPath()
}

// replyAt is a redirect to u with its response parameters.
func replyAt(u *url.URL) *authReply {
	params := u.Query()
	if u.Fragment != "" {
		if f, err := url.ParseQuery(u.Fragment); err == nil {
			params = f
		}
	}
	return &authReply{redirected: true, location: u, params: params}
}

// authorize visits authURL; when the server shows a page (status 200:
// login or consent), the --login program completes it.
func (e *Env) authorize(ctx context.Context, authURL string) (*authReply, error) {
	r, err := e.visit(ctx, authURL)
	if err != nil || r.redirected || r.status != http.StatusOK {
		return r, err
	}
	if e.cfg.Login == nil {
		return nil, errNeedsPerson
	}
	if e.requests >= MaxRequestsPerCheck {
		return nil, errBudget
	}
	e.requests++
	fmt.Fprintf(&e.log, "> --login %s\n", flow.MaskURL(authURL))
	final, err := e.cfg.Login.Complete(ctx, authURL)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(final)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("--login printed %q, not an absolute URL", termtext.Cut(final, 200))
	}
	fmt.Fprintf(&e.log, "< --login: %s\n", flow.MaskURL(final))
	r = replyAt(u)
	r.viaLogin = true
	return r, nil
}

// pkceMode is the PKCE an authorization request carries.
type pkceMode int

const (
	pkceS256 pkceMode = iota
	pkceNone
	pkcePlain
)

// codeRequest is an authorization code request to make.
type codeRequest struct {
	client Client
	pkce   pkceMode
	scopes []string // nil: the run's scopes
	// redirectURI overrides the run's (the variants of authz.redirect-exact).
	redirectURI string
	// noNonce: no nonce even with openid.
	noNonce bool
}

// codeAttempt is an authorization request and where it ended.
type codeAttempt struct {
	authURL, state, nonce, verifier, redirectURI string
	reply                                        *authReply
}

// code returns the code of the reply (and checks nothing else).
func (a *codeAttempt) code() string {
	if a.reply == nil || !a.reply.redirected {
		return ""
	}
	return a.reply.params.Get("code")
}

// authURL builds an authorization code request.
func (e *Env) codeURL(r codeRequest) (*codeAttempt, error) {
	a := &codeAttempt{state: flow.NewState(), redirectURI: r.redirectURI}
	if a.redirectURI == "" {
		a.redirectURI = e.cfg.RedirectURI
	}
	scopes := r.scopes
	if scopes == nil {
		scopes = e.cfg.Scopes
	}
	if flow.HasOpenID(scopes) && !r.noNonce {
		a.nonce = flow.NewState()
	}
	a.verifier = flow.NewCodeVerifier()
	fc := e.client(r.client)
	req := flow.AuthRequest{ResponseType: "code", RedirectURI: a.redirectURI, State: a.state, Nonce: a.nonce,
		Grant: flow.Grant{Scopes: scopes, Extra: e.cfg.AuthParams}}
	if r.pkce == pkceS256 {
		req.CodeVerifier = a.verifier
	}
	u, err := fc.AuthorizationURL(req)
	if err != nil {
		return nil, err
	}
	switch r.pkce {
	case pkceNone:
		a.verifier = ""
	case pkcePlain:
		pu, _ := url.Parse(u)
		q := pu.Query()
		q.Set("code_challenge", a.verifier)
		q.Set("code_challenge_method", "plain")
		pu.RawQuery = q.Encode()
		u = pu.String()
	}
	a.authURL = u
	return a, nil
}

// requestCode makes an authorization code request and drives it to the
// end (a person's steps through --login).
func (e *Env) requestCode(ctx context.Context, r codeRequest) (*codeAttempt, error) {
	if e.md.AuthorizationEndpoint == "" {
		return nil, errors.New("the metadata has no authorization_endpoint")
	}
	a, err := e.codeURL(r)
	if err != nil {
		return nil, err
	}
	a.reply, err = e.authorize(ctx, a.authURL)
	return a, err
}

// mustCode is requestCode that wants a code back at the redirect URI with
// the state sent.
func (e *Env) mustCode(ctx context.Context, r codeRequest) (*codeAttempt, error) {
	a, err := e.requestCode(ctx, r)
	if err != nil {
		return nil, err
	}
	rep := a.reply
	switch {
	case !rep.redirected:
		return nil, fmt.Errorf("the authorization request ended on a page (HTTP %d %s), not at the redirect URI", rep.status, rep.page)
	case rep.params.Get("error") != "":
		return nil, fmt.Errorf("the authorization request was answered error=%s %s", rep.params.Get("error"), termtext.Cut(rep.params.Get("error_description"), 200))
	case a.code() == "":
		return nil, fmt.Errorf("the redirect to %s carries no code", flow.MaskURL(rep.location.String()))
	}
	return a, nil
}

// exchange redeems a code as c.
func (e *Env) exchange(ctx context.Context, c Client, a *codeAttempt, redirectURI, verifier string) (*answer, *flow.TokenResponse, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {a.code()}, "redirect_uri": {redirectURI}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return e.token(ctx, c, form)
}

// grant runs a whole authorization code grant as c and returns the tokens.
func (e *Env) grant(ctx context.Context, c Client, scopes []string) (*codeAttempt, *flow.TokenResponse, error) {
	a, err := e.mustCode(ctx, codeRequest{client: c, scopes: scopes})
	if err != nil {
		return nil, nil, err
	}
	_, tr, err := e.exchange(ctx, c, a, a.redirectURI, a.verifier)
	return a, tr, err
}

// token sends a token request as c; a successful answer's tokens are kept
// for revocation at the end.
func (e *Env) token(ctx context.Context, c Client, form url.Values) (*answer, *flow.TokenResponse, error) {
	a, err := e.post(ctx, e.md.TokenEndpoint, c, form)
	if err != nil {
		return nil, nil, err
	}
	tr, err := flow.ParseTokenResponse("token endpoint", a.status, a.header.Get("Content-Type"), a.body, e.cfg.Now())
	if err != nil {
		return a, nil, err
	}
	e.keep(c, tr)
	return a, tr, nil
}

// skipOrFail turns an error of obtaining what a check needs into its
// outcome: a skip when a person is needed or the budget ran out, else a
// failure (the server did not complete a grant it offers).
func skipOrFail(what string, err error) Outcome {
	if errors.Is(err, errNeedsPerson) || errors.Is(err, errBudget) {
		return skipf("%s: %v", what, err)
	}
	return failf("%s: %v", what, err)
}
