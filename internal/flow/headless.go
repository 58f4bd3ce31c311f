package flow

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/oauthkit/oauthkit/internal/termtext"
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
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxPageBytes))
	said := pageText(mt, body)
	if resp.StatusCode >= 400 {
		if said == "" {
			said = "no error text (" + orUnknown(mt) + ")"
		}
		return fmt.Errorf("--headless: the authorization server refused the request with HTTP %d at %s: %s",
			resp.StatusCode, redactURL(resp.Request.URL), said)
	}
	if said != "" {
		said = " (the page says: " + said + ")"
	}
	return fmt.Errorf("--headless: the authorization server answered HTTP %d (%s) at %s instead of redirecting to %s%s; --headless needs a server that approves without a person (for example oauthkit serve --auto-approve USER)",
		resp.StatusCode, orUnknown(mt), redactURL(resp.Request.URL), redirectURI, said)
}

// maxPageBytes bounds what is read of a page --headless did not expect.
const maxPageBytes = 64 << 10

var (
	reAlert  = regexp.MustCompile(`(?is)<[a-z0-9]+[^>]*\brole\s*=\s*["']?alert["']?[^>]*>(.*?)</[a-z0-9]+\s*>`)
	reH1     = regexp.MustCompile(`(?is)<h1[^>]*>(.*?)</h1\s*>`)
	reTitle  = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title\s*>`)
	reTag    = regexp.MustCompile(`(?s)<[^>]*>`)
	reSpaces = regexp.MustCompile(`\s+`)
)

// pageText is what a page the server answered says, on one line and safe
// for a terminal: an OAuth error object's error and description; from HTML
// the heading and the alert (else the title); plain text as it is.
func pageText(mediaType string, body []byte) string {
	if obj, err := ParseObject(body); err == nil {
		if code := obj.String("error"); code != "" {
			return termtext.Cut(oneLine("error="+code+" "+obj.String("error_description")), 300)
		}
	}
	switch mediaType {
	case "text/html", "application/xhtml+xml":
		text := func(re *regexp.Regexp) string {
			if m := re.FindSubmatch(body); m != nil {
				return oneLine(html.UnescapeString(reTag.ReplaceAllString(string(m[1]), " ")))
			}
			return ""
		}
		h1, alert := text(reH1), text(reAlert)
		switch {
		case h1 != "" && alert != "":
			return termtext.Cut(h1+": "+alert, 300)
		case alert != "":
			return termtext.Cut(alert, 300)
		case h1 != "":
			return termtext.Cut(h1, 300)
		}
		return termtext.Cut(text(reTitle), 300)
	case "text/plain":
		return termtext.Cut(oneLine(string(body)), 300)
	}
	return ""
}

// oneLine collapses all white space (newlines included) to single spaces.
func oneLine(s string) string { return strings.TrimSpace(reSpaces.ReplaceAllString(s, " ")) }

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
