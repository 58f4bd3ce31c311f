package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// Metadata is the part of an authorization server's metadata (RFC 8414
// §2, OpenID Connect Discovery §3) that the client uses.
type Metadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	IssParameterSupported             bool     `json:"authorization_response_iss_parameter_supported"`
	RegistrationEndpoint              string   `json:"registration_endpoint"` // RFC 7591 §3
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint"`
	// RFC 9126 §5.
	PushedAuthorizationRequestEndpoint string `json:"pushed_authorization_request_endpoint"`
	RequirePushedAuthorizationRequests bool   `json:"require_pushed_authorization_requests"`
}

// Endpoints returns the endpoints the metadata names.
func (m *Metadata) Endpoints() Endpoints {
	return Endpoints{
		Issuer: m.Issuer, Authorization: m.AuthorizationEndpoint, Token: m.TokenEndpoint,
		Introspection: m.IntrospectionEndpoint, Revocation: m.RevocationEndpoint, JWKS: m.JWKSURI, Userinfo: m.UserinfoEndpoint,
		IssParameter: m.IssParameterSupported, TokenAuthMethods: m.TokenEndpointAuthMethodsSupported,
		DeviceAuthorization: m.DeviceAuthorizationEndpoint,
		PAR:                 m.PushedAuthorizationRequestEndpoint, RequirePAR: m.RequirePushedAuthorizationRequests,
	}
}

// ParseMetadata parses a metadata document fetched for issuer. The document's
// issuer must equal the requested one exactly (RFC 8414 §3.3, docs/security.md
// rule 31), and every endpoint must be an http(s) URL that CheckURL accepts.
func ParseMetadata(issuer string, body []byte, insecure bool) (*Metadata, error) {
	if _, err := ParseObject(body); err != nil {
		return nil, fmt.Errorf("metadata is not a JSON object: %v", err)
	}
	var m Metadata
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("metadata has a member of the wrong type: %v", err)
	}
	if m.Issuer != issuer {
		return nil, fmt.Errorf("%w: the metadata says issuer %q, not %q as requested (RFC 8414 §3.3); check the --issuer value, exactly, trailing slash included", ErrIssuerMismatch, termtext.Cut(m.Issuer, 200), termtext.Cut(issuer, 200))
	}
	for _, e := range []struct{ name, v string }{
		{"authorization_endpoint", m.AuthorizationEndpoint}, {"token_endpoint", m.TokenEndpoint},
		{"introspection_endpoint", m.IntrospectionEndpoint}, {"revocation_endpoint", m.RevocationEndpoint},
		{"jwks_uri", m.JWKSURI}, {"userinfo_endpoint", m.UserinfoEndpoint},
		{"registration_endpoint", m.RegistrationEndpoint},
		{"device_authorization_endpoint", m.DeviceAuthorizationEndpoint},
		{"pushed_authorization_request_endpoint", m.PushedAuthorizationRequestEndpoint},
	} {
		if e.v == "" {
			continue
		}
		if err := CheckURL("metadata "+e.name, e.v, insecure); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// MetadataURLs returns the places to look for an issuer's metadata, in
// order: RFC 8414 §3.1 (the well-known segment inserted before the issuer's
// path), then OpenID Connect Discovery §4 (appended to the issuer).
func MetadataURLs(issuer string) ([]string, error) {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("issuer %q must be an absolute URL without query or fragment (RFC 8414 §2)", termtext.Cut(issuer, 200))
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	base := u.Scheme + "://" + u.Host
	return []string{
		base + "/.well-known/oauth-authorization-server" + path,
		base + path + "/.well-known/openid-configuration",
	}, nil
}

// Discover fetches the issuer's metadata: RFC 8414 first, then OpenID
// Connect discovery when the first is not found. A network error stops at
// once; so does a document whose issuer differs.
func (c *Client) Discover(ctx context.Context, issuer string, insecure bool) (*Metadata, error) {
	urls, err := MetadataURLs(issuer)
	if err != nil {
		return nil, err
	}
	var tried []string
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		resp, err := c.do(ctx, req)
		if err != nil {
			return nil, err
		}
		if resp.Status != http.StatusOK {
			tried = append(tried, fmt.Sprintf("%s: HTTP %d", u, resp.Status))
			continue
		}
		m, err := ParseMetadata(issuer, resp.Body, insecure)
		if err != nil {
			return nil, fmt.Errorf("discovery at %s: %w", u, err)
		}
		return m, nil
	}
	return nil, errors.New("no metadata found for the issuer (" + strings.Join(tried, "; ") + "); give the endpoint URLs instead (--token-url, --authorize-url, …)")
}
