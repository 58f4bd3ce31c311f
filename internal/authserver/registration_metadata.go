package authserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/internal/store"
)

// Bounds of registration metadata (docs/security.md rule 106).
const (
	maxRegistrationBody  = 16 << 10 // bytes of a registration or update request
	maxRedirectURIs      = 20       // redirect_uris and post_logout_redirect_uris, each
	maxMetadataString    = 2000     // bytes of one URI or the scope
	maxClientNameLength  = 200      // bytes of client_name
	errInvalidRedirect   = "invalid_redirect_uri"
	errInvalidMetadata   = "invalid_client_metadata"
	errInvalidSoftware   = "invalid_software_statement"
	responseTypesImplied = "code for authorization_code, token, id_token or 'id_token token' for implicit"
)

// clientMetadata is a registration or update request (RFC 7591 §2, RFC
// 7592 §2.2).
type clientMetadata struct {
	config.ClientMetadata
	ResponseTypes []string
	// ClientID and ClientSecret are sent with an update only.
	ClientID, ClientSecret string
}

// readClientMetadata reads the JSON body of a registration or update
// request: a JSON object of at most maxRegistrationBody bytes whose
// members have the types of RFC 7591 §2. Members the server does not know
// are ignored, as §2 asks.
func readClientMetadata(w http.ResponseWriter, r *http.Request) (*clientMetadata, *Error) {
	bad := func(desc string) *Error { return NewError(errInvalidMetadata, desc) }
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, bad("send the client metadata as a JSON object with Content-Type application/json (RFC 7591 §3.1)")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRegistrationBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &Error{Code: errInvalidMetadata, Status: http.StatusRequestEntityTooLarge,
				Description: "the client metadata is larger than " + strconv.Itoa(maxRegistrationBody) + " bytes (docs/security.md rule 106)"}
		}
		return nil, bad("the request body could not be read")
	}
	return parseClientMetadata(body)
}

// parseClientMetadata parses the metadata JSON (the fuzzed parser).
func parseClientMetadata(body []byte) (*clientMetadata, *Error) {
	bad := func(desc string) *Error { return NewError(errInvalidMetadata, desc) }
	var members map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&members); err != nil || members == nil {
		return nil, bad("the client metadata is not a JSON object (RFC 7591 §3.1)")
	}
	if dec.More() {
		return nil, bad("the client metadata holds more than one JSON value (RFC 7591 §3.1)")
	}
	if _, ok := members["software_statement"]; ok {
		return nil, NewError(errInvalidSoftware, "this server does not accept software statements (RFC 7591 §2.3)")
	}
	md := &clientMetadata{}
	var scope string
	strs := []struct {
		name string
		dst  *string
		max  int
	}{
		{"client_name", &md.Name, maxClientNameLength},
		{"token_endpoint_auth_method", &md.AuthMethod, 100},
		{"scope", &scope, maxMetadataString},
		{"client_id", &md.ClientID, 200},
		{"client_secret", &md.ClientSecret, 500},
	}
	for _, s := range strs {
		raw, ok := members[s.name]
		if !ok || string(raw) == "null" {
			continue
		}
		if err := json.Unmarshal(raw, s.dst); err != nil {
			return nil, bad(s.name + " must be a string (RFC 7591 §2)")
		}
		if len(*s.dst) > s.max {
			return nil, bad(s.name + " is longer than " + strconv.Itoa(s.max) + " bytes (docs/security.md rule 106)")
		}
	}
	lists := []struct {
		name string
		dst  *[]string
		code string
	}{
		{"redirect_uris", &md.RedirectURIs, errInvalidRedirect},
		{"post_logout_redirect_uris", &md.PostLogoutRedirectURIs, errInvalidRedirect},
		{"grant_types", &md.GrantTypes, errInvalidMetadata},
		{"response_types", &md.ResponseTypes, errInvalidMetadata},
	}
	for _, l := range lists {
		raw, ok := members[l.name]
		if !ok || string(raw) == "null" {
			continue
		}
		if err := json.Unmarshal(raw, l.dst); err != nil {
			return nil, NewError(l.code, l.name+" must be an array of strings (RFC 7591 §2)")
		}
		if len(*l.dst) > maxRedirectURIs {
			return nil, NewError(l.code, l.name+" lists more than "+strconv.Itoa(maxRedirectURIs)+" values (docs/security.md rule 106)")
		}
		for _, v := range *l.dst {
			if len(v) > maxMetadataString {
				return nil, NewError(l.code, l.name+" holds a value longer than "+strconv.Itoa(maxMetadataString)+" bytes (docs/security.md rule 106)")
			}
		}
	}
	md.Scopes = strings.Fields(scope)
	return md, nil
}

