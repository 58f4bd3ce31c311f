package authserver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Control steers a running server from a test: queued failures and
// tampered answers, the next login, extra claims, a skewed clock, key
// rotation, bulk revocation and the request log (docs/control.md). Every
// server has one (Server.Control); `serve --control` exposes it over HTTP
// (internal/control) and oauthkittest as Go methods. Nothing it does
// weakens a check of the server: failures and tampering only change
// answers, and login-as only skips the pages for a user that exists.
type Control struct {
	srv  *Server
	skew atomic.Int64 // time.Duration added to the base clock

	mu        sync.Mutex
	failures  []*queuedFailure
	tampers   []*queuedTamper
	logins    []*queuedLogin
	claims    []claimsRule
	cutoffs   []revocation
	hasRevoke atomic.Bool           // a cutoff exists: token checks consult them
	notes     map[string]issuedNote // tokens issued after cutoffs they do not pass (noteIssued)

	log *requestLog
}

// The endpoint names of the control API and of the request log.
const (
	EndpointToken      = "token"
	EndpointAuthorize  = "authorize"
	EndpointIntrospect = "introspect"
	EndpointRevoke     = "revoke"
	EndpointUserinfo   = "userinfo"
	EndpointJWKS       = "jwks"
	EndpointDiscovery  = "discovery"
	// EndpointDeviceAuthorization is /device_authorization (RFC 8628 §3.1).
	EndpointDeviceAuthorization = "device_authorization"
	// Not steerable by fail, but named in the request log.
	EndpointProtected = "protected"
	EndpointLogin     = "login"
	EndpointConsent   = "consent"
	EndpointLogout    = "logout"
	EndpointOther     = "other"
	// Never logged.
	endpointHealth  = "healthz"
	endpointControl = "control"
)

// ControlPathPrefix is where `serve --control` mounts the control API.
const ControlPathPrefix = "/_oauthkit/control/"

// FailEndpoints are the endpoints a Failure can name.
func FailEndpoints() []string {
	return []string{EndpointToken, EndpointAuthorize, EndpointIntrospect, EndpointRevoke, EndpointUserinfo, EndpointJWKS, EndpointDiscovery, EndpointDeviceAuthorization}
}

// endpointOf names the endpoint of a request path.
func endpointOf(path string) string {
	switch path {
	case "/token":
		return EndpointToken
	case PathAuthorize:
		return EndpointAuthorize
	case "/introspect":
		return EndpointIntrospect
	case "/revoke":
		return EndpointRevoke
	case "/userinfo":
		return EndpointUserinfo
	case "/jwks.json":
		return EndpointJWKS
	case "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration":
		return EndpointDiscovery
	case PathDeviceAuthorization:
		return EndpointDeviceAuthorization
	case "/protected":
		return EndpointProtected
	case PathLogin, "/login":
		return EndpointLogin
	case PathConsent, "/consent":
		return EndpointConsent
	case PathLogout, "/logout":
		return EndpointLogout
	case "/healthz":
		return endpointHealth
	}
	if strings.HasPrefix(path, ControlPathPrefix) || path == strings.TrimSuffix(ControlPathPrefix, "/") {
		return endpointControl
	}
	return EndpointOther
}

// Scope says which requests a queued behaviour applies to.
type Scope struct {
	// ClientID limits it to one client's requests; "" is any client.
	ClientID string
	// Times is how many matching requests it applies to: 0 means 1, a
	// negative number every one until Reset.
	Times int
}

// maxTimes bounds Times, so a typo cannot queue a billion failures.
const maxTimes = 100000

func (sc Scope) check() error {
	if sc.Times > maxTimes {
		return fmt.Errorf("times: at most %d (a negative number means every request until reset)", maxTimes)
	}
	if len(sc.ClientID) > maxEventField {
		return fmt.Errorf("client: at most %d characters", maxEventField)
	}
	return nil
}

