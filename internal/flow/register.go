package flow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// ClientMetadata is what a client asks to be registered with (RFC 7591
// §2). Empty fields are left out, so the server applies its defaults.
type ClientMetadata struct {
	ClientName              string
	RedirectURIs            []string
	GrantTypes              []string
	TokenEndpointAuthMethod string // client_secret_basic, client_secret_post or none
	Scope                   string
	// ClientID is sent with an update (RFC 7592 §2.2) only.
	ClientID string
}

// MarshalJSON writes the metadata, with response_types derived from the
// grant types when they are given: code for authorization_code, token for
// implicit, none otherwise, so a server that defaults response_types to
// code accepts a client_credentials-only client (RFC 7591 §2.1).
func (m ClientMetadata) MarshalJSON() ([]byte, error) {
	out := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set("client_id", m.ClientID)
	set("client_name", m.ClientName)
	set("token_endpoint_auth_method", m.TokenEndpointAuthMethod)
	set("scope", m.Scope)
	if len(m.RedirectURIs) > 0 {
		out["redirect_uris"] = m.RedirectURIs
	}
	if len(m.GrantTypes) > 0 {
		out["grant_types"] = m.GrantTypes
		rts := []string{}
		if slices.Contains(m.GrantTypes, "authorization_code") {
			rts = append(rts, "code")
		}
		if slices.Contains(m.GrantTypes, "implicit") {
			rts = append(rts, "token")
		}
		out["response_types"] = rts
	}
	return json.Marshal(out)
}

// Registration is a client information response (RFC 7591 §3.2.1, RFC
// 7592 §3): the client's credentials and metadata as the server has them.
type Registration struct {
	ClientID                string
	ClientSecret            string // "" when the server sent none
	ClientIDIssuedAt        int64
	ClientSecretExpiresAt   int64 // 0: never
	RegistrationAccessToken string
	RegistrationClientURI   string
	ClientName              string
	RedirectURIs            []string
	GrantTypes              []string
	TokenEndpointAuthMethod string
	Scope                   string
	// Raw is the response as the server sent it.
	Raw Object
}

// ParseRegistration parses a client information response of the
// registration or client configuration endpoint (where names it): a JSON
// object with a client_id; the members RFC 7591 §3.2.1 defines must have
// their types, and registration_client_uri must pass CheckURL. An OAuth
// error object becomes an *OAuthError.
func ParseRegistration(where string, status int, contentType string, body []byte, insecure bool) (*Registration, error) {
	obj, perr := ParseObject(body)
	if perr == nil {
		if code := obj.String("error"); code != "" {
			return nil, &OAuthError{Where: where, Code: termtext.Cut(code, 100), Description: termtext.Cut(obj.String("error_description"), 500), Status: status}
		}
	}
	if status != http.StatusOK && status != http.StatusCreated {
		return nil, fmt.Errorf("%s answered HTTP %d without an OAuth error object%s", where, status, snippet(contentType, body))
	}
	if perr != nil {
		return nil, fmt.Errorf("%s answered a body that is not a JSON object: %v", where, perr)
	}
	var wire registrationWire
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, fmt.Errorf("%s answered a member of the wrong type: %v (RFC 7591 §3.2.1)", where, err)
	}
	if wire.ClientID == "" {
		return nil, fmt.Errorf("%s answered without a client_id (RFC 7591 §3.2.1)", where)
	}
	if wire.RegistrationClientURI != "" {
		if err := CheckURL(where+" registration_client_uri", wire.RegistrationClientURI, insecure); err != nil {
			return nil, err
		}
	}
	r := Registration{ClientID: wire.ClientID, ClientSecret: wire.ClientSecret, ClientIDIssuedAt: wire.ClientIDIssuedAt,
		ClientSecretExpiresAt: wire.ClientSecretExpiresAt, RegistrationAccessToken: wire.RegistrationAccessToken,
		RegistrationClientURI: wire.RegistrationClientURI, ClientName: wire.ClientName, RedirectURIs: wire.RedirectURIs,
		GrantTypes: wire.GrantTypes, TokenEndpointAuthMethod: wire.TokenEndpointAuthMethod, Scope: wire.Scope, Raw: obj}
	return &r, nil
}

