package flow

import (
	"context"
	"fmt"
	"net/url"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// Introspect asks the introspection endpoint about a token (RFC 7662 §2).
// The answer is returned as sent; it must hold a boolean "active".
func (c *Client) Introspect(ctx context.Context, token, hint string) (Object, error) {
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	if c.Endpoints.Introspection == "" {
		return nil, fmt.Errorf("no introspection endpoint: the metadata lists none; give --introspect-url")
	}
	resp, err := c.postForm(ctx, c.Endpoints.Introspection, form)
	if err != nil {
		return nil, err
	}
	obj, perr := ParseObject(resp.Body)
	if perr == nil {
		if code := obj.String("error"); code != "" {
			return nil, &OAuthError{Where: "introspection endpoint", Code: termtext.Cut(code, 100), Description: termtext.Cut(obj.String("error_description"), 500), Status: resp.Status}
		}
	}
	if resp.Status != 200 {
		return nil, fmt.Errorf("introspection endpoint answered HTTP %d without an OAuth error object%s", resp.Status, snippet(resp.ContentType, resp.Body))
	}
	if perr != nil {
		return nil, fmt.Errorf("introspection endpoint answered a body that is not a JSON object: %v", perr)
	}
	raw, ok := obj.Get("active")
	if !ok || (string(raw) != "true" && string(raw) != "false") {
		return nil, fmt.Errorf("introspection endpoint answered without a boolean \"active\" (RFC 7662 §2.2)")
	}
	return obj, nil
}

// Revoke asks the revocation endpoint to revoke a token (RFC 7009 §2.1).
// HTTP 200 is success, whatever the token was.
func (c *Client) Revoke(ctx context.Context, token, hint string) error {
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	if c.Endpoints.Revocation == "" {
		return fmt.Errorf("no revocation endpoint: the metadata lists none; give --revoke-url")
	}
	resp, err := c.postForm(ctx, c.Endpoints.Revocation, form)
	if err != nil {
		return err
	}
	if resp.Status == 200 {
		return nil
	}
	if obj, err := ParseObject(resp.Body); err == nil && obj.String("error") != "" {
		return &OAuthError{Where: "revocation endpoint", Code: termtext.Cut(obj.String("error"), 100), Description: termtext.Cut(obj.String("error_description"), 500), Status: resp.Status}
	}
	return fmt.Errorf("revocation endpoint answered HTTP %d%s", resp.Status, snippet(resp.ContentType, resp.Body))
}
