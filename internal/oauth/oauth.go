// Package oauth holds the protocol vocabulary the server's configuration
// and the server itself share, as typed constants defined once: grant
// types, the PKCE policy, access-token formats and token response
// profiles.
package oauth

// GrantType is an OAuth 2.0 grant (RFC 6749 §1.3).
type GrantType string

// Grant types.
const (
	GrantAuthorizationCode GrantType = "authorization_code"
	GrantRefreshToken      GrantType = "refresh_token"
	GrantClientCredentials GrantType = "client_credentials"
	GrantPassword          GrantType = "password"
	GrantImplicit          GrantType = "implicit"
	// GrantJWTBearer is the JWT bearer authorization grant (RFC 7523 §2.1);
	// configurations may call it jwt_bearer.
	GrantJWTBearer GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// PKCEPolicy says which clients must send a code_challenge (RFC 7636).
type PKCEPolicy string

// PKCE policies.
const (
	PKCERequired PKCEPolicy = "required" // every client
	PKCEPublic   PKCEPolicy = "public"   // public clients only (the default)
	PKCEOptional PKCEPolicy = "optional" // nobody, but checked when sent
)

// TokenFormat is the format of access tokens.
type TokenFormat string

// Token formats.
const (
	FormatJWT    TokenFormat = "jwt"    // RFC 9068
	FormatOpaque TokenFormat = "opaque" // random string, looked up in the store
)

// ResponseProfile is the shape of token responses.
type ResponseProfile string

// Response profiles.
const (
	ProfileRFC6749 ResponseProfile = "rfc6749" // RFC 6749 §5.1
	ProfileApigee  ResponseProfile = "apigee"  // Apigee Edge's extended response
)
