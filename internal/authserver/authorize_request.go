package authserver

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/oauthkit/oauthkit/internal/oauth"
	"github.com/oauthkit/oauthkit/internal/store"
)

// PKCE policies (Settings.PKCE): who must send a code_challenge.
const (
	PKCERequired = oauth.PKCERequired // every client
	PKCEPublic   = oauth.PKCEPublic   // public clients (the default)
	PKCEOptional = oauth.PKCEOptional // nobody, but a challenge sent is checked
)

// Response types and modes of the authorization endpoint.
const (
	ResponseTypeCode  = "code"
	ResponseTypeToken = "token"

	ModeQuery    = "query"
	ModeFragment = "fragment"
	ModeFormPost = "form_post"
)

// Limits on the parameters a waiting request keeps (docs/security.md
// rule 40); the nonce has its own, maxNonceLength.
const (
	maxStateLength = 4096 // state, echoed to the client
	maxHintLength  = 1024 // login_hint, ui_locales, acr_values
)

// authzRequest is an authorization request whose client and redirect URI
// are known good (docs/security.md rules 1–2), with the rest validated.
type authzRequest struct {
	Client       store.Client
	ResponseType string
	// RedirectURI is where the answer goes; RedirectParam is the
	// redirect_uri parameter as sent ("" when it was omitted because the
	// client has a single registered URI), which the code remembers.
	RedirectURI   string
	RedirectParam string
	Mode          string
	State         string
	Scope         string
	Nonce         string
	Challenge     string
	Method        string
	DPoPJKT       string // dpop_jkt (RFC 9449 §10), "" without one
	LoginHint     string
	Prompt        prompts
	// MaxAge is max_age in seconds, -1 when absent.
	MaxAge int64
	// HintSubject is the sub of a verified id_token_hint, "" without one.
	HintSubject string
	// Device is the user code hash of a device authorization the person
	// is approving on the device page (device_page.go), "" for a request
	// of /authorize; UserCode is that code as shown (XXXX-XXXX).
	Device, UserCode string
	// Resources are the checked resource indicators (RFC 8707), nil for none.
	Resources []string
	// Pushed is set when the request came through the PAR endpoint (RFC 9126).
	Pushed bool
}

// prompts is the parsed prompt parameter (OpenID Connect Core §3.1.2.1).
type prompts struct{ None, Login, Consent bool }

// pageError is a failure that must not redirect (rule 2): the browser gets
// an HTML error page.
type pageError struct {
	Status int
	Title  string
	Detail string
}

// target is where and how an answer goes back to the client.
func (q *authzRequest) target() authzTarget {
	return authzTarget{RedirectURI: q.RedirectURI, Mode: q.Mode, State: q.State, ClientID: q.Client.ID, Device: q.Device}
}

// authorizeParams reads the parameters: the query string of a GET, the
// form body of a POST (at most MaxBodyBytes).
func authorizeParams(w http.ResponseWriter, r *http.Request) (url.Values, *pageError) {
	if r.Method == http.MethodGet {
		v, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, &pageError{http.StatusBadRequest, "Malformed request", "The query string is not valid URL encoding (RFC 3986)."}
		}
		return v, nil
	}
	return readPageForm(w, r)
}

// readPageForm reads an application/x-www-form-urlencoded body for the
// HTML endpoints (/authorize, /login, /consent, /logout).
func readPageForm(w http.ResponseWriter, r *http.Request) (url.Values, *pageError) {
	if !hasMediaType(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return nil, &pageError{http.StatusUnsupportedMediaType, "Malformed request", "A POST here must be an HTML form (application/x-www-form-urlencoded)."}
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &pageError{http.StatusRequestEntityTooLarge, "Request too large", "The form is larger than 64 KiB."}
		}
		return nil, &pageError{http.StatusBadRequest, "Malformed request", "The form is not valid URL encoding."}
	}
	return r.PostForm, nil
}

// readPageFormOnce reads the form of a login or consent page, whose fields
// may each appear once (docs/security.md rule 5).
func readPageFormOnce(w http.ResponseWriter, r *http.Request) (url.Values, *pageError) {
	form, pe := readPageForm(w, r)
	if pe != nil {
		return nil, pe
	}
	for k, vs := range form {
		if len(vs) > 1 {
			return nil, &pageError{http.StatusBadRequest, "Invalid form", "The form field " + quoteShort(k) + " is repeated."}
		}
	}
	return form, nil
}

