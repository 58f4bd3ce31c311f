package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/termtext"
)

// Client is one OAuth client the run may use.
type Client struct {
	ID         string
	Secret     string // empty for a public client
	AuthMethod flow.AuthMethod
}

// Public reports whether the client has no secret.
func (c Client) Public() bool { return c.Secret == "" }

// Config is what a run needs.
type Config struct {
	Issuer   string
	HTTP     *http.Client
	Now      func() time.Time
	Insecure bool
	// Client is the client under which most checks run.
	Client Client
	// Public is a public client (no secret) for the PKCE checks; nil: the
	// main client when it is public, else those checks skip.
	Public *Client
	// Other is a second client, for the checks that a code or a token is
	// bound to its client; nil: those checks skip.
	Other *Client
	// RedirectURI is registered for Client (and Public, Other).
	RedirectURI string
	// Scopes are asked for in the grants (e.g. openid offline_access).
	Scopes []string
	// AuthParams are added to every authorization request (e.g. prompt=consent).
	AuthParams url.Values
	// Login completes an authorization request that needs a person; nil:
	// only servers that approve without one (redirect chains) are driven.
	Login Login
	// Strict makes a SHOULD not met a failure.
	Strict bool
	// Sleep waits (refresh.reuse-detected); nil: a timer.
	Sleep func(context.Context, time.Duration) error
}

// ErrUnreachable wraps the error of a run whose server cannot be reached.
var ErrUnreachable = errors.New("authorization server unreachable")

// errBudget is returned by the transport once a check used its requests.
var errBudget = fmt.Errorf("this check already sent %d requests (the bound per check)", MaxRequestsPerCheck)

// Env is the state of a run shared by its checks: the discovered metadata,
// the JWKS, a token obtained once, and what must be revoked at the end.
type Env struct {
	cfg Config
	hc  *http.Client // counting and recording
	// log collects the current check's exchanges (flow.LoggingTransport
	// masks secrets and tokens).
	log      bytes.Buffer
	requests int
	// budget: false while revoking at the end (not a check's requests).
	budget bool

	md    *flow.Metadata
	mdRaw flow.Object
	mdErr error
	mdURL string
	// mdUnreachable: the metadata request got no HTTP answer.
	mdUnreachable bool
	jwks          *jwksState
	sample        *sampleState
	oidc          *oidcState

	// obtained are the tokens to revoke at the end, with their client.
	obtained []obtainedToken
}

type obtainedToken struct {
	client Client
	token  string
	hint   string
}

type countingTransport struct {
	env  *Env
	base http.RoundTripper
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.env.budget {
		if t.env.requests >= MaxRequestsPerCheck {
			return nil, errBudget
		}
		t.env.requests++
	}
	return t.base.RoundTrip(req)
}

// newEnv prepares the HTTP client of a run.
func newEnv(cfg Config) *Env {
	e := &Env{cfg: cfg}
	base := http.DefaultTransport
	hc := http.Client{Timeout: 30 * time.Second}
	if cfg.HTTP != nil {
		hc = *cfg.HTTP
		if hc.Transport != nil {
			base = hc.Transport
		}
	}
	hc.Transport = &countingTransport{env: e, base: &flow.LoggingTransport{Base: base, W: &e.log}}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	hc.Jar = nil
	e.hc = &hc
	return e
}

// Run discovers the server and runs checks in order; onResult (may be nil)
// sees each report as it is made. The error is ErrUnreachable (wrapped)
// when the metadata cannot be fetched at all; the reports are then empty.
func Run(ctx context.Context, cfg Config, checks []Check, onResult func(Report)) ([]Report, error) {
	if cfg.Now == nil {
		return nil, errors.New("check: Config.Now is required")
	}
	e := newEnv(cfg)
	e.budget = true
	e.loadMetadata(ctx)
	if ctx.Err() != nil {
		return nil, flow.ErrCancelled
	}
	if e.mdUnreachable {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, e.mdErr)
	}
	var reports []Report
	for i, c := range checks {
		if ctx.Err() != nil {
			return reports, flow.ErrCancelled
		}
		r := e.runOne(ctx, c, i == 0)
		reports = append(reports, r)
		if onResult != nil {
			onResult(r)
		}
	}
	e.budget = false
	e.revokeObtained(ctx)
	return reports, nil
}

// runOne runs one check with a fresh request budget and evidence log. The
// discovery requests, made before the first check, count for it.
func (e *Env) runOne(ctx context.Context, c Check, first bool) Report {
	if !first {
		e.requests = 0
	}
	out := c.run(ctx, e)
	r := Report{ID: c.ID, Group: c.Group, Title: c.Title, Ref: c.Ref, Level: c.Level,
		Result: out.Result, Reason: out.Reason, Requests: e.requests}
	if out.Result == Fail && c.Level == Should && !e.cfg.Strict {
		r.Result, r.Reason, r.Warning = Pass, "", out.Reason
	}
	if r.Result != Pass || r.Warning != "" {
		r.Evidence = termtext.Cut(e.log.String(), 16000)
	}
	e.log.Reset()
	return r
}

// reuse adds to the current check's evidence the exchanges of an earlier
// check whose result it reads.
func (e *Env) reuse(evidence string) {
	if evidence != "" {
		e.log.WriteString("(sent by an earlier check)\n" + evidence)
	}
}

