package authserver

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// authzTarget is where an authorization response goes and how.
type authzTarget struct {
	RedirectURI string
	Mode        string // ModeQuery, ModeFragment or ModeFormPost
	State       string
	ClientID    string
	Device      string // a device authorization's user code hash: answered on a page, never redirected
}

// respondToClient sends an authorization response (success or error) to the
// validated redirect URI, with state and iss (RFC 9207): in the query, in
// the fragment, or as an auto-submitting form (OAuth 2.0 Form Post Response
// Mode). A redirect answering a POST is 303 (RFC 9700 §4.11), else 302.
func (s *Server) respondToClient(w http.ResponseWriter, r *http.Request, t authzTarget, v url.Values) {
	state, iss := t.State, s.settings.Issuer
	s.control.tamperAuthzResponse(t.ClientID, &state, &iss) // ctl tamper iss|state
	if state != "" {
		v.Set("state", state)
	}
	v.Set("iss", iss)
	NoStore(w)
	w.Header().Set("Referrer-Policy", "no-referrer")
	if t.Mode == ModeFormPost {
		s.renderFormPost(w, t.RedirectURI, v)
		return
	}
	loc := t.RedirectURI
	if t.Mode == ModeFragment {
		loc += "#" + v.Encode()
	} else {
		switch {
		case strings.HasSuffix(loc, "?"):
		case strings.Contains(loc, "?"):
			loc += "&"
		default:
			loc += "?"
		}
		loc += v.Encode()
	}
	w.Header().Set("Location", loc)
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	w.WriteHeader(status)
}

// redirectError sends an OAuth error back to the client (RFC 6749
// §4.1.2.1, §4.2.2.1).
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, t authzTarget, e *Error) {
	if t.Device != "" {
		s.deviceRefused(w, r, t, e)
		return
	}
	noteError(w, e.Code)
	v := url.Values{"error": {e.Code}}
	if e.Description != "" {
		// error_description is ASCII only (RFC 6749 §4.1.2.1): spell § out.
		v.Set("error_description", SafeDescription(strings.ReplaceAll(e.Description, "§", "section ")))
	}
	s.respondToClient(w, r, t, v)
}

// complete answers an approved request for user: a code (stored as its
// hash, with everything the token endpoint checks it against) or, for the
// implicit grant, an access token and/or an ID token in the fragment and
// never a refresh token (docs/security.md rule 7). sid is the browser session's
// "sid" ("" without a session).
func (s *Server) complete(w http.ResponseWriter, r *http.Request, q *authzRequest, user store.User, authTime time.Time, sid string) {
	ctx := r.Context()
	now := s.now()
	if authTime.IsZero() {
		authTime = now
	}
	if q.Device != "" {
		s.deviceApproved(w, r, q, user, authTime, sid)
		return
	}
	if isImplicit(q.ResponseType) {
		v, e := s.implicitAnswer(ctx, q, user, authTime, sid, now)
		if e != nil {
			s.redirectError(w, r, q.target(), e)
			return
		}
		s.respondToClient(w, r, q.target(), v)
		return
	}
	value := bindValue(randomToken(32), q.DPoPJKT) // dpop_jkt (RFC 9449 §10)
	code := store.Code{
		Hash: s.hasher.Hash(value), ClientID: q.Client.ID, RedirectURI: q.RedirectParam, Scope: q.Scope,
		Subject: user.Subject, CodeChallenge: q.Challenge, ChallengeMethod: q.Method, Nonce: q.Nonce,
		AuthTime: authTime, SessionID: sid, ExpiresAt: now.Add(s.settings.CodeTTL),
		Resource: strings.Join(q.Resources, " "),
	}
	if e := s.createCode(ctx, code, now); e != nil {
		s.redirectError(w, r, q.target(), e)
		return
	}
	s.respondToClient(w, r, q.target(), url.Values{"code": {value}})
}

// implicitAnswer issues what an implicit response type asks for: an access
// token (token), an ID token with the nonce (id_token), or both, the ID
// token then carrying the access token's at_hash (OpenID Connect Core
// §3.2.2.10).
func (s *Server) implicitAnswer(ctx context.Context, q *authzRequest, user store.User, authTime time.Time, sid string, now time.Time) (url.Values, *Error) {
	s.deprecationOnce.Do(func() {
		s.log.Warn("the implicit grant (response_type=token, id_token) is deprecated: it puts tokens in the browser history and exposes them to the page; move clients to the authorization code flow with PKCE (RFC 9700 §2.1.2)",
			"client_id", q.Client.ID)
	})
	v := url.Values{}
	var at string
	if returnsAccessToken(q.ResponseType) {
		g := grant{Client: q.Client, Subject: user.Subject, Scope: q.Scope, AuthTime: authTime, SessionID: sid, Now: now,
			Resources: q.Resources}
		// A grant family without a refresh token: user tokens always have
		// one, so they can be revoked as a grant and told from client tokens.
		if _, _, e := s.startFamily(ctx, &g, "", false); e != nil {
			return nil, e
		}
		var exp time.Time
		var e *Error
		if at, exp, e = s.mintAccessToken(ctx, g); e != nil {
			return nil, e
		}
		v.Set("access_token", at)
		v.Set("token_type", "Bearer")
		v.Set("expires_in", strconv.FormatInt(int64(exp.Sub(now).Seconds()), 10))
		if q.Scope != "" {
			v.Set("scope", q.Scope)
		}
	}
	if returnsIDToken(q.ResponseType) {
		idt, e := s.mintIDToken(idToken{Client: q.Client, User: user, Scope: q.Scope, Nonce: q.Nonce,
			AuthTime: authTime, SessionID: sid, AccessToken: at, Now: now})
		if e != nil {
			return nil, e
		}
		v.Set("id_token", idt)
	}
	return v, nil
}
