package authserver

import (
	"slices"
	"strconv"
	"strings"

	"github.com/oauthkit/oauthkit/internal/oauth"
	"github.com/oauthkit/oauthkit/internal/store"
)

// Resource is a protected resource this server issues access tokens for
// (RFC 8707): a client names it with the resource parameter and the token's
// aud becomes its identifier.
type Resource struct {
	ID   string // the resource indicator: an absolute URI without fragment
	Name string
	// Scopes are the scopes the resource accepts; empty means any.
	Scopes []string
}

// maxResources bounds the resource parameters of one request
// (docs/security.md rule 96).
const maxResources = 10

// ProtectedPath is the demo resource this server serves itself.
const ProtectedPath = "/protected"

// ProtectedResourceID is the resource indicator of the demo /protected
// resource: always known, accepting any scope.
func (s *Server) ProtectedResourceID() string { return s.settings.Issuer + ProtectedPath }

// resource returns the known resource with this identifier.
func (s *Server) resource(id string) (Resource, bool) {
	if id == s.ProtectedResourceID() {
		return Resource{ID: id, Name: "oauthkit demo resource"}, true
	}
	for _, r := range s.settings.Resources {
		if r.ID == id {
			return r, true
		}
	}
	return Resource{}, false
}

// checkResources validates the resource parameters of a request for client c
// and scope (RFC 8707 §2, docs/security.md rules 96–97): each is a valid
// resource indicator, known to this server and allowed for the client, and
// every scope that is not an OpenID Connect one is accepted by at least one
// of them. The result keeps the request's order without duplicates; nil
// when none was sent.
func (s *Server) checkResources(c store.Client, values []string, scope string) ([]string, *Error) {
	if len(values) == 0 {
		return nil, nil
	}
	if len(values) > maxResources {
		return nil, NewError(ErrInvalidTarget, "at most "+strconv.Itoa(maxResources)+" resource parameters are accepted (docs/security.md rule 96)")
	}
	var out []string
	var known []Resource
	for _, v := range values {
		if err := oauth.CheckResourceIndicator(v); err != nil {
			return nil, NewError(ErrInvalidTarget, "resource "+quoteShort(v)+" "+err.Error())
		}
		r, ok := s.resource(v)
		if !ok {
			return nil, NewError(ErrInvalidTarget, "resource "+quoteShort(v)+" is not a resource this server issues tokens for (RFC 8707 §2)")
		}
		if len(c.Ext.Resources) > 0 && !slices.Contains(c.Ext.Resources, v) {
			return nil, NewError(ErrInvalidTarget, "client "+c.ID+" may not request tokens for resource "+quoteShort(v)+" (RFC 8707 §2)")
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
			known = append(known, r)
		}
	}
	for _, sc := range strings.Fields(scope) {
		if sc == ScopeOpenID || sc == "offline_access" || slices.Contains(standardScopes(), sc) {
			continue
		}
		if !slices.ContainsFunc(known, func(r Resource) bool { return len(r.Scopes) == 0 || slices.Contains(r.Scopes, sc) }) {
			return nil, NewError(ErrInvalidScope, "scope "+quoteShort(sc)+" is not accepted by the requested resource(s) "+strings.Join(out, " ")+" (RFC 8707 §2)")
		}
	}
	return out, nil
}

// narrowResources picks the resources of a token request against those the
// grant was given for (RFC 8707 §2.2, docs/security.md rule 98): none sent
// means all of granted; each one sent must be among them, so a token request
// or a refresh can narrow the audience, never widen it. The choice is checked
// again against the server's and the client's current resources.
func (s *Server) narrowResources(c store.Client, sent []string, granted string, scope string) ([]string, *Error) {
	have := strings.Fields(granted)
	if len(sent) == 0 {
		sent = have
	}
	for _, v := range sent {
		if slices.Contains(have, v) {
			continue
		}
		if err := oauth.CheckResourceIndicator(v); err != nil {
			return nil, NewError(ErrInvalidTarget, "resource "+quoteShort(v)+" "+err.Error())
		}
		if len(have) == 0 {
			return nil, NewError(ErrInvalidTarget, "resource "+quoteShort(v)+" was not requested at authorization; a token request can only narrow the resources of the grant, which has none (RFC 8707 §2.2)")
		}
		return nil, NewError(ErrInvalidTarget, "resource "+quoteShort(v)+" is not one the grant was given for ("+granted+"); a token request can only narrow them (RFC 8707 §2.2)")
	}
	return s.checkResources(c, sent, scope)
}

// audienceClaim is the aud of an access token for resources: the one
// identifier, or the list of them.
func audienceClaim(resources []string) any {
	if len(resources) == 1 {
		return resources[0]
	}
	return resources
}

// resourceParams returns every resource parameter of a token request
// (ParseForm lets it repeat).
func resourceParams(req *tokenRequest) []string {
	return req.r.PostForm["resource"]
}

// The error code of a bad request_uri (RFC 9126 §4, RFC 9101 §6.2).
const ErrInvalidRequestURI = "invalid_request_uri" // ErrInvalidTarget: errors.go
