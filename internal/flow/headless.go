package flow

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// maxRedirects bounds the redirects a headless run follows.
const maxRedirects = 10

// errFragmentRedirect stops the redirect chain at a redirect URI carrying
// a fragment, which an HTTP client cannot deliver by itself.
var errFragmentRedirect = errors.New("fragment redirect")

// followHeadless plays the browser without a person: it requests the
// authorization URL and follows redirects (with cookies) until the redirect
// URI is reached. A response in the fragment is posted to the catcher, as
// the catcher's page script would. It works only with servers that answer
// without interaction (oauthkit serve --auto-approve, mock servers).
func (c *Client) followHeadless(ctx context.Context, authURL, redirectURI string) error {
	target, err := url.Parse(redirectURI)
	if err != nil {
		return err
	}
	jar, _ := cookiejar.New(nil)
	hc := *c.HTTP
	hc.Jar = jar
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		if sameEndpoint(req.URL, target) && req.URL.Fragment != "" {
			return errFragmentRedirect
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil && !errors.Is(err, errFragmentRedirect) {
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
