package config

import (
	"errors"
	"strings"
)

// tokenExchange checks a client's token_exchange settings (RFC 8693): the
// audiences it may exchange tokens for, each a non-empty value listed
// once, and only for a client registered for the token_exchange grant.
func (v *validator) tokenExchange(c *Client, p keyPath, fe fileClientExchange) {
	if len(fe.Audiences) > 0 && !c.AllowsGrant(GrantTokenExchange) {
		v.add(p.key("audiences"), "is set but the client's grant_types do not list token_exchange")
	}
	v.uniqueList(p.key("audiences"), fe.Audiences, func(a string) error {
		if strings.TrimSpace(a) == "" || strings.ContainsAny(a, " \t\r\n") {
			return errors.New("an audience must be non-empty and contain no whitespace")
		}
		return nil
	})
	c.TokenExchangeAudiences = fe.Audiences
}
