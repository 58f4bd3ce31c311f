package flow

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// DeviceCodeGrantType is the grant_type of the device access token request
// (RFC 8628 §3.4).
const DeviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// DefaultDeviceInterval is the polling interval when the server names none
// (RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the
// default").
const DefaultDeviceInterval = 5 * time.Second

// SlowDownStep is what every slow_down adds to the interval (RFC 8628 §3.5).
const SlowDownStep = 5 * time.Second

// maxDeviceInterval caps the interval a server can ask for, so that a
// mistaken interval of days does not freeze the client until expiry.
const maxDeviceInterval = 5 * time.Minute

// DeviceAuthorization is the device authorization response (RFC 8628 §3.2).
type DeviceAuthorization struct {
	// Raw is the answer as the server sent it.
	Raw                     Object
	DeviceCode              string
	UserCode                string
	VerificationURI         string
	VerificationURIComplete string
	// ExpiresAt is the time of the answer plus expires_in.
	ExpiresAt time.Time
	// Interval is the polling interval (DefaultDeviceInterval when absent).
	Interval time.Duration
}

// BrowserURL is the URL to show a person or to open: the one that carries
// the user code when the server sent it, else the plain verification URI.
func (d *DeviceAuthorization) BrowserURL() string {
	if d.VerificationURIComplete != "" {
		return d.VerificationURIComplete
	}
	return d.VerificationURI
}

// ParseDeviceAuthorization interprets the answer of the device
// authorization endpoint received at now. An error object is an
// *OAuthError (RFC 8628 §3.2 refers to RFC 6749 §5.2); device_code,
// user_code, verification_uri (an absolute http(s) URL) and a positive
// expires_in are required; interval, when present, must be a non-negative
// integer. The URLs are checked like endpoints (CheckURL) because the
// client opens them in a browser.
func ParseDeviceAuthorization(status int, contentType string, body []byte, now time.Time, insecure bool) (*DeviceAuthorization, error) {
	const where = "device authorization endpoint"
	obj, perr := ParseObject(body)
	if perr == nil {
		if code := obj.String("error"); code != "" {
			return nil, &OAuthError{Where: where, Code: termtext.Cut(code, 100), Description: termtext.Cut(obj.String("error_description"), 500),
				URI: termtext.Cut(obj.String("error_uri"), 200), Status: status}
		}
	}
	if status != 200 {
		return nil, fmt.Errorf("%s answered HTTP %d without an OAuth error object%s", where, status, snippet(contentType, body))
	}
	if perr != nil {
		return nil, fmt.Errorf("%s answered HTTP 200 with a body that is not a JSON object (%v)%s", where, perr, snippet(contentType, body))
	}
	d := &DeviceAuthorization{
		Raw:                     obj,
		DeviceCode:              obj.String("device_code"),
		UserCode:                obj.String("user_code"),
		VerificationURI:         obj.String("verification_uri"),
		VerificationURIComplete: obj.String("verification_uri_complete"),
		Interval:                DefaultDeviceInterval,
	}
	for _, m := range []struct{ name, v string }{{"device_code", d.DeviceCode}, {"user_code", d.UserCode}, {"verification_uri", d.VerificationURI}} {
		if m.v == "" {
			return nil, fmt.Errorf("%s answered without %s (RFC 8628 §3.2)", where, m.name)
		}
	}
	if checkVSChar(d.DeviceCode) >= 0 {
		return nil, fmt.Errorf("%s answered a device_code with characters outside VSCHAR (RFC 8628 §3.2, RFC 6749 Appendix A)", where)
	}
	if termtext.Clean(d.UserCode) != d.UserCode || len(d.UserCode) > 64 {
		return nil, fmt.Errorf("%s answered a user_code that is not short printable text (RFC 8628 §6.1)", where)
	}
	if err := CheckURL("verification_uri", d.VerificationURI, insecure); err != nil {
		return nil, fmt.Errorf("%s: %v (RFC 8628 §3.2)", where, err)
	}
	if d.VerificationURIComplete != "" {
		if err := CheckURL("verification_uri_complete", d.VerificationURIComplete, insecure); err != nil {
			return nil, fmt.Errorf("%s: %v (RFC 8628 §3.2)", where, err)
		}
	}
	n, ok := obj.Int("expires_in")
	if !ok || n <= 0 || n > 1<<31 {
		return nil, fmt.Errorf("%s answered without a positive integer expires_in (RFC 8628 §3.2)", where)
	}
	d.ExpiresAt = now.Add(time.Duration(n) * time.Second)
	if _, present := obj.Get("interval"); present {
		i, ok := obj.Int("interval")
		if !ok || i < 0 || i > 1<<31 {
			return nil, fmt.Errorf("%s answered an interval that is not a non-negative integer (RFC 8628 §3.2)", where)
		}
		if i > 0 {
			d.Interval = min(time.Duration(i)*time.Second, maxDeviceInterval)
		}
	}
	return d, nil
}

