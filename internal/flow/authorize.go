package flow

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/keys"
)

// AuthRequest is an authorization request (RFC 6749 §4.1.1, §4.2.1).
type AuthRequest struct {
	// ResponseType is "code", or for the implicit grant "token", "id_token"
	// or "id_token token" (OpenID Connect Core §3.2).
	ResponseType string
	RedirectURI  string
	State        string
	// Nonce is sent when not empty (OpenID Connect, when openid is asked).
	Nonce string
	// CodeVerifier: its S256 challenge is sent when not empty.
	CodeVerifier string
	// ResponseMode is sent when not empty (query, fragment, form_post).
	ResponseMode string
	Grant        Grant
	// Pushed sends the request to the PAR endpoint first (RFC 9126); the
	// browser then gets only client_id and request_uri. It is pushed also
	// when the server's metadata requires it.
	Pushed bool
	// RequestObjectKey, when set, signs the parameters into a request object
	// (RFC 9101) sent by value, or pushed with Pushed.
	RequestObjectKey *keys.Key
}

// reserved are the parameters the flow sets itself; --param cannot
// replace them.
var reserved = []string{"response_type", "client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method", "scope", "response_mode"}

// CheckExtraParams refuses --param names that the flow sets itself or
// that would carry client credentials.
func CheckExtraParams(extra url.Values) error {
	for k := range extra {
		if slices.Contains(reserved, k) || k == "client_secret" || k == "grant_type" {
			return fmt.Errorf("--param %s: oauthkit sets this parameter itself; use its own flag", k)
		}
	}
	return nil
}

// AuthorizationURL builds the URL to open in the browser.
func (c *Client) AuthorizationURL(r AuthRequest) (string, error) {
	if c.Endpoints.Authorization == "" {
		return "", fmt.Errorf("no authorization endpoint: give --issuer or --authorize-url")
	}
	u, err := url.Parse(c.Endpoints.Authorization)
	if err != nil {
		return "", fmt.Errorf("authorization endpoint: %v", err)
	}
	q := u.Query() // keep what the endpoint URL carries (RFC 6749 §3.1)
	r.params(q, c)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// params sets the parameters of c's request in q.
func (r AuthRequest) params(q url.Values, c *Client) {
	q.Set("response_type", r.ResponseType)
	q.Set("client_id", c.ClientID)
	q.Set("redirect_uri", r.RedirectURI)
	q.Set("state", r.State)
	if r.Nonce != "" {
		q.Set("nonce", r.Nonce)
	}
	if r.CodeVerifier != "" {
		q.Set("code_challenge", S256Challenge(r.CodeVerifier))
		q.Set("code_challenge_method", "S256")
	}
	if r.ResponseMode != "" {
		q.Set("response_mode", r.ResponseMode)
	}
	if c.DPoP != nil && r.ResponseType == "code" {
		q.Set("dpop_jkt", c.DPoP.JKT()) // the code is bound to the key (RFC 9449 §10)
	}
	r.Grant.apply(q)
}

// HasOpenID reports whether the scopes include openid (a nonce is sent).
func HasOpenID(scopes []string) bool {
	return slices.Contains(scopes, "openid")
}

// SplitScopes turns repeated and space-separated --scope values into one
// list without duplicates, order kept.
func SplitScopes(values []string) []string {
	var out []string
	for _, v := range values {
		for _, s := range strings.Fields(v) {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
