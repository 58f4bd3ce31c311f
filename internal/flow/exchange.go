package flow

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// TokenExchangeGrantType is the grant_type of a token exchange (RFC 8693 §2.1).
const TokenExchangeGrantType = "urn:ietf:params:oauth:grant-type:token-exchange"

// ParseTokenType turns a short name (access_token, refresh_token, id_token,
// jwt, saml1, saml2) into its URN (RFC 8693 §3); an absolute URI is kept as
// it is, since servers may define their own types.
func ParseTokenType(s string) (string, error) {
	switch s {
	case "access_token", "refresh_token", "id_token", "jwt", "saml1", "saml2":
		return "urn:ietf:params:oauth:token-type:" + s, nil
	}
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && !strings.ContainsAny(s, " \t\r\n") {
		return s, nil
	}
	return "", fmt.Errorf("token type %q is neither access_token, refresh_token, id_token, jwt, saml1, saml2 nor an absolute URI (RFC 8693 §3)", s)
}

// TokenExchange is a token exchange request (RFC 8693 §2.1); the token
// types are URNs (ParseTokenType).
type TokenExchange struct {
	SubjectToken, SubjectTokenType string
	ActorToken, ActorTokenType     string
	RequestedTokenType             string
	// Grant carries scope, audience, resource and extra parameters.
	Grant Grant
}

// ExchangeToken runs a token exchange (RFC 8693 §2). The answer's
// issued_token_type is in the response's Raw object; an ID token in the
// access_token member (issued_token_type id_token, token_type N_A) is
// printed as it came, not verified.
func (c *Client) ExchangeToken(ctx context.Context, x TokenExchange) (*TokenResponse, error) {
	if x.SubjectToken == "" || x.SubjectTokenType == "" {
		return nil, fmt.Errorf("a token exchange needs the subject token and its type (RFC 8693 §2.1)")
	}
	if (x.ActorToken == "") != (x.ActorTokenType == "") {
		return nil, fmt.Errorf("actor token and actor token type go together (RFC 8693 §2.1)")
	}
	form := url.Values{"grant_type": {TokenExchangeGrantType}, "subject_token": {x.SubjectToken}, "subject_token_type": {x.SubjectTokenType}}
	if x.ActorToken != "" {
		form.Set("actor_token", x.ActorToken)
		form.Set("actor_token_type", x.ActorTokenType)
	}
	if x.RequestedTokenType != "" {
		form.Set("requested_token_type", x.RequestedTokenType)
	}
	x.Grant.apply(form)
	return c.Token(ctx, form)
}
