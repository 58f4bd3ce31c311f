package config

import (
	"strings"
)

// Registration modes of dynamic client registration (RFC 7591).
const (
	RegistrationOff   = ""      // no registration endpoint (the default)
	RegistrationOpen  = "open"  // anyone who can reach the server may register
	RegistrationToken = "token" // an initial access token is required (RFC 7591 §3)
)

// Defaults of dynamic client registration (docs/security.md rules 104–108).
const (
	DefaultRegistrationRate       = 20   // registration requests per minute and client IP address
	DefaultRegistrationMaxClients = 1000 // registered clients the store may hold
)

// Registration is the `registration:` section: dynamic client registration
// (RFC 7591) and management (RFC 7592) of `serve`. It is the zero value
// when registration is off; with a mode, the limits have their defaults.
type Registration struct {
	Mode string // RegistrationOff, RegistrationOpen or RegistrationToken
	// InitialAccessTokenFile holds the initial access token of token mode
	// (else OAUTHKIT_REGISTRATION_TOKEN); never in the file itself.
	InitialAccessTokenFile string
	RatePerMinute          int
	MaxClients             int
}

type fileRegistration struct {
	Mode                   string `yaml:"mode"`
	InitialAccessTokenFile string `yaml:"initial_access_token_file"`
	RatePerMinute          *int   `yaml:"rate_per_minute"`
	MaxClients             *int   `yaml:"max_clients"`
}

func (v *validator) registration(p keyPath, fr fileRegistration) Registration {
	r := Registration{
		Mode:                   oneOf(v, p.key("mode"), fr.Mode, RegistrationOff, RegistrationOpen, RegistrationToken),
		InitialAccessTokenFile: fr.InitialAccessTokenFile,
		RatePerMinute:          DefaultRegistrationRate,
		MaxClients:             DefaultRegistrationMaxClients,
	}
	if fr.InitialAccessTokenFile != "" && r.Mode != RegistrationToken {
		v.add(p.key("initial_access_token_file"), "needs mode: token")
	}
	for _, n := range []struct {
		key string
		in  *int
		out *int
	}{{"rate_per_minute", fr.RatePerMinute, &r.RatePerMinute}, {"max_clients", fr.MaxClients, &r.MaxClients}} {
		if n.in == nil {
			continue
		}
		if *n.in <= 0 {
			v.add(p.key(n.key), "must be greater than zero, got %d", *n.in)
			continue
		}
		*n.out = *n.in
	}
	if r.Mode == RegistrationOff {
		return Registration{} // off: the zero value, defaults and all
	}
	return r
}

// ClientMetadata is what a client asks to be registered with (RFC 7591
// §2), in the configuration's terms; empty lists take the RFC's defaults.
type ClientMetadata struct {
	Name                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	GrantTypes             []string // default: authorization_code (RFC 7591 §2)
	AuthMethod             string   // default: client_secret_basic (RFC 7591 §2)
	Scopes                 []string
}

// MetadataError is one problem of registration metadata: Field is the
// RFC 7591 member (with an index for a list item, redirect_uris[1]).
type MetadataError struct {
	Field string
	Msg   string
}

func (e MetadataError) Error() string { return e.Field + ": " + e.Msg }

// CheckClientMetadata judges registration metadata with exactly the rules
// of a client declared in the configuration file (redirect URIs, grants,
// authentication method, scopes), so a registered client can do no more
// than a configured one could (docs/security.md rule 105). confidential
// says the server gives the client a secret (it does unless AuthMethod is
// none); the secret itself is the caller's, so the returned client has
// none. It returns the client, or every problem found.
func CheckClientMetadata(id string, confidential bool, m ClientMetadata) (*Client, []MetadataError) {
	method := m.AuthMethod
	if method == "" {
		method = "client_secret_basic"
	}
	grants := m.GrantTypes
	if len(grants) == 0 {
		grants = []string{string(GrantAuthorizationCode)}
	}
	fc := fileClient{ID: id, Name: m.Name, RedirectURIs: m.RedirectURIs, PostLogoutRedirectURIs: m.PostLogoutRedirectURIs,
		GrantTypes: grants, AuthMethod: method, Scopes: m.Scopes}
	if confidential {
		generated := strings.Repeat("x", MinSecretLength) // stands for the server's random secret
		fc.Secret = &generated
	}
	v := &validator{file: "registration"}
	cfg := &Config{Tokens: Tokens{Format: FormatJWT}}
	v.clients(cfg, keyPath{}, []fileClient{fc})
	if len(v.errs) > 0 {
		out := make([]MetadataError, 0, len(v.errs))
		for _, e := range v.errs {
			out = append(out, MetadataError{Field: metadataField(e.Path), Msg: e.Msg})
		}
		return nil, out
	}
	c := &cfg.Clients[0]
	c.Secret = ""
	return c, nil
}

// metadataField names a configuration key path of clients[0] as the RFC
// 7591 member it came from.
func metadataField(path string) string {
	path = strings.TrimPrefix(path, "[0]")
	path = strings.TrimPrefix(path, ".")
	for cfgKey, member := range map[string]string{"auth_method": "token_endpoint_auth_method", "scopes": "scope",
		"name": "client_name", "secret": "token_endpoint_auth_method"} {
		if path == cfgKey || strings.HasPrefix(path, cfgKey+"[") {
			return member + strings.TrimPrefix(path, cfgKey)
		}
	}
	if path == "" {
		return "client metadata"
	}
	return path
}
