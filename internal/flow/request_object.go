package flow

import (
	"errors"
	"net/url"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/keys"
)

// signRequest turns the parameters of r into a signed request object (RFC
// 9101 §4): every parameter a claim (resource a list when repeated), iss the
// client_id, aud the issuer, a 60 s exp and a random jti; it returns the
// parameters to send instead: client_id and request.
func (c *Client) signRequest(r AuthRequest, key *keys.Key) (url.Values, error) {
	if c.Endpoints.Issuer == "" {
		return nil, errors.New("--request-object needs --issuer: the request object's aud is the issuer (RFC 9101 §4)")
	}
	params := url.Values{}
	r.params(params, c)
	extra := map[string]any{}
	for k, vs := range params {
		if len(vs) == 1 {
			extra[k] = vs[0]
		} else {
			extra[k] = vs
		}
	}
	jwt, err := clientauth.NewAssertion(clientauth.AssertionClaims{Issuer: c.ClientID, Audience: c.Endpoints.Issuer, Now: c.Now(), Extra: extra},
		clientauth.AssertionKey{Key: key})
	if err != nil {
		return nil, err
	}
	return url.Values{"client_id": {c.ClientID}, "request": {jwt}}, nil
}