// counter is what remains of a Scope's Times.
type counter struct {
	clientID string
	left     int // -1: unlimited
}

func newCounter(sc Scope) counter {
	left := sc.Times
	switch {
	case left == 0:
		left = 1
	case left < 0:
		left = -1
	}
	return counter{clientID: sc.ClientID, left: left}
}

func (c *counter) matches(clientID string) bool {
	return c.left != 0 && (c.clientID == "" || c.clientID == clientID)
}

// use spends one application; it reports whether the entry is now spent.
func (c *counter) use() bool {
	if c.left > 0 {
		c.left--
	}
	return c.left == 0
}

// Failure makes matching requests to an endpoint fail: an OAuth error
// (Error, with Status or the RFC's status for it), or a plain HTTP status
// without an OAuth body (Error ""), after an optional Delay. With only a
// Delay the request is delayed and then answered normally.
type Failure struct {
	Scope
	Endpoint    string
	Error       string
	Description string
	Status      int
	Delay       time.Duration
}

type queuedFailure struct {
	Failure
	n counter
}

// maxFailDelay bounds an injected delay: past the server's write timeout
// the client would see a dropped connection, not a slow answer.
const maxFailDelay = 25 * time.Second

func (f *Failure) check() error {
	if !slices.Contains(FailEndpoints(), f.Endpoint) {
		return fmt.Errorf("endpoint %q: use one of %s", f.Endpoint, strings.Join(FailEndpoints(), ", "))
	}
	if err := f.Scope.check(); err != nil {
		return err
	}
	if f.ClientID != "" && (f.Endpoint == EndpointJWKS || f.Endpoint == EndpointDiscovery) {
		return fmt.Errorf("client: requests to the %s endpoint name no client; leave it out", f.Endpoint)
	}
	if f.Error != "" && !validErrorCode(f.Error) {
		return fmt.Errorf("error %q: an OAuth error code is printable ASCII without quotes or backslashes (RFC 6749 §5.2)", f.Error)
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		return fmt.Errorf("status %d: use a client or server error status, 400 to 599", f.Status)
	}
	if f.Delay < 0 || f.Delay > maxFailDelay {
		return fmt.Errorf("delay %s: use 0 to %s", f.Delay, maxFailDelay)
	}
	if len(f.Description) > 500 || (f.Description != "" && !validErrorCode(strings.ReplaceAll(f.Description, " ", "_"))) {
		return errors.New("description: at most 500 characters of printable ASCII without quotes or backslashes (RFC 6749 §5.2)")
	}
	if f.Error == "" && f.Status == 0 && f.Delay == 0 {
		return errors.New("say what to do: an error, a status or a delay")
	}
	if f.Error == "" && f.Description != "" {
		return errors.New("description: only with an error code")
	}
	return nil
}

// validErrorCode: RFC 6749 §5.2's error syntax, %x20-21 / %x23-5B / %x5D-7E,
// without the space.
func validErrorCode(code string) bool {
	if code == "" || len(code) > 100 {
		return false
	}
	for _, c := range []byte(code) {
		if c <= 0x20 || c == '"' || c == '\\' || c > 0x7e {
			return false
		}
	}
	return true
}

// Fail queues a failure.
func (c *Control) Fail(f Failure) error {
	if err := f.check(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures = append(c.failures, &queuedFailure{Failure: f, n: newCounter(f.Scope)})
	return nil
}

// takeFailure spends the first queued failure that matches the request
// and that want accepts, if any.
func (c *Control) takeFailure(endpoint, clientID string, want func(Failure) bool) (Failure, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, q := range c.failures {
		if q.Endpoint != endpoint || !q.n.matches(clientID) || !want(q.Failure) {
			continue
		}
		if q.n.use() {
			c.failures = slices.Delete(c.failures, i, i+1)
		}
		return q.Failure, true
	}
	return Failure{}, false
}

// wantsFailure reports whether a failure is queued for the endpoint, and
// whether one of them is limited to a client.
func (c *Control) wantsFailure(endpoint string) (any, byClient bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, q := range c.failures {
		if q.Endpoint == endpoint {
			any = true
			byClient = byClient || q.ClientID != ""
		}
	}
	return any, byClient
}

// LoginAs makes the next matching authorization request be approved for
// the user, without login or consent pages.
func (c *Control) LoginAs(ctx context.Context, username string, sc Scope) error {
	if err := sc.check(); err != nil {
		return err
	}
	if _, err := c.srv.store.Users().Get(ctx, username); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no user %q: %w", username, store.ErrNotFound)
		}
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logins = append(c.logins, &queuedLogin{username: username, n: newCounter(sc)})
	return nil
}

