package authserver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/store"
)

// ClaimsRule adds claims to the tokens and userinfo answers of a user, a
// client, or both (both empty: every one), until Reset. Which of the three
// it applies to: AccessToken, IDToken, Userinfo; all false means all three.
type ClaimsRule struct {
	User                           string // username; "" any user (and client_credentials tokens)
	ClientID                       string
	Claims                         map[string]any
	AccessToken, IDToken, Userinfo bool
}

type claimsRule struct {
	ClaimsRule
	subject string // the user's subject, resolved when the rule was set
}

func (r claimsRule) public() ClaimsRule {
	out := r.ClaimsRule
	out.Claims = maps.Clone(r.Claims)
	return out
}

// reservedClaims are the claims the protocol sets; extra claims cannot
// replace them (use tamper to falsify one).
var reservedClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope",
	"auth_time", "nonce", "at_hash", "c_hash", "sid", "azp", "cnf", "act"}

// maxClaimRules bounds the rules kept.
const maxClaimRules = 1000

// SetClaims adds a claims rule (later rules win on the same claim name).
func (c *Control) SetClaims(ctx context.Context, r ClaimsRule) error {
	if len(r.Claims) == 0 {
		return errors.New("claims: name at least one claim")
	}
	for _, name := range sortedClaimNames(r.Claims) {
		if slices.Contains(reservedClaims, name) {
			return fmt.Errorf("claim %q is set by the protocol and cannot be replaced (reserved: %s); to falsify it use tamper", name, strings.Join(reservedClaims, ", "))
		}
	}
	if !r.AccessToken && !r.IDToken && !r.Userinfo {
		r.AccessToken, r.IDToken, r.Userinfo = true, true, true
	}
	rule := claimsRule{ClaimsRule: r}
	rule.Claims = maps.Clone(r.Claims)
	if r.User != "" {
		u, err := c.srv.store.Users().Get(ctx, r.User)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no user %q: %w", r.User, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		rule.subject = u.Subject
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.claims) >= maxClaimRules {
		return fmt.Errorf("claims: at most %d rules; reset first", maxClaimRules)
	}
	c.claims = append(c.claims, rule)
	return nil
}

// claimTarget says where extra claims go.
type claimTarget int

const (
	claimsForAccessToken claimTarget = iota
	claimsForIDToken
	claimsForUserinfo
)

// addClaims copies into dst the extra claims for a client and a user
// subject ("" for a token without a user).
func (c *Control) addClaims(dst map[string]any, target claimTarget, clientID, subject string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.claims {
		if (r.ClientID != "" && r.ClientID != clientID) || (r.User != "" && r.subject != subject) {
			continue
		}
		if (target == claimsForAccessToken && r.AccessToken) || (target == claimsForIDToken && r.IDToken) ||
			(target == claimsForUserinfo && r.Userinfo) {
			maps.Copy(dst, r.Claims)
		}
	}
}