// DeviceAuthorize sends the device authorization request (RFC 8628 §3.1)
// to endpoint: the client's authentication (client_id alone for a public
// client) and the scope, audience, resource and extra parameters of g.
func (c *Client) DeviceAuthorize(ctx context.Context, endpoint string, g Grant, insecure bool) (*DeviceAuthorization, error) {
	if endpoint == "" {
		return nil, errors.New("no device authorization endpoint: the server's metadata names none (RFC 8628 §4); give --device-authorization-url")
	}
	form := url.Values{}
	g.apply(form)
	resp, err := c.postForm(ctx, endpoint, form)
	if err != nil {
		return nil, err
	}
	return ParseDeviceAuthorization(resp.Status, resp.ContentType, resp.Body, c.Now(), insecure)
}

// DeviceStep names a point of the polling, for a progress view.
type DeviceStep int

// The steps of PollDevice.
const (
	DevicePending  DeviceStep = iota + 1 // authorization_pending: the person has not answered yet
	DeviceSlowDown                       // slow_down: Interval is the new, longer interval
	DeviceBackoff                        // a request timed out: Interval is the doubled interval
)

// DeviceEvent is one answer to a poll.
type DeviceEvent struct {
	Step DeviceStep
	// Polls counts the token requests made so far.
	Polls int
	// Interval is the wait before the next request.
	Interval time.Duration
}

// DeviceExpiredError: the device code expired before the person approved
// it; either the server said expired_token (OAuth is that answer) or the
// expires_in deadline passed on the client's clock (OAuth nil).
type DeviceExpiredError struct {
	OAuth     *OAuthError
	ExpiresAt time.Time
}

func (e *DeviceExpiredError) Error() string {
	if e.OAuth != nil {
		return "the device code expired before it was approved: " + e.OAuth.Error() + " (RFC 8628 §3.5)"
	}
	return fmt.Sprintf("the device code expired at %s before it was approved (expires_in, RFC 8628 §3.2)", e.ExpiresAt.UTC().Format(time.RFC3339))
}

// Unwrap gives the server's answer, if any.
func (e *DeviceExpiredError) Unwrap() error {
	if e.OAuth == nil {
		return nil
	}
	return e.OAuth
}

// DevicePoller polls the token endpoint for a device authorization.
type DevicePoller struct {
	// Sleep waits d or until ctx ends (then it returns ctx's error); nil
	// is a real timer. Tests give a fake clock's.
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress is told each answer that means "go on"; may be nil.
	Progress func(DeviceEvent)
}

// sleep is the real Sleep.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// PollDevice asks the token endpoint for the tokens of d (RFC 8628 §3.4)
// until the person approved or denied, or the code expired: it waits
// Interval before each request, adds SlowDownStep on slow_down, and
// doubles the interval after a request that timed out (§3.5). It never
// sends a request after ExpiresAt. An ID token in the answer is verified,
// its nonce not checked (the device grant has none).
//
// It returns the tokens, an *OAuthError for access_denied and any other
// error answer, a *DeviceExpiredError, ErrCancelled or a transport error.
func (c *Client) PollDevice(ctx context.Context, d *DeviceAuthorization, p DevicePoller) (*TokenResponse, error) {
	wait := p.Sleep
	if wait == nil {
		wait = sleep
	}
	interval := max(d.Interval, time.Second)
	form := url.Values{"grant_type": {DeviceCodeGrantType}, "device_code": {d.DeviceCode}}
	for polls := 0; ; {
		if !c.Now().Add(interval).Before(d.ExpiresAt) {
			// The next request would come after the code expired; wait
			// out what is left so the person still has all of it.
			if left := d.ExpiresAt.Sub(c.Now()); left > 0 {
				if err := wait(ctx, left); err != nil {
					return nil, ctxError(err)
				}
			}
			return nil, &DeviceExpiredError{ExpiresAt: d.ExpiresAt}
		}
		if err := wait(ctx, interval); err != nil {
			return nil, ctxError(err)
		}
		polls++
		tr, err := c.tokenWithIDToken(ctx, form)
		var oe *OAuthError
		var te *TimeoutError
		switch {
		case err == nil:
			return tr, nil
		case errors.As(err, &oe) && oe.Code == "authorization_pending":
			p.report(DeviceEvent{Step: DevicePending, Polls: polls, Interval: interval})
		case errors.As(err, &oe) && oe.Code == "slow_down":
			interval = min(interval+SlowDownStep, maxDeviceInterval)
			p.report(DeviceEvent{Step: DeviceSlowDown, Polls: polls, Interval: interval})
		case errors.As(err, &oe) && oe.Code == "expired_token":
			return nil, &DeviceExpiredError{OAuth: oe, ExpiresAt: d.ExpiresAt}
		case errors.As(err, &te) && ctx.Err() == nil:
			interval = min(interval*2, maxDeviceInterval)
			p.report(DeviceEvent{Step: DeviceBackoff, Polls: polls, Interval: interval})
		default:
			return tr, err
		}
	}
}

func (p DevicePoller) report(e DeviceEvent) {
	if p.Progress != nil {
		p.Progress(e)
	}
}

// ctxError is the error of a wait that ctx ended.
func ctxError(err error) error {
	if errors.Is(err, context.Canceled) {
		return ErrCancelled
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &TimeoutError{Op: "waiting for the device authorization"}
	}
	return err
}