// single returns the one value of name, "" when absent; repeated is true
// when it was sent more than once (docs/security.md rule 5).
func single(v url.Values, name string) (value string, repeated bool) {
	vs := v[name]
	if len(vs) > 1 {
		return "", true
	}
	if len(vs) == 1 {
		return vs[0], false
	}
	return "", false
}

// validateAuthorize checks a request in the order RFC 6749 §4.1.2.1 asks:
// first the client and the redirect URI, whose failure is a page; then
// everything else, whose failure goes back to the redirect URI.
func (s *Server) validateAuthorize(ctx context.Context, v url.Values) (*authzRequest, *pageError, *Error) {
	clientID, rep := single(v, "client_id")
	switch {
	case rep:
		return nil, &pageError{http.StatusBadRequest, "Invalid request", "client_id is repeated (RFC 6749 §3.1). No redirect was made."}, nil
	case clientID == "":
		return nil, &pageError{http.StatusBadRequest, "Invalid request", "client_id is missing (RFC 6749 §4.1.1). No redirect was made."}, nil
	}
	client, err := s.store.Clients().Get(ctx, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &pageError{http.StatusBadRequest, "Unknown client",
			"No client " + quoteShort(clientID) + " is registered with this server (RFC 6749 §4.1.2.1). No redirect was made."}, nil
	}
	if err != nil {
		e := s.storeError(err)
		return nil, &pageError{e.Status, "Server unavailable", e.Description}, nil
	}
	q := &authzRequest{Client: client}
	redirect, rep := single(v, "redirect_uri")
	switch {
	case rep:
		return nil, &pageError{http.StatusBadRequest, "Invalid redirect URI", "redirect_uri is repeated (RFC 6749 §3.1). No redirect was made."}, nil
	case redirect == "" && len(client.RedirectURIs) == 1:
		q.RedirectURI = client.RedirectURIs[0]
	case redirect == "":
		return nil, &pageError{http.StatusBadRequest, "Invalid redirect URI",
			"redirect_uri is missing and client " + quoteShort(clientID) + " has several registered (RFC 6749 §3.1.2.3). No redirect was made."}, nil
	case !matchRedirectURI(client.RedirectURIs, redirect):
		return nil, &pageError{http.StatusBadRequest, "Invalid redirect URI",
			"redirect_uri " + quoteShort(redirect) + " does not exactly match a URI registered for client " + quoteShort(clientID) +
				" (RFC 9700 §2.1; only the port of a loopback IP may differ, RFC 8252 §7.3). No redirect was made."}, nil
	default:
		q.RedirectURI, q.RedirectParam = redirect, redirect
	}

	// From here on, errors go back to the client.
	rt, _ := single(v, "response_type")
	q.ResponseType = normalizeResponseType(rt)
	q.Mode = defaultMode(q.ResponseType)
	q.State, _ = single(v, "state")
	if len(q.State) > maxStateLength {
		q.State = "" // not echoed: a 60 KiB Location helps nobody
		return q, nil, NewError(ErrInvalidRequest, "state is longer than "+strconv.Itoa(maxStateLength)+
			" bytes; it is not returned (docs/security.md rule 40)")
	}
	for name, vs := range v {
		if len(vs) > 1 && name != "resource" { // RFC 8707 §2: resource may repeat
			return q, nil, NewError(ErrInvalidRequest, "parameter "+quoteShort(name)+" is repeated (RFC 6749 §3.1)")
		}
	}
	return q, nil, s.checkAuthorizeParams(q, v)
}

