package flow

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/oauth"
)

// addAssertion authenticates a request with a fresh client assertion
// (RFC 7523 §2.2): iss = sub = client_id, aud = the issuer (what the 2025
// audience update of RFC 7523 asks for, and what oidc-provider and
// `oauthkit serve` accept), or the endpoint's URL when the issuer is
// unknown (--token-url without --issuer); a random jti; exp 60 s ahead.
func (c *Client) addAssertion(req *http.Request, form url.Values) error {
	k := c.AssertionKey
	switch c.AuthMethod {
	case AuthPrivateKeyJWT:
		if k.Key == nil {
			return errors.New("private_key_jwt needs the client's private key (--client-key)")
		}
		k.Secret = ""
	case AuthSecretJWT:
		if c.Secret == "" {
			return errors.New("client_secret_jwt needs the client secret")
		}
		k.Key, k.Secret, k.KeyID = nil, c.Secret, ""
	}
	a, err := clientauth.NewAssertion(clientauth.AssertionClaims{Issuer: c.ClientID, Audience: c.assertionAudience(req.URL), Now: c.now()}, k)
	if err != nil {
		return err
	}
	form.Set("client_id", c.ClientID)
	form.Set("client_assertion_type", clientauth.AssertionType)
	form.Set("client_assertion", a)
	return nil
}

// assertionAudience is the issuer, else the endpoint without its query.
func (c *Client) assertionAudience(endpoint *url.URL) string {
	if c.Endpoints.Issuer != "" {
		return c.Endpoints.Issuer
	}
	return redactURL(endpoint)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// JWTBearer runs the JWT bearer grant (RFC 7523 §2.1) with an assertion
// the caller minted or read (MintBearerAssertion mints one).
func (c *Client) JWTBearer(ctx context.Context, assertion string, g Grant) (*TokenResponse, error) {
	form := url.Values{"grant_type": {string(oauth.GrantJWTBearer)}, "assertion": {assertion}}
	g.apply(form)
	return c.Token(ctx, form)
}

// MintBearerAssertion mints the assertion of a JWT bearer grant: iss the
// client_id, sub the user, aud the issuer (or the token endpoint), signed
// with k.
func (c *Client) MintBearerAssertion(subject string, k clientauth.AssertionKey) (string, error) {
	aud := c.Endpoints.Issuer
	if aud == "" {
		aud = c.Endpoints.Token
	}
	return clientauth.NewAssertion(clientauth.AssertionClaims{Issuer: c.ClientID, Subject: subject, Audience: aud, Now: c.now()}, k)
}