type queuedLogin struct {
	username string
	n        counter
}

func (c *Control) takeLogin(clientID string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, q := range c.logins {
		if q.n.matches(clientID) {
			if q.n.use() {
				c.logins = slices.Delete(c.logins, i, i+1)
			}
			return q.username, true
		}
	}
	return "", false
}

// loginAsError is the answer when the user of a login-as is gone.
func (s *Server) loginAsError(name string, err error) *Error {
	if errors.Is(err, store.ErrNotFound) {
		return NewError(ErrAccessDenied, "the login-as user "+quoteShort(name)+" no longer exists")
	}
	return s.storeError(err)
}

// SetSkew moves the server's clock by d (negative: back): every time it
// issues and every expiry it checks follow.
func (c *Control) SetSkew(d time.Duration) error {
	if d > 10*365*24*time.Hour || d < -10*365*24*time.Hour {
		return errors.New("skew: at most ten years either way")
	}
	c.skew.Store(int64(d))
	return nil
}

// Skew is the clock's current skew.
func (c *Control) Skew() time.Duration { return time.Duration(c.skew.Load()) }

// Now is the server's clock, skew included (the control API's clock).
func (c *Control) Now() time.Time { return c.srv.now() }

// Reset brings the server back to its configured state: no queued
// failures, tampering or logins, no extra claims, no skew, an empty
// request log. Keys and revocations stay as they are: tokens already
// issued keep the state they had.
func (c *Control) Reset() {
	c.mu.Lock()
	c.failures, c.tampers, c.logins, c.claims = nil, nil, nil, nil
	c.mu.Unlock()
	c.skew.Store(0)
	c.log.clear()
}

// State is a snapshot of what the control has queued and set.
type State struct {
	Skew     time.Duration
	Failures []Failure // Times is what is left (-1: until reset)
	Tampers  []Tamper
	Logins   []LoginState
	Claims   []ClaimsRule
	Revoked  []Revocation
	Keys     []KeyInfo
	Requests int // records in the request log
}

// LoginState is a queued login-as.
type LoginState struct {
	User string
	Scope
}

// State returns the current snapshot.
func (c *Control) State() State {
	c.mu.Lock()
	st := State{Skew: c.Skew()}
	for _, f := range c.failures {
		x := f.Failure
		x.Times = f.n.left
		st.Failures = append(st.Failures, x)
	}
	for _, t := range c.tampers {
		x := t.Tamper
		x.Times = t.n.left
		st.Tampers = append(st.Tampers, x)
	}
	for _, l := range c.logins {
		st.Logins = append(st.Logins, LoginState{User: l.username, Scope: Scope{ClientID: l.n.clientID, Times: l.n.left}})
	}
	for _, r := range c.claims {
		st.Claims = append(st.Claims, r.public())
	}
	for _, r := range c.cutoffs {
		st.Revoked = append(st.Revoked, r.Revocation)
	}
	c.mu.Unlock()
	st.Keys = c.srv.keys.Keys()
	st.Requests = c.log.len()
	return st
}

// sortedClaimNames lists a claim set's names in order, for messages.
func sortedClaimNames(m map[string]any) []string {
	names := slices.Collect(maps.Keys(m))
	sort.Strings(names)
	return names
}