// checkAuthorizeParams validates response_type, response_mode, scope, PKCE
// and prompt, filling q.
func (s *Server) checkAuthorizeParams(q *authzRequest, v url.Values) *Error {
	switch mode := v.Get("response_mode"); mode {
	case "":
	case ModeQuery, ModeFragment, ModeFormPost:
		q.Mode = mode
	default:
		return NewError(ErrInvalidRequest, "response_mode "+quoteShort(mode)+" is not supported; use query, fragment or form_post (OAuth 2.0 Multiple Response Types §2.1)")
	}
	c := q.Client
	switch q.ResponseType {
	case "":
		return NewError(ErrInvalidRequest, "response_type is missing (RFC 6749 §4.1.1)")
	case ResponseTypeCode:
		if !hasGrant(c, GrantAuthorizationCode) {
			return NewError(ErrUnauthorizedClient, "client "+c.ID+" is not registered for the authorization_code grant (RFC 6749 §4.1.2.1)")
		}
	case ResponseTypeToken, ResponseTypeIDToken, ResponseTypeIDTokenToken:
		if !hasGrant(c, GrantImplicit) {
			return NewError(ErrUnauthorizedClient, "client "+c.ID+" is not registered for the implicit grant, which is off unless configured (RFC 9700 §2.1.2)")
		}
		if q.Mode == ModeQuery {
			q.Mode = ModeFragment
			return NewError(ErrInvalidRequest, "response_type "+q.ResponseType+" must not use response_mode query: tokens never go in a query string (OAuth 2.0 Multiple Response Types §3.0)")
		}
	default:
		return NewError(ErrUnsupportedResponseType, "response_type "+quoteShort(q.ResponseType)+" is not supported; use code (or token, id_token, id_token token for an implicit client) (RFC 6749 §3.1.1)")
	}
	scope, e := clientScope(v.Get("scope"), c)
	if e != nil {
		return e
	}
	q.Scope = scope
	if q.Resources, e = s.checkResources(c, v["resource"], scope); e != nil {
		return e
	}
	q.Nonce, q.LoginHint = v.Get("nonce"), v.Get("login_hint")
	for _, name := range []string{"login_hint", "ui_locales", "acr_values"} {
		if len(v.Get(name)) > maxHintLength {
			return NewError(ErrInvalidRequest, name+" is longer than "+strconv.Itoa(maxHintLength)+" bytes (docs/security.md rule 40)")
		}
	}
	if e := s.checkPKCE(q, v); e != nil {
		return e
	}
	if e := parsePrompt(q, v.Get("prompt")); e != nil {
		return e
	}
	if e := checkDPoPJKT(q, v); e != nil {
		return e
	}
	return s.checkOIDCParams(q, v)
}

// checkPKCE applies docs/security.md rule 6: S256 only, challenge syntax, and a
// challenge required by the policy (public clients by default).
func (s *Server) checkPKCE(q *authzRequest, v url.Values) *Error {
	challenge, method := v.Get("code_challenge"), v.Get("code_challenge_method")
	if isImplicit(q.ResponseType) {
		if challenge != "" || method != "" {
			return NewError(ErrInvalidRequest, "code_challenge belongs to response_type code; the implicit grant has no code (RFC 7636 §4.3)")
		}
		return nil
	}
	if challenge == "" {
		if method != "" {
			return NewError(ErrInvalidRequest, "code_challenge_method sent without code_challenge (RFC 7636 §4.3)")
		}
		switch {
		case s.settings.PKCE == PKCERequired:
			return NewError(ErrInvalidRequest, "code_challenge is required: this server requires PKCE for every client (RFC 7636 §4.4.1, RFC 9700 §2.1.1)")
		case s.settings.PKCE == PKCEPublic && isPublic(q.Client):
			return NewError(ErrInvalidRequest, "code_challenge is required for a public client (RFC 7636 §4.4.1, RFC 9700 §2.1.1)")
		}
		return nil
	}
	switch method {
	case PKCEMethodS256:
	case "", "plain":
		return NewError(ErrInvalidRequest, "code_challenge_method must be S256; plain (the default when it is omitted) is not accepted (RFC 9700 §2.1.1)")
	default:
		return NewError(ErrInvalidRequest, "code_challenge_method "+quoteShort(method)+" is not supported; use S256 (RFC 7636 §4.3)")
	}
	if !ValidPKCEValue(challenge) {
		return NewError(ErrInvalidRequest, "code_challenge must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.2)")
	}
	q.Challenge, q.Method = challenge, method
	return nil
}

// parsePrompt reads prompt: none, login, consent, and select_account,
// which shows the login page like login (one account per browser session
// here); none cannot be combined with another value.
func parsePrompt(q *authzRequest, raw string) *Error {
	values := strings.Fields(raw)
	for _, p := range values {
		switch p {
		case "none":
			q.Prompt.None = true
		case "login", "select_account":
			q.Prompt.Login = true
		case "consent":
			q.Prompt.Consent = true
		default:
			return NewError(ErrInvalidRequest, "prompt "+quoteShort(p)+" is not supported; use none, login, consent or select_account (OpenID Connect Core §3.1.2.1)")
		}
	}
	if q.Prompt.None && len(slices.Compact(slices.Sorted(slices.Values(values)))) > 1 {
		return NewError(ErrInvalidRequest, "prompt none cannot be combined with other values (OpenID Connect Core §3.1.2.1)")
	}
	return nil
}
