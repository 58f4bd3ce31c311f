package authserver

import (
	"net/http"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/oauth"
	"github.com/oauthkit/oauthkit/internal/store"
)

// Grant types of the token endpoint.
// They are plain strings here because store.Client keeps its grants as
// strings; the one definition is internal/oauth.
const (
	GrantAuthorizationCode = string(oauth.GrantAuthorizationCode)
	GrantRefreshToken      = string(oauth.GrantRefreshToken)
	GrantClientCredentials = string(oauth.GrantClientCredentials)
	GrantPassword          = string(oauth.GrantPassword)
	GrantImplicit          = string(oauth.GrantImplicit)
	GrantTokenExchange     = string(oauth.GrantTokenExchange)
	GrantDeviceCode        = string(oauth.GrantDeviceCode)
)

// tokenRequest is a parsed, client-authenticated token request.
type tokenRequest struct {
	r      *http.Request
	form   map[string]string
	client store.Client
	jkt    string // thumbprint of the DPoP proof's key, "" without a proof (dpop.go)
}

// clientRequest reads the form of a POST endpoint (refusing the secrets
// named in secretParams in the query string) and authenticates the client
// (anyConfidential: see authenticateClient); on failure it has written the
// error and ok is false.
func (s *Server) clientRequest(w http.ResponseWriter, r *http.Request, anyConfidential bool, secretParams ...string) (form map[string]string, client store.Client, ok bool) {
	form, e := ParseForm(w, r)
	if e == nil {
		noteGrant(r, form["grant_type"])
		noteScope(r, form["scope"])
		e = secretInQuery(r, secretParams...)
	}
	if e == nil {
		client, e = s.authenticateClient(r, form, anyConfidential)
	}
	if e != nil {
		WriteError(w, e)
		return nil, store.Client{}, false
	}
	return form, client, true
}

// handleToken is POST /token (RFC 6749 §3.2): parameters only from the
// form body, client authentication, then one handler per grant.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	form, client, ok := s.clientRequest(w, r, false, "password", "refresh_token", "code", "code_verifier", "device_code", "subject_token", "actor_token", "client_assertion", "assertion")
	if !ok {
		return
	}
	req := &tokenRequest{r: r, form: form, client: client}
	grant := form["grant_type"]
	var (
		grantFn func(*tokenRequest) (*issued, *Error)
		e       *Error
	)
	switch grant {
	case "":
		e = NewError(ErrInvalidRequest, "grant_type is missing (RFC 6749 §4.1.3)")
	case GrantClientCredentials:
		grantFn = s.grantClientCredentials
	case GrantPassword:
		grantFn = s.grantPassword
	case GrantAuthorizationCode:
		grantFn = s.grantAuthorizationCode
	case GrantRefreshToken:
		grantFn = s.grantRefreshToken
	case GrantTokenExchange:
		grantFn = s.grantTokenExchange
	case GrantDeviceCode:
		grantFn = s.grantDeviceCode
	case GrantJWTBearer:
		grantFn = s.grantJWTBearer
	default:
		e = NewError(ErrUnsupportedGrantType, "grant_type "+quoteShort(grant)+" is not supported; use authorization_code, refresh_token, client_credentials, password, "+GrantDeviceCode+" or "+GrantTokenExchange+" (RFC 6749 §5.2)")
	}
	if e == nil && !hasGrant(client, grant) {
		e = NewError(ErrUnauthorizedClient, "client "+client.ID+" is not registered for the "+grant+" grant (RFC 6749 §5.2)")
	}
	if e == nil {
		req.jkt, e = s.tokenDPoP(w, r, client) // RFC 9449 §5
	}
	if e != nil {
		WriteError(w, e)
		return
	}
	out, e := grantFn(req)
	if e != nil {
		WriteError(w, e)
		return
	}
	out.DPoP = req.jkt != ""
	s.writeTokenResponse(w, client, out)
}

// requestedScope checks a scope parameter against what may be granted
// (RFC 6749 §3.3): empty means all of allowed; anything beyond is
// invalid_scope. The result keeps the request's order, without duplicates.
func requestedScope(param string, allowed []string) (string, *Error) {
	if param == "" {
		return strings.Join(allowed, " "), nil
	}
	var out []string
	for _, sc := range strings.Fields(param) {
		if !slices.Contains(allowed, sc) {
			return "", NewError(ErrInvalidScope, "scope "+quoteShort(sc)+" is not allowed here; allowed: "+strings.Join(allowed, " ")+" (RFC 6749 §3.3)")
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return strings.Join(out, " "), nil
}

// quoteShort quotes a value taken from a request for an error description,
// cut to 64 characters.
func quoteShort(v string) string {
	if len(v) > 64 {
		v = v[:64] + "..."
	}
	return "'" + v + "'"
}

// secretInQuery refuses a request that carries one of the named secrets in
// its URI, where logs and proxies keep it (docs/security.md rule 12; clientauth
// refuses client_secret there).
func secretInQuery(r *http.Request, names ...string) *Error {
	if r.URL.RawQuery == "" {
		return nil
	}
	q := r.URL.Query()
	for _, n := range names {
		if q.Has(n) {
			return NewError(ErrInvalidRequest, n+" must not be sent in the request URI, only in the form body (RFC 6749 §3.2)")
		}
	}
	return nil
}
