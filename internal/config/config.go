// Package config loads and validates the YAML configuration file of
// `oauthkit serve`: issuer, store, keys, token lifetimes and hashing, and
// the declared clients and users.
package config

import (
	"github.com/oauthkit/oauthkit/internal/oauth"
	"path/filepath"
	"slices"
	"time"

	"github.com/oauthkit/oauthkit/internal/clientauth"
)

// The protocol vocabulary is defined once, in internal/oauth, and shared
// with the server.
type (
	// ResponseProfile is the shape of token responses.
	ResponseProfile = oauth.ResponseProfile
	// PKCEPolicy says which clients must use PKCE (RFC 7636).
	PKCEPolicy = oauth.PKCEPolicy
	// TokenFormat is the format of access tokens.
	TokenFormat = oauth.TokenFormat
	// GrantType is an OAuth 2.0 grant a client may use.
	GrantType = oauth.GrantType
)

// Response profiles, PKCE policies, token formats and grant types.
const (
	ProfileRFC6749         = oauth.ProfileRFC6749
	ProfileApigee          = oauth.ProfileApigee
	PKCERequired           = oauth.PKCERequired
	PKCEPublic             = oauth.PKCEPublic
	PKCEOptional           = oauth.PKCEOptional
	FormatJWT              = oauth.FormatJWT
	FormatOpaque           = oauth.FormatOpaque
	GrantAuthorizationCode = oauth.GrantAuthorizationCode
	GrantRefreshToken      = oauth.GrantRefreshToken
	GrantClientCredentials = oauth.GrantClientCredentials
	GrantPassword          = oauth.GrantPassword
	GrantImplicit          = oauth.GrantImplicit
)

// HashAlgorithm hashes tokens and secrets at rest (Apigee's names).
type HashAlgorithm string

// Hash algorithms.
const (
	HashSHA1   HashAlgorithm = "sha1"
	HashSHA256 HashAlgorithm = "sha256"
	HashSHA384 HashAlgorithm = "sha384"
	HashSHA512 HashAlgorithm = "sha512"
	HashPlain  HashAlgorithm = "plain"
)

// TokenResponse is how the token endpoint answers a client.
type TokenResponse string

// Token response kinds.
const (
	TokenResponseJSON   TokenResponse = "json"    // the JSON object
	TokenResponseRawJWT TokenResponse = "raw_jwt" // the bare JWT (Tencent's demo)
)

// Defaults, as Apigee Edge has them.
const (
	DefaultAccessTokenTTL  = 30 * time.Minute
	DefaultRefreshTokenTTL = 8 * time.Hour
	DefaultCodeTTL         = time.Minute
	DefaultIDTokenTTL      = time.Hour
)

// Config is a validated configuration file with its defaults applied.
type Config struct {
	// File is the name the configuration was read from; Dir its directory
	// ("" for Parse), against which Resolve makes relative paths absolute.
	File, Dir string

	// Issuer is empty when the file has none: serve derives it from its address.
	Issuer string
	// Store is the zero Store when the file has none: serve's default.
	Store           Store
	Keys            []string
	ResponseProfile ResponseProfile
	PKCE            PKCEPolicy
	Tokens          Tokens
	// Scopes maps a scope to its description for the consent page.
	Scopes  map[string]string
	Clients []Client
	Users   []User
	// Warnings are "file:line: path: message" lines about a working but
	// weak configuration (short client secrets), for standard error.
	Warnings []string
}

// Store names the token store: "memory", "sqlite:PATH" or a PostgreSQL
// URL (postgres:// or postgresql://).
type Store struct {
	Driver string // "", "memory", "sqlite" or "postgres"
	Path   string // the SQLite file
	URL    string // the PostgreSQL URL, as written
}

// Tokens holds token lifetimes, format and hashing.
type Tokens struct {
	Format TokenFormat
	// Audience is the "aud" of access tokens; empty means the issuer.
	Audience        string
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	CodeTTL         time.Duration
	IDTokenTTL      time.Duration
	Hashing         Hashing
}

// Hashing is the at-rest hashing of tokens; Fallback ("" for none) is
// tried for tokens stored before a change of Algorithm.
type Hashing struct {
	Algorithm HashAlgorithm
	Fallback  HashAlgorithm
}

// Client is a registered client.
type Client struct {
	ID   string
	Name string
	// Secret is the plain secret; SecretHash the parsed secret_hash. At most
	// one is set; neither for a public client.
	Secret       string
	SecretHash   *SecretHash
	RedirectURIs []string
	// PostLogoutRedirectURIs are where RP-initiated logout may send the
	// browser afterwards, matched exactly (OpenID Connect RP-Initiated
	// Logout 1.0 §3); checked like redirect URIs.
	PostLogoutRedirectURIs []string
	GrantTypes             []GrantType
	Scopes                 []string
	AuthMethod             clientauth.Method
	AutoApprove            bool
	SkipConsent            bool
	TokenResponse          TokenResponse
	Claims                 map[string]any
	// AccessTokenSigningAlg is the JWS alg of the client's JWT access
	// tokens ("": the signing key's); a key of the keys list signs them.
	// ID tokens are always signed by the first key.
	AccessTokenSigningAlg string
}

// AccessTokenAlgs maps the ID of each client with an
// access_token_signing_alg to it (authserver.Settings.AccessTokenAlgs).
func (c *Config) AccessTokenAlgs() map[string]string {
	var out map[string]string // nil when no client has one
	for _, cl := range c.Clients {
		if cl.AccessTokenSigningAlg != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[cl.ID] = cl.AccessTokenSigningAlg
		}
	}
	return out
}

// Public reports whether the client has no secret.
func (c *Client) Public() bool { return c.Secret == "" && c.SecretHash == nil }

// AllowsGrant reports whether the client may use grant g.
func (c *Client) AllowsGrant(g GrantType) bool { return slices.Contains(c.GrantTypes, g) }

// User is a resource owner who can log in.
type User struct {
	Username string
	// Password is the plain password from the file (the server should hash
	// it with HashPassword at load time); PasswordHash a bcrypt or argon2id
	// hash. Exactly one is set.
	Password     string
	PasswordHash string
	Claims       map[string]any
}

// Resolve returns p relative to the configuration file's directory when it
// is relative and the configuration came from a file.
func (c *Config) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) || c.Dir == "" {
		return p
	}
	return filepath.Join(c.Dir, p)
}
