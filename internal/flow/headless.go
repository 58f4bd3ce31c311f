package flow

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
)

// maxRedirects bounds the redirects a headless run follows.
const maxRedirects = 10

// errFragmentRedirect stops the redirect chain at a redirect URI carrying
// a fragment, which an HTTP client cannot deliver by itself.
var errFragmentRedirect = errors.New("fragment redirect")

// ForeignRedirectError: under --headless the authorization server
// redirected somewhere that is neither its own origin nor the loopback
// redirect URI. It is not followed: a hostile server could otherwise make a
// CI runner send requests anywhere (docs/security.md rule 60).
type ForeignRedirectError struct {
	Location string // without query and fragment
}

func (e *ForeignRedirectError) Error() string {
	return fmt.Sprintf("--headless: the authorization server redirected to %s, outside its own origin and the redirect URI; not following it", e.Location)
}

// sameOrigin compares scheme and host:port (RFC 6454).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(hostPort(a), hostPort(b))
}

// hostPort is u's host with the scheme's default port made explicit.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return u.Host + ":80"
	case "https":
		return u.Host + ":443"
	}
	return u.Host
}

// followHeadless plays the browser without a person: it requests the
// authorization URL and follows redirects (with cookies) until the redirect
// URI is reached. A response in the fragment is posted to the catcher, as
// the catcher's page script would. It works only with servers that answer
// without interaction (oauthkit serve --auto-approve, mock servers).
// Redirects are followed only within the origins of the authorization
// endpoint and the issuer, and to the redirect URI's origin; at is set to
// the URL being fetched, so a timeout can name the step.
func (c *Client) followHeadless(ctx context.Context, authURL, redirectURI string, at *atomic.Pointer[string]) error {
	target, err := url.Parse(redirectURI)
	if err != nil {
		return err
	}
	start, err := url.Parse(authURL)
	if err != nil {
		return err
	}
	allowed := []*url.URL{start, target}
	if iss, err := url.Parse(c.Endpoints.Issuer); err == nil && c.Endpoints.Issuer != "" {
		allowed = append(allowed, iss)
	}
	setAt := func(u *url.URL) {
		s := redactURL(u)
		at.Store(&s)
	}
	setAt(start)
	jar, _ := cookiejar.New(nil)
	hc := *c.HTTP
	hc.Jar = jar
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		if !slices.ContainsFunc(allowed, func(a *url.URL) bool { return sameOrigin(a, req.URL) }) {
			return &ForeignRedirectError{Location: redactURL(req.URL)}
		}
		if sameEndpoint(req.URL, target) && req.URL.Fragment != "" {
			return errFragmentRedirect
		}
		setAt(req.URL)
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	var fre *ForeignRedirectError
	if errors.As(err, &fre) {
		if resp != nil {
			resp.Body.Close()
		}
		return fre
	}
	if err != nil && !errors.Is(err, errFragmentRedirect) {
		if te := (*TimeoutError)(nil); errors.As(transportError(ctx, "", err), &te) {
			return &TimeoutError{Op: headlessWaitOp(*at.Load())}
		}
		return transportError(ctx, "GET "+redactURL(req.URL), err)
	}
	defer resp.Body.Close()
	if errors.Is(err, errFragmentRedirect) {
		loc, lerr := resp.Location()
		if lerr != nil {
			return lerr
		}
		return c.postFragment(ctx, &hc, target, loc.Fragment)
	}
	if sameEndpoint(resp.Request.URL, target) {
		return nil // the catcher has it
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return fmt.Errorf("--headless: the authorization server answered HTTP %d (%s) at %s instead of redirecting to %s; --headless needs a server that approves without a person (for example oauthkit serve --auto-approve USER)",
		resp.StatusCode, orUnknown(mt), redactURL(resp.Request.URL), redirectURI)
}

func (c *Client) postFragment(ctx context.Context, hc *http.Client, target *url.URL, fragment string) error {
	u := *target
	u.RawQuery, u.Fragment = "", ""
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(fragment))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return transportError(ctx, "POST "+u.String(), err)
	}
	return resp.Body.Close()
}

// headlessWaitOp names the step a --headless run timed out in: the
// authorization server's answer to the URL it was fetching.
func headlessWaitOp(url string) string {
	return "--headless: waiting for the authorization server's page (GET " + url + ")"
}

// sameEndpoint compares scheme, host and path.
func sameEndpoint(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host) && a.EscapedPath() == b.EscapedPath()
}

func orUnknown(s string) string {
	if s == "" {
		return "no content type"
	}
	return s
}
