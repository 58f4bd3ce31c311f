package flow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// ErrNoPAREndpoint: a pushed request was asked for, but no PAR endpoint is
// known.
var ErrNoPAREndpoint = errors.New("the server's metadata names no pushed_authorization_request_endpoint (RFC 9126 §5); drop --par, or give --issuer of a server that has one")

// AuthorizationURLFor returns the URL to open for r: the whole request in
// the query, or, when r.Pushed or the server requires it, only client_id
// and the request_uri the PAR endpoint answered (RFC 9126 §4). status gets
// a line about the push.
func (c *Client) AuthorizationURLFor(ctx context.Context, r AuthRequest, status io.Writer) (string, error) {
	if !r.Pushed && !c.Endpoints.RequirePAR && r.RequestObjectKey == nil {
		return c.AuthorizationURL(r)
	}
	if !r.Pushed && !c.Endpoints.RequirePAR { // a request object by value
		form, err := c.signRequest(r, r.RequestObjectKey)
		if err != nil {
			return "", err
		}
		return c.withQuery(form)
	}
	if c.Endpoints.Authorization == "" {
		return "", fmt.Errorf("no authorization endpoint: give --issuer or --authorize-url")
	}
	pushed, err := c.Push(ctx, r)
	if err != nil {
		return "", err
	}
	if status != nil {
		why := "--par"
		if !r.Pushed {
			why = "the server requires it"
		}
		fmt.Fprintf(status, "Pushed the authorization request to %s (RFC 9126, %s); its request_uri expires in %d s.\n", c.Endpoints.PAR, why, pushed.ExpiresIn)
	}
	return c.withQuery(url.Values{"client_id": {c.ClientID}, "request_uri": {pushed.RequestURI}})
}

// withQuery is the authorization endpoint with these parameters added.
func (c *Client) withQuery(params url.Values) (string, error) {
	if c.Endpoints.Authorization == "" {
		return "", fmt.Errorf("no authorization endpoint: give --issuer or --authorize-url")
	}
	u, err := url.Parse(c.Endpoints.Authorization)
	if err != nil {
		return "", fmt.Errorf("authorization endpoint: %v", err)
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// PushedRequest is the PAR endpoint's answer (RFC 9126 §2.2).
type PushedRequest struct {
	RequestURI string
	ExpiresIn  int64
}

// Push sends r to the PAR endpoint with the client's authentication, as a
// token request is sent (RFC 9126 §2.1).
func (c *Client) Push(ctx context.Context, r AuthRequest) (*PushedRequest, error) {
	if c.Endpoints.PAR == "" {
		return nil, ErrNoPAREndpoint
	}
	form := url.Values{}
	r.params(form, c)
	if r.RequestObjectKey != nil { // RFC 9126 §3: push the signed request
		var err error
		if form, err = c.signRequest(r, r.RequestObjectKey); err != nil {
			return nil, err
		}
	}
	// client_id stays in the body also with HTTP Basic: it is a parameter
	// of the authorization request (RFC 6749 §4.1.1), and servers such as
	// oidc-provider require it there (RFC 9126 §2.1).
	resp, err := c.postForm(ctx, c.Endpoints.PAR, form)
	if err != nil {
		return nil, err
	}
	return ParsePushResponse(resp.Status, resp.ContentType, resp.Body)
}

// ParsePushResponse reads a PAR endpoint's answer: 201 (or 200) with a
// request_uri and a positive expires_in, or an OAuth error object.
func ParsePushResponse(status int, contentType string, body []byte) (*PushedRequest, error) {
	const where = "PAR endpoint"
	obj, perr := ParseObject(body)
	if perr == nil {
		if code := obj.String("error"); code != "" {
			return nil, &OAuthError{Where: where, Code: termtext.Cut(code, 100), Description: termtext.Cut(obj.String("error_description"), 500),
				URI: termtext.Cut(obj.String("error_uri"), 200), Status: status}
		}
	}
	if status != http.StatusCreated && status != http.StatusOK {
		return nil, fmt.Errorf("%s answered HTTP %d without an OAuth error object%s", where, status, snippet(contentType, body))
	}
	if perr != nil {
		return nil, fmt.Errorf("%s answered HTTP %d with a body that is not a JSON object (%v)%s", where, status, perr, snippet(contentType, body))
	}
	p := &PushedRequest{RequestURI: obj.String("request_uri")}
	n, ok := obj.Int("expires_in")
	switch {
	case p.RequestURI == "":
		return nil, fmt.Errorf("%s answered without a request_uri (RFC 9126 §2.2)", where)
	case len(p.RequestURI) > 2048 || strings.ContainsFunc(p.RequestURI, func(r rune) bool { return r <= ' ' || r >= 0x7f }):
		return nil, fmt.Errorf("%s answered a request_uri that is not a short printable URI (RFC 9126 §2.2)", where)
	case !ok || n <= 0:
		return nil, fmt.Errorf("%s answered without a positive expires_in (RFC 9126 §2.2)", where)
	}
	p.ExpiresIn = n
	return p, nil
}
