package authserver

import (
	"maps"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/store"
)

// OpenID Connect scopes (OpenID Connect Core §3.1.2.1, §5.4).
const (
	ScopeOpenID  = "openid"
	ScopeProfile = "profile"
	ScopeEmail   = "email"
	ScopeAddress = "address"
	ScopePhone   = "phone"
)

// scopeClaims returns the standard claims a scope releases (OpenID Connect
// Core §5.4), nil for any other scope.
func scopeClaims(scope string) []string {
	switch scope {
	case ScopeProfile:
		return []string{"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
			"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"}
	case ScopeEmail:
		return []string{"email", "email_verified"}
	case ScopeAddress:
		return []string{"address"}
	case ScopePhone:
		return []string{"phone_number", "phone_number_verified"}
	}
	return nil
}

// standardScopes are the scopes of scopeClaims.
func standardScopes() []string {
	return []string{ScopeProfile, ScopeEmail, ScopeAddress, ScopePhone}
}

// scopeOfClaim returns the standard scope that releases claim, "" for a
// custom claim.
func scopeOfClaim(claim string) string {
	for _, sc := range standardScopes() {
		if slices.Contains(scopeClaims(sc), claim) {
			return sc
		}
	}
	return ""
}

// clientScope is the scope a client's request gets: as requestedScope,
// but a request without scope gets the client's scopes except the OpenID
// Connect ones (openid, profile, email, address, phone), which must be
// asked for: an OAuth request never turns into an OpenID one by default.
func clientScope(param string, c store.Client) (string, *Error) {
	if param != "" {
		return requestedScope(param, c.Scopes)
	}
	var plain []string
	for _, sc := range c.Scopes {
		if sc != ScopeOpenID && !slices.Contains(standardScopes(), sc) {
			plain = append(plain, sc)
		}
	}
	return strings.Join(plain, " "), nil
}

// hasScope reports whether the space-separated scope holds want.
func hasScope(scope, want string) bool { return slices.Contains(strings.Fields(scope), want) }

// userClaims returns the claims of user that scope releases, for the ID
// token and /userinfo: a standard claim (name, email, …) only with its
// scope (profile, email, address, phone); a custom claim of the
// configuration (groups, roles, …) always; preferred_username defaults to
// the username under profile; sub always.
func userClaims(user store.User, scope string) map[string]any {
	out := map[string]any{}
	for name, value := range user.Claims {
		if sc := scopeOfClaim(name); sc == "" || hasScope(scope, sc) {
			out[name] = value
		}
	}
	if _, has := out["preferred_username"]; !has && hasScope(scope, ScopeProfile) {
		out["preferred_username"] = user.Username
	}
	out["sub"] = user.Subject
	return out
}

// supportedClaims lists the claims this server can put in ID tokens and
// /userinfo answers (discovery's claims_supported): the protocol claims,
// the claims of the standard scopes clients may ask for (preferred_username
// always exists), and every claim name of the users and clients.
func supportedClaims(scopes map[string]bool, users []store.User, clients []store.Client) []string {
	set := map[string]bool{}
	for _, c := range []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid"} {
		set[c] = true
	}
	if scopes[ScopeProfile] {
		set["preferred_username"] = true
	}
	for _, u := range users {
		for name := range u.Claims {
			set[name] = true
		}
	}
	for _, c := range clients {
		for name := range c.Claims {
			set[name] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}