// registrationWire is the client information response as sent.
type registrationWire struct {
	ClientID                string   `json:"client_id"`
	ClientSecret            string   `json:"client_secret"`
	ClientIDIssuedAt        int64    `json:"client_id_issued_at"`
	ClientSecretExpiresAt   int64    `json:"client_secret_expires_at"`
	RegistrationAccessToken string   `json:"registration_access_token"`
	RegistrationClientURI   string   `json:"registration_client_uri"`
	ClientName              string   `json:"client_name"`
	RedirectURIs            []string `json:"redirect_uris"`
	GrantTypes              []string `json:"grant_types"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	Scope                   string   `json:"scope"`
}

// Register registers a client at the registration endpoint (RFC 7591 §3.1);
// initialToken, when set, is sent as the Bearer initial access token.
func (c *Client) Register(ctx context.Context, endpoint, initialToken string, m ClientMetadata, insecure bool) (*Registration, error) {
	if endpoint == "" {
		return nil, fmt.Errorf("the server advertises no registration_endpoint (RFC 8414 §2): it does not offer dynamic registration, or give --registration-url")
	}
	resp, err := c.sendJSON(ctx, http.MethodPost, endpoint, initialToken, m)
	if err != nil {
		return nil, err
	}
	return ParseRegistration("registration endpoint", resp.Status, resp.ContentType, resp.Body, insecure)
}

// ReadRegistration reads a registered client (RFC 7592 §2.1).
func (c *Client) ReadRegistration(ctx context.Context, uri, token string, insecure bool) (*Registration, error) {
	resp, err := c.sendJSON(ctx, http.MethodGet, uri, token, nil)
	if err != nil {
		return nil, err
	}
	return ParseRegistration("client configuration endpoint", resp.Status, resp.ContentType, resp.Body, insecure)
}

// UpdateRegistration replaces a registered client's metadata (RFC 7592
// §2.2); m must carry the client's ClientID.
func (c *Client) UpdateRegistration(ctx context.Context, uri, token string, m ClientMetadata, insecure bool) (*Registration, error) {
	resp, err := c.sendJSON(ctx, http.MethodPut, uri, token, m)
	if err != nil {
		return nil, err
	}
	return ParseRegistration("client configuration endpoint", resp.Status, resp.ContentType, resp.Body, insecure)
}

// DeleteRegistration deletes a registered client (RFC 7592 §2.3): 204 (or
// 200) is success.
func (c *Client) DeleteRegistration(ctx context.Context, uri, token string) error {
	resp, err := c.sendJSON(ctx, http.MethodDelete, uri, token, nil)
	if err != nil {
		return err
	}
	if resp.Status == http.StatusNoContent || resp.Status == http.StatusOK {
		return nil
	}
	if obj, err := ParseObject(resp.Body); err == nil && obj.String("error") != "" {
		return &OAuthError{Where: "client configuration endpoint", Code: termtext.Cut(obj.String("error"), 100),
			Description: termtext.Cut(obj.String("error_description"), 500), Status: resp.Status}
	}
	return fmt.Errorf("client configuration endpoint answered HTTP %d%s", resp.Status, snippet(resp.ContentType, resp.Body))
}

// sendJSON sends body (nil: none) as JSON with an optional Bearer token.
func (c *Client) sendJSON(ctx context.Context, method, uri, bearer string, body any) (*response, error) {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, uri, bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("bad URL %q: %v", termtext.Cut(uri, 200), err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Body, req.ContentLength, req.GetBody = http.NoBody, 0, nil
	}
	req.Header.Set("Accept", "application/json")
	if bearer = strings.TrimSpace(bearer); bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return c.do(ctx, req)
}