// buildRegisteredClient judges the metadata with the rules of a configured
// client (config.CheckClientMetadata, docs/security.md rule 105) and
// returns the client to store, without its secret and token hashes.
func (s *Server) buildRegisteredClient(id string, md *clientMetadata) (store.Client, *Error) {
	m := md.ClientMetadata
	if len(m.Scopes) == 0 {
		// RFC 7591 §2: the server may give a default set: the scopes it describes.
		m.Scopes = slices.Sorted(maps.Keys(s.settings.ScopeDescriptions))
	}
	c, problems := config.CheckClientMetadata(id, m.AuthMethod != "none", m)
	if len(problems) > 0 {
		code := errInvalidMetadata
		var parts []string
		for _, p := range problems {
			if strings.HasPrefix(p.Field, "redirect_uris") || strings.HasPrefix(p.Field, "post_logout_redirect_uris") {
				code = errInvalidRedirect
			}
			parts = append(parts, p.Error())
		}
		// A redirect URI problem wins: it is the more specific code (RFC 7591 §3.2.2).
		return store.Client{}, NewError(code, strings.Join(parts, "; ")+" (RFC 7591 §2; docs/security.md rule 105)")
	}
	allowed := impliedResponseTypes(c.GrantTypes)
	for _, rt := range md.ResponseTypes {
		if !slices.Contains(allowed, normalizeResponseType(rt)) {
			return store.Client{}, NewError(errInvalidMetadata, "response_types "+quoteShort(rt)+" does not match grant_types: "+
				responseTypesImplied+" (RFC 7591 §2.1)")
		}
	}
	sc := store.Client{
		ID: c.ID, Name: c.Name, RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		Scopes: c.Scopes, AuthMethod: string(c.AuthMethod), TokenResponse: string(c.TokenResponse),
		Ext: store.ClientExtensions{Registered: true},
	}
	for _, g := range c.GrantTypes {
		sc.GrantTypes = append(sc.GrantTypes, string(g))
	}
	return sc, nil
}

// impliedResponseTypes are the response types the grants allow at
// /authorize (RFC 7591 §2.1).
func impliedResponseTypes(grants []config.GrantType) []string {
	out := []string{}
	if slices.Contains(grants, config.GrantAuthorizationCode) {
		out = append(out, ResponseTypeCode)
	}
	if slices.Contains(grants, config.GrantImplicit) {
		out = append(out, ResponseTypeToken, ResponseTypeIDToken, ResponseTypeIDTokenToken)
	}
	return out
}

// clientInformation is the client information response (RFC 7591 §3.2.1,
// RFC 7592 §3). secret is the client secret when it was just issued (""
// otherwise: only its hash is kept), regToken the registration access
// token the client holds.
func (s *Server) clientInformation(c store.Client, secret, regToken string) map[string]any {
	grants := make([]config.GrantType, len(c.GrantTypes))
	for i, g := range c.GrantTypes {
		grants[i] = config.GrantType(g)
	}
	out := map[string]any{
		"client_id":                  c.ID,
		"client_id_issued_at":        c.CreatedAt.Unix(),
		"client_name":                c.Name,
		"redirect_uris":              nonNil(c.RedirectURIs),
		"grant_types":                nonNil(c.GrantTypes),
		"response_types":             impliedResponseTypes(grants),
		"token_endpoint_auth_method": c.AuthMethod,
		"scope":                      strings.Join(c.Scopes, " "),
		"registration_client_uri":    s.registrationURI(c.ID),
		"registration_access_token":  regToken,
	}
	if len(c.PostLogoutRedirectURIs) > 0 {
		out["post_logout_redirect_uris"] = c.PostLogoutRedirectURIs
	}
	if c.AuthMethod != "none" {
		out["client_secret_expires_at"] = 0 // the secret does not expire (RFC 7591 §3.2.1)
		if secret != "" {
			out["client_secret"] = secret
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