// revokeObtained revokes every token the run obtained (RFC 7009), refresh
// tokens first, with the client it was issued to.
func (e *Env) revokeObtained(ctx context.Context) {
	if e.md == nil || e.md.RevocationEndpoint == "" {
		return
	}
	slices.SortStableFunc(e.obtained, func(a, b obtainedToken) int {
		return strings.Compare(b.hint, a.hint) // refresh_token before access_token
	})
	for _, t := range e.obtained {
		c := e.client(t.client)
		_ = c.Revoke(ctx, t.token, t.hint)
	}
	e.obtained = nil
	e.log.Reset()
}

// keep records tokens of a response for revocation at the end.
func (e *Env) keep(c Client, tr *flow.TokenResponse) {
	if tr == nil {
		return
	}
	if tr.RefreshToken != "" {
		e.obtained = append(e.obtained, obtainedToken{c, tr.RefreshToken, "refresh_token"})
	}
	if tr.AccessToken != "" {
		e.obtained = append(e.obtained, obtainedToken{c, tr.AccessToken, "access_token"})
	}
}

// client returns a flow client for c on the discovered endpoints.
func (e *Env) client(c Client) *flow.Client {
	fc := &flow.Client{HTTP: e.hc, Now: e.cfg.Now, ClientID: c.ID, Secret: c.Secret, AuthMethod: c.AuthMethod}
	if e.md != nil {
		fc.Endpoints = e.md.Endpoints()
	}
	return fc
}

// main is the main client.
func (e *Env) main() Client { return e.cfg.Client }

// public is the public client for the PKCE checks, if any.
func (e *Env) public() (Client, bool) {
	if e.cfg.Public != nil {
		return *e.cfg.Public, true
	}
	if e.cfg.Client.Secret == "" {
		return e.cfg.Client, true
	}
	return Client{}, false
}

// loadMetadata fetches the metadata once, where flow's discovery looks
// (RFC 8414 §3.1, then OpenID Connect Discovery §4), and parses it with
// flow.ParseMetadata (issuer exact, endpoints http(s)), keeping the raw
// document for the checks. A transport error is mdUnreachable.
func (e *Env) loadMetadata(ctx context.Context) {
	urls, err := flow.MetadataURLs(e.cfg.Issuer)
	if err != nil {
		e.mdErr = err
		return
	}
	var tried []string
	for _, u := range urls {
		a, err := e.get(ctx, u)
		if err != nil {
			e.mdErr, e.mdUnreachable = fmt.Errorf("GET %s: %v", u, err), true
			return
		}
		if a.status != http.StatusOK {
			tried = append(tried, fmt.Sprintf("%s: HTTP %d", u, a.status))
			continue
		}
		e.mdURL = u
		e.mdRaw, _ = flow.ParseObject(a.body)
		e.md, e.mdErr = flow.ParseMetadata(e.cfg.Issuer, a.body, e.cfg.Insecure)
		return
	}
	e.mdErr = errors.New("no metadata found for the issuer (" + strings.Join(tried, "; ") + ")")
}

// needMetadata is the skip of a check that needs the metadata.
func (e *Env) needMetadata() (Outcome, bool) {
	if e.md == nil {
		return skipf("discovery failed: %v", e.mdErr), false
	}
	return Outcome{}, true
}

// metaStrings returns a metadata member that is a list of strings.
func (e *Env) metaStrings(name string) ([]string, bool) {
	var out []string
	raw, ok := e.mdRaw.Get(name)
	if !ok {
		return nil, false
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, false
	}
	return out, true
}

// grantOffered: grant_types_supported lists it, or is absent and the grant
// is one of RFC 8414 §2's default ("authorization_code", "implicit").
func (e *Env) grantOffered(grant string) bool {
	gts, ok := e.metaStrings("grant_types_supported")
	if !ok {
		return grant == "authorization_code" || grant == "implicit" || grant == "refresh_token" || grant == "client_credentials"
	}
	return slices.Contains(gts, grant)
}

// answer is an HTTP answer read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a *answer) object() flow.Object {
	obj, _ := flow.ParseObject(a.body)
	return obj
}

// get sends a GET and reads the answer (1 MiB at most).
func (e *Env) get(ctx context.Context, u string) (*answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	return e.send(req)
}

// post sends a form POST authenticated as c ("" ID: no client at all).
func (e *Env) post(ctx context.Context, endpoint string, c Client, form url.Values) (*answer, error) {
	form = cloneForm(form)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	if err != nil {
		return nil, err
	}
	switch {
	case c.ID == "":
	case c.AuthMethod == flow.AuthBasic:
		req.Header.Set("Authorization", clientauth.Header(clientauth.Encode(c.ID, c.Secret, false)))
	case c.AuthMethod == flow.AuthPost:
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	default:
		form.Set("client_id", c.ID)
	}
	body := form.Encode()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return e.send(req)
}

func (e *Env) send(req *http.Request) (*answer, error) {
	resp, err := e.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// oauthCode is the error code of an OAuth error object ("" when none).
func oauthCode(a *answer) string { return a.object().String("error") }

// describe is a one-line summary of an answer for a reason.
func describe(a *answer) string {
	if code := oauthCode(a); code != "" {
		return fmt.Sprintf("HTTP %d error=%s", a.status, code)
	}
	return fmt.Sprintf("HTTP %d", a.status)
}
