package flow

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/termtext"
)

// CallbackCheck is what an authorization response must match.
type CallbackCheck struct {
	// State that was sent; the response must carry exactly it.
	State string
	// Issuer, when known, is compared with the response's iss (RFC 9207).
	Issuer string
	// RequireIss: the server advertises iss, so a response without one is
	// refused (RFC 9207 §2.4).
	RequireIss bool
	// Implicit: the response carries a token (RFC 6749 §4.2.2), not a code.
	Implicit bool
	// IDTokenOnly: an implicit response_type=id_token carries an ID token
	// and no access token (OpenID Connect Core §3.2.2.5).
	IDTokenOnly bool
}

// Callback is an accepted authorization response.
type Callback struct {
	Code string
	// Token is set for an implicit grant.
	Token *TokenResponse
}

// ParseCallbackURL returns the parameters of a callback URL as pasted by a
// user: its query, or its fragment when the query has no response in it.
// A bare code (no "?", "#" or "=") is returned as code=VALUE.
func ParseCallbackURL(s string) (url.Values, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("empty callback")
	}
	if !strings.ContainsAny(s, "?#=&") {
		return url.Values{"code": {s}}, nil
	}
	var query, fragment string
	switch i := strings.IndexAny(s, "?#"); {
	case i < 0:
		query = s // "code=…&state=…"
	case s[i] == '?':
		query, fragment, _ = strings.Cut(s[i+1:], "#")
	default:
		fragment = s[i+1:]
	}
	v, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("callback query: %v", err)
	}
	if !v.Has("code") && !v.Has("error") && !v.Has("access_token") && fragment != "" {
		if v, err = url.ParseQuery(fragment); err != nil {
			return nil, fmt.Errorf("callback fragment: %v", err)
		}
	}
	return v, nil
}

// CheckCallback checks an authorization response in this order: every
// parameter at most once, state, iss, then error or the code (or token).
// A response that fails the state or iss check is refused whatever else it
// says, so no token request follows (docs/security.md rule 31).
func CheckCallback(v url.Values, chk CallbackCheck, now time.Time) (*Callback, error) {
	for k, vs := range v {
		if len(vs) > 1 {
			return nil, fmt.Errorf("the authorization response repeats the parameter %q; refused", termtext.Cut(k, 40))
		}
	}
	if !v.Has("state") {
		return nil, fmt.Errorf("%w: the authorization response has no state; refused (RFC 6749 §10.12)", ErrStateMismatch)
	}
	if chk.State == "" || v.Get("state") != chk.State {
		return nil, fmt.Errorf("%w: the authorization response carries another state than the one sent; refused, it may be forged (RFC 6749 §10.12)", ErrStateMismatch)
	}
	if chk.Issuer != "" {
		iss, has := v.Get("iss"), v.Has("iss")
		switch {
		case has && iss != chk.Issuer:
			return nil, fmt.Errorf("%w: the authorization response says iss=%q, expected %q; refused (RFC 9207 §2.4)", ErrIssuerMismatch, termtext.Cut(iss, 200), chk.Issuer)
		case !has && chk.RequireIss:
			return nil, fmt.Errorf("%w: the server advertises authorization_response_iss_parameter_supported but the response has no iss; refused (RFC 9207 §2.4)", ErrIssuerMismatch)
		}
	}
	if code := v.Get("error"); code != "" {
		return nil, &OAuthError{Where: "authorization response", Code: termtext.Cut(code, 100),
			Description: termtext.Cut(v.Get("error_description"), 500), URI: termtext.Cut(v.Get("error_uri"), 200)}
	}
	if chk.Implicit {
		obj := Object{}
		for _, k := range sortedKeys(v) {
			if k == "state" || k == "iss" {
				continue
			}
			if n, ok := intValue(v.Get(k)); ok && k == "expires_in" {
				obj = obj.With(k, n)
				continue
			}
			obj = obj.With(k, v.Get(k))
		}
		var tr *TokenResponse
		var err error
		if chk.IDTokenOnly {
			tr, err = idTokenFromObject("authorization response", obj)
		} else if tr, err = tokenFromObject("authorization response", obj, now); err == nil {
			err = requireTokenType("authorization response", tr) // RFC 6749 §4.2.2
		}
		if err != nil {
			return nil, err
		}
		return &Callback{Token: tr}, nil
	}
	code := v.Get("code")
	if code == "" {
		return nil, errors.New("the authorization response has neither code nor error (RFC 6749 §4.1.2)")
	}
	return &Callback{Code: code}, nil
}

func sortedKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func intValue(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// idTokenFromObject reads an implicit response_type=id_token answer: an
// id_token and no access token.
func idTokenFromObject(where string, obj Object) (*TokenResponse, error) {
	tr := &TokenResponse{Raw: obj, IDToken: obj.String("id_token"), AccessToken: obj.String("access_token")}
	if tr.IDToken == "" {
		return nil, fmt.Errorf("%s answered without an id_token (OpenID Connect Core §3.2.2.5)", where)
	}
	return tr, nil
}
