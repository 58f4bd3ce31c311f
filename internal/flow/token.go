package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// TokenResponse is a successful token endpoint answer (RFC 6749 §5.1), or
// the parameters of an implicit grant's redirect (§4.2.2).
type TokenResponse struct {
	// Raw is the answer as the server sent it, members in order.
	Raw          Object
	AccessToken  string
	TokenType    string
	RefreshToken string
	IDToken      string
	Scope        string
	// ExpiresAt is the time of the answer plus expires_in; zero without it.
	ExpiresAt time.Time
	// IDTokenClaims are the claims of IDToken (the JSON text, member order
	// kept) once VerifyIDToken verified it; nil otherwise.
	IDTokenClaims json.RawMessage
}

// ParseTokenResponse interprets a token endpoint answer received at now.
// A JSON error object (with any status) is an *OAuthError; a 200 without
// access_token is an error too. A missing token_type is not: `oauthkit
// check` reports it as a finding of its own; flow's grants refuse it
// (Client.Token, requireTokenType).
func ParseTokenResponse(where string, status int, contentType string, body []byte, now time.Time) (*TokenResponse, error) {
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
	return tokenFromObject(where, obj, now)
}

func tokenFromObject(where string, obj Object, now time.Time) (*TokenResponse, error) {
	tr := &TokenResponse{
		Raw:          obj,
		AccessToken:  obj.String("access_token"),
		TokenType:    obj.String("token_type"),
		RefreshToken: obj.String("refresh_token"),
		IDToken:      obj.String("id_token"),
		Scope:        obj.String("scope"),
	}
	if tr.AccessToken == "" {
		return nil, fmt.Errorf("%s answered without an access_token (RFC 6749 §5.1)", where)
	}
	if err := checkTokenChars(where, tr); err != nil {
		return nil, err
	}
	if n, ok := obj.Int("expires_in"); ok && n >= 0 && n < 1<<40 {
		tr.ExpiresAt = now.Add(time.Duration(n) * time.Second).UTC().Truncate(time.Second)
	}
	return tr, nil
}

// requireTokenType refuses a token answer without token_type (RFC 6749
// §5.1, §4.2.2): the client would not know how to present the token
// (§7.1), and a server that leaves it out is broken or forged.
func requireTokenType(where string, tr *TokenResponse) error {
	if tr.TokenType == "" {
		return &TokenTypeError{Where: where}
	}
	return nil
}

// TokenTypeError is a token answer without token_type.
type TokenTypeError struct{ Where string }

func (e *TokenTypeError) Error() string {
	return e.Where + " answered without a token_type (RFC 6749 §5.1)"
}

// snippet describes a non-JSON body briefly for an error message.
func snippet(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	if len(body) == 0 {
		return " (empty body)"
	}
	if mt == "text/html" {
		return " (an HTML page)"
	}
	return fmt.Sprintf(": %q", termtext.Cut(strings.TrimSpace(string(body)), 120))
}

// Token sends a token request with the given grant parameters.
func (c *Client) Token(ctx context.Context, form url.Values) (*TokenResponse, error) {
	tr, err := c.token(ctx, form)
	if err != nil {
		return nil, err
	}
	return tr, nil
}

// token is Token that also returns an answer whose only fault is a missing
// token_type, with the *TokenTypeError.
func (c *Client) token(ctx context.Context, form url.Values) (*TokenResponse, error) {
	var (
		resp *response
		err  error
	)
	if c.DPoP != nil {
		resp, err = c.postFormDPoP(ctx, c.Endpoints.Token, form) // RFC 9449 §5
	} else {
		resp, err = c.postForm(ctx, c.Endpoints.Token, form)
	}
	if err != nil {
		return nil, err
	}
	tr, err := ParseTokenResponse("token endpoint", resp.Status, resp.ContentType, resp.Body, c.Now())
	if err != nil {
		return nil, err
	}
	if err := requireTokenType("token endpoint", tr); err != nil {
		return tr, err
	}
	return tr, nil
}

// Grant parameters shared by the grants: scope, audience, resource and
// extra parameters (--param).
type Grant struct {
	Scopes    []string
	Audience  string
	Resources []string
	Extra     url.Values
}

// apply adds the grant's parameters to a form.
func (g Grant) apply(form url.Values) {
	if len(g.Scopes) > 0 {
		form.Set("scope", strings.Join(g.Scopes, " "))
	}
	if g.Audience != "" {
		form.Set("audience", g.Audience)
	}
	for _, r := range g.Resources {
		form.Add("resource", r)
	}
	for k, vs := range g.Extra {
		for _, v := range vs {
			form.Add(k, v)
		}
	}
}

// ClientCredentials runs the client credentials grant (RFC 6749 §4.4).
func (c *Client) ClientCredentials(ctx context.Context, g Grant) (*TokenResponse, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	g.apply(form)
	return c.Token(ctx, form)
}

// Password runs the resource owner password credentials grant (§4.3).
// An ID token in the answer is verified, its nonce not checked.
func (c *Client) Password(ctx context.Context, username, password string, g Grant) (*TokenResponse, error) {
	form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}}
	g.apply(form)
	return c.tokenWithIDToken(ctx, form)
}

// Refresh exchanges a refresh token (§6). An ID token in the answer is
// verified, its nonce not checked (OpenID Connect Core §12.2); when that
// fails, the response comes back with the *IDTokenError.
func (c *Client) Refresh(ctx context.Context, refreshToken string, g Grant) (*TokenResponse, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	g.apply(form)
	return c.tokenWithIDToken(ctx, form)
}

func (c *Client) tokenWithIDToken(ctx context.Context, form url.Values) (*TokenResponse, error) {
	tr, err := c.token(ctx, form)
	if err == nil {
		err = c.VerifyIDToken(ctx, tr, IDTokenExpect{Rule: NonceNotChecked})
	}
	var defect *TokenTypeError
	switch {
	case err == nil:
		return tr, nil
	case tr != nil && (errors.As(err, new(*IDTokenError)) || errors.As(err, &defect)):
		// The server issued the tokens (a rotating server has retired the
		// refresh token that got them): the caller gets them with the
		// error, so it can keep them.
		return tr, &IssuedError{Err: err}
	}
	return nil, err
}

// IssuedError is an answer that failed a check although the server issued
// its tokens: the caller keeps them (a rotated refresh token is the only
// way back to the grant) and still fails. Err is the check that failed.
type IssuedError struct{ Err error }

func (e *IssuedError) Error() string { return e.Err.Error() }
func (e *IssuedError) Unwrap() error { return e.Err }

// ExchangeCode redeems an authorization code (§4.1.3, RFC 7636 §4.5). It
// does not verify an ID token: the caller knows the nonce (VerifyIDToken).
func (c *Client) ExchangeCode(ctx context.Context, code, redirectURI, verifier string, g Grant) (*TokenResponse, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	g.Scopes = nil // scope belongs to the authorization request
	g.apply(form)
	return c.Token(ctx, form)
}
