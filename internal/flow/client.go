package flow

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/netutil"
	"github.com/oauthkit/oauthkit/internal/termtext"
)

// maxBody bounds every response body read from a server.
const maxBody = 1 << 20

// AuthMethod is how the client authenticates at the token, introspection
// and revocation endpoints (RFC 6749 §2.3).
type AuthMethod string

// The client authentication methods.
const (
	AuthBasic AuthMethod = "basic" // client_secret_basic
	AuthPost  AuthMethod = "post"  // client_secret_post
	AuthNone  AuthMethod = "none"  // public client: client_id only
	// The JWT methods (RFC 7523 §2.2, assertion.go).
	AuthPrivateKeyJWT AuthMethod = "private_key_jwt"
	AuthSecretJWT     AuthMethod = "client_secret_jwt"
)

// ParseAuthMethod accepts basic, post, none, private_key_jwt and
// client_secret_jwt, and the RFC 7591 names.
func ParseAuthMethod(s string) (AuthMethod, error) {
	switch s {
	case string(AuthPrivateKeyJWT):
		return AuthPrivateKeyJWT, nil
	case string(AuthSecretJWT):
		return AuthSecretJWT, nil
	case "basic", string(clientauth.MethodBasic):
		return AuthBasic, nil
	case "post", string(clientauth.MethodPost):
		return AuthPost, nil
	case "none":
		return AuthNone, nil
	}
	return "", fmt.Errorf("auth method %q is not one of basic, post, none, private_key_jwt, client_secret_jwt", s)
}

// DefaultAuthMethod picks the method when none was asked for: none without
// a secret; with one, client_secret_basic unless the server lists only
// client_secret_post (supported may be empty: unknown).
func DefaultAuthMethod(haveSecret bool, supported []string) AuthMethod {
	if !haveSecret {
		return AuthNone
	}
	basic, post := len(supported) == 0, false
	for _, m := range supported {
		basic = basic || m == string(clientauth.MethodBasic)
		post = post || m == string(clientauth.MethodPost)
	}
	if !basic && post {
		return AuthPost
	}
	return AuthBasic
}

// Endpoints are where the server answers. Empty means unknown.
type Endpoints struct {
	Issuer        string
	Authorization string
	Token         string
	Introspection string
	Revocation    string
	JWKS          string
	Userinfo      string
	// IssParameter: the server sends iss in authorization responses
	// (RFC 9207 authorization_response_iss_parameter_supported).
	IssParameter bool
	// TokenAuthMethods lists token_endpoint_auth_methods_supported.
	TokenAuthMethods []string
	// DeviceAuthorization is the device authorization endpoint (RFC 8628 §4).
	DeviceAuthorization string
	// PAR is the pushed authorization request endpoint (RFC 9126); RequirePAR
	// says the server accepts no other authorization request.
	PAR        string
	RequirePAR bool
}

// Client talks to one authorization server as one OAuth client.
type Client struct {
	HTTP      *http.Client
	Now       func() time.Time
	Endpoints Endpoints

	ClientID   string
	Secret     string
	AuthMethod AuthMethod
	// AssertionKey signs the client assertions of AuthPrivateKeyJWT (and
	// the secret those of AuthSecretJWT); its Alg and KeyID override the
	// key's (assertion.go).
	AssertionKey clientauth.AssertionKey

	// IDTokens says how ID tokens in responses are verified (idtoken.go).
	IDTokens IDTokenPolicy

	// DPoP, when set, proves possession of this key at the token endpoint
	// (RFC 9449, dpop.go); nil sends Bearer requests.
	DPoP *DPoPSigner
}

// CheckURL refuses what is not an absolute http(s) URL, and plain http to a
// host that is not a loopback address unless insecure (docs/security.md rule 33).
func CheckURL(name, raw string, insecure bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("%s %q is not an absolute http or https URL", name, termtext.Cut(raw, 200))
	}
	if u.User != nil {
		return fmt.Errorf("%s %q must not contain user information", name, termtext.Cut(raw, 200))
	}
	if u.Scheme == "http" && !insecure && !netutil.IsLoopbackHost(u.Hostname()) {
		return fmt.Errorf("%s %s uses plain http to a host that is not loopback; tokens would cross the network unencrypted (use https, or --insecure to allow it)", name, termtext.Cut(raw, 200))
	}
	return nil
}

// authenticate adds the client's credentials to a request (RFC 6749 §2.3).
func (c *Client) authenticate(req *http.Request, form url.Values) error {
	switch c.AuthMethod {
	case AuthBasic:
		if err := clientauth.Validate(c.ClientID, c.Secret, false); err != nil {
			return err
		}
		req.Header.Set("Authorization", clientauth.Header(clientauth.Encode(c.ClientID, c.Secret, false)))
	case AuthPost:
		form.Set("client_id", c.ClientID)
		form.Set("client_secret", c.Secret)
	case AuthNone, "":
		form.Set("client_id", c.ClientID)
	case AuthPrivateKeyJWT, AuthSecretJWT:
		return c.addAssertion(req, form)
	default:
		return fmt.Errorf("unknown auth method %q", c.AuthMethod)
	}
	return nil
}

// response is an HTTP answer read in full.
type response struct {
	Status      int
	ContentType string
	Body        []byte
}

// postForm sends an authenticated form POST and reads the answer.
func (c *Client) postForm(ctx context.Context, endpoint string, form url.Values) (*response, error) {
	if endpoint == "" {
		return nil, fmt.Errorf("no endpoint URL: give --issuer or the endpoint's URL flag")
	}
	req, err := c.formRequest(ctx, endpoint, form)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, req)
}

// formRequest builds an authenticated form POST to endpoint.
func (c *Client) formRequest(ctx context.Context, endpoint string, form url.Values) (*http.Request, error) {
	form = cloneValues(form)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	if err != nil {
		return nil, fmt.Errorf("bad endpoint URL: %v", err)
	}
	if err := c.authenticate(req, form); err != nil {
		return nil, err
	}
	body := form.Encode()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// do sends a request and reads at most maxBody bytes of the answer.
func (c *Client) do(ctx context.Context, req *http.Request) (*response, error) {
	r, _, err := c.doWithHeader(ctx, req)
	return r, err
}

// doWithHeader is do that also returns the response header.
func (c *Client) doWithHeader(ctx context.Context, req *http.Request) (*response, http.Header, error) {
	op := req.Method + " " + redactURL(req.URL)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, nil, transportError(ctx, op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, nil, transportError(ctx, op, err)
	}
	if len(data) > maxBody {
		return nil, nil, fmt.Errorf("%s: the answer is larger than 1 MiB", op)
	}
	return &response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: data}, resp.Header, nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// redactURL prints a URL without its query and fragment.
func redactURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.RawFragment, c.User = "", "", "", nil
	return c.String()
}
