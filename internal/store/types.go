package store

import (
	"encoding/json"
	"fmt"
	"time"
)

// Client is a registered OAuth client. SecretHash is already hashed
// (internal/hashing); "" for a public client.
type Client struct {
	ID           string
	SecretHash   string
	Name         string
	RedirectURIs []string
	// PostLogoutRedirectURIs are where RP-initiated logout may send the
	// browser back to (OpenID Connect RP-Initiated Logout 1.0 §3).
	PostLogoutRedirectURIs []string
	GrantTypes             []string
	Scopes                 []string
	AuthMethod             string // client_secret_basic | client_secret_post | none
	AutoApprove            bool
	SkipConsent            bool
	TokenResponse          string // response profile: "" (RFC 6749), "apigee", "jwt"
	Claims                 map[string]any
	CreatedAt              time.Time
	// Ext holds the settings of the protocol extensions (JWT client
	// authentication, DPoP, PAR, token exchange, dynamic registration).
	Ext ClientExtensions
}

// ClientExtensions are the client settings of the protocol extensions. They
// are stored as one JSON document (every field has a json tag with
// omitempty), so an extension adds a field here and no schema change; a
// store returns empty slices and maps in it as nil, like the rest of Client.
type ClientExtensions struct {
	// DPoPBoundAccessTokens: the client's token requests must carry a DPoP
	// proof (RFC 9449 §5.2).
	DPoPBoundAccessTokens bool `json:"dpop_bound_access_tokens,omitempty"`
	// Registered marks a client created by dynamic registration (RFC 7591),
	// not declared in the configuration: configuration sync keeps it, and
	// only it can be read, updated or deleted with RFC 7592.
	Registered bool `json:"registered,omitempty"`
	// RegistrationTokenHash is the hashed registration access token of a
	// registered client (RFC 7592 §3), never the token itself.
	RegistrationTokenHash string `json:"registration_token_hash,omitempty"`
	// TokenExchangeAudiences are the audience and resource values the
	// client may ask for in a token exchange (RFC 8693 §2.1); others are
	// invalid_target.
	TokenExchangeAudiences []string `json:"token_exchange_audiences,omitempty"`
	// RequirePushedAuthorizationRequests: the client's authorization
	// requests must come through the PAR endpoint (RFC 9126 §6).
	RequirePushedAuthorizationRequests bool `json:"require_pushed_authorization_requests,omitempty"`
	// Resources, when set, are the only resource indicators (RFC 8707) the
	// client may ask for, among the server's configured resources.
	Resources []string `json:"resources,omitempty"`
	// JWKS is the client's public JSON Web Key Set (inline, or read from
	// jwks_file by the configuration), for private_key_jwt client
	// authentication and the JWT bearer grant (RFC 7523); JWKSURI is where
	// the server fetches it instead. At most one is set.
	JWKS    json.RawMessage `json:"jwks,omitempty"`
	JWKSURI string          `json:"jwks_uri,omitempty"`
	// AssertionAlg pins the JWS alg of the client's assertions
	// (token_endpoint_auth_signing_alg, RFC 7591 §2); "" accepts each
	// key's own algorithm (HS256 for client_secret_jwt).
	AssertionAlg string `json:"token_endpoint_auth_signing_alg,omitempty"`
}

// User is a resource owner who can log in. PasswordHash is already hashed.
// Subject (the "sub" claim) is unique among users.
type User struct {
	Username     string
	Subject      string
	PasswordHash string
	Claims       map[string]any
}

// Code is an authorization code. Hash is the hashed code value.
type Code struct {
	Hash            string
	ClientID        string
	RedirectURI     string
	Scope           string
	Subject         string
	CodeChallenge   string
	ChallengeMethod string
	Nonce           string
	AuthTime        time.Time
	// SessionID is the browser session's "sid" (OpenID Connect), "" when
	// the code was issued without one (auto-approve).
	SessionID string
	// Resource is the space-separated resource indicators (RFC 8707) of
	// the request, "" when it named none.
	Resource  string
	ExpiresAt time.Time

	// Set by the store, ignored by Create.
	UsedAt   time.Time // zero until redeemed
	FamilyID string    // the grant created from this code (Family.CodeHash), "" if none
}

// TokenStatus is the state of one refresh token within its family.
type TokenStatus string

// The states of a refresh token.
const (
	StatusActive  TokenStatus = "active"  // may be rotated
	StatusRotated TokenStatus = "rotated" // replaced by its successor; presenting it again is reuse
	StatusRevoked TokenStatus = "revoked" // its family was revoked while it was active
)

// Family is one grant: what a user granted a client, from the first token
// to the last rotation. Every refresh token and access token issued under
// the grant points to it; revoking it kills them all.
type Family struct {
	ID        string
	ClientID  string
	Subject   string
	Scope     string
	AuthTime  time.Time
	SessionID string // the "sid" of the browser session that signed in, "" if none
	// Resource is the space-separated resource indicators (RFC 8707) the
	// grant was given for ("" for none): a refresh may narrow them, never
	// widen them.
	Resource  string
	CreatedAt time.Time
	// CodeHash is the authorization code the grant was issued from ("" for
	// other grants). Redeem of that code again reports this family in
	// Code.FamilyID, so the caller can revoke it (docs/security.md rule 9).
	CodeHash string
	Revoked  bool // set by the store
}

// RefreshToken is one refresh token of a family. Hash is the hashed value.
type RefreshToken struct {
	Hash      string
	IssuedAt  time.Time
	ExpiresAt time.Time

	// Set by the store.
	FamilyID     string
	RefreshCount int // 0 for the first token, +1 per rotation
	Status       TokenStatus
	RotatedAt    time.Time // zero unless Status is StatusRotated
}

// Rotation asks RefreshTokenStore.Rotate to replace a refresh token with
// its successor.
type Rotation struct {
	OldHash string       // hash of the presented token
	Next    RefreshToken // Hash, IssuedAt, ExpiresAt; the store sets the rest
	Now     time.Time    // the request's time, taken when it arrived

	// Leeway decides who is the loser of a race rather than a replay: a
	// rotated-out token presented with Now no later than RotatedAt+Leeway
	// gets ErrConcurrentUse and the family is kept; later, ErrReused and the
	// family is revoked. With 0, only requests that arrived no later than
	// the winning one are treated as a race.
	Leeway time.Duration

	// Access, when set, is the record of the access token issued with
	// this refresh: it is stored in the same transaction, and only if the
	// rotation succeeds, so a token is never recorded for a refresh that
	// did not happen nor a refresh done without its token's record. Its
	// FamilyID must be the rotated token's family (ErrInvalid otherwise);
	// a taken ID is ErrConflict and rolls the rotation back.
	Access *AccessToken
}

// Validate checks the fields a Rotation must have (Now aside, which the
// stores check with canon.RequireNow).
func (r Rotation) Validate() error {
	if err := r.Next.Validate(); err != nil {
		return err
	}
	if r.Access != nil {
		if err := r.Access.Validate(); err != nil {
			return err
		}
		if r.Access.FamilyID == "" {
			return invalid("access token of a rotation", "FamilyID")
		}
	}
	return nil
}

// CheckFamily reports ErrInvalid when the access record of the rotation
// names another family than fam, the rotated token's.
func (r Rotation) CheckFamily(fam string) error {
	if r.Access != nil && r.Access.FamilyID != fam {
		return fmt.Errorf("rotate refresh token: the access token names family %q, the refresh token is of %q: %w",
			r.Access.FamilyID, fam, ErrInvalid)
	}
	return nil
}

// AccessToken records an issued access token for introspection and
// revocation. ID is the JWT's jti, or the hash of an opaque token.
// FamilyID is "" for grants without a family (client_credentials).
type AccessToken struct {
	ID        string
	FamilyID  string
	ClientID  string
	Subject   string
	Scope     string
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Audience is the space-separated aud of the token when resource
	// indicators (RFC 8707) chose it; "" means the server's default.
	Audience string

	// Revoked is set by the store: the token itself or its family was revoked.
	Revoked bool
}

// PushedRequest is an authorization request pushed to the PAR endpoint
// (RFC 9126), waiting for its one use at /authorize. Hash is the hashed
// random part of its request_uri; Params the request's parameters
// (application/x-www-form-urlencoded, without client credentials).
type PushedRequest struct {
	Hash      string
	ClientID  string
	Params    string
	ExpiresAt time.Time
}

// Validate checks the fields a PushedRequest must have.
func (p PushedRequest) Validate() error {
	switch {
	case p.Hash == "":
		return invalid("pushed request", "Hash")
	case p.ClientID == "":
		return invalid("pushed request", "ClientID")
	case p.ExpiresAt.IsZero():
		return invalid("pushed request", "ExpiresAt")
	}
	return nil
}

// Key is a persisted signing key.
type Key struct {
	KID        string
	Alg        string // JWS alg, e.g. RS256, ES256, EdDSA
	PrivatePEM []byte
	CreatedAt  time.Time
	Active     bool // signs new tokens; inactive keys stay published for verification
}

func invalid(what, field string) error {
	return fmt.Errorf("%s: %s is required: %w", what, field, ErrInvalid)
}

// Validate checks the fields a Client must have.
func (c Client) Validate() error {
	if c.ID == "" {
		return invalid("client", "ID")
	}
	return nil
}

// Validate checks the fields a User must have.
func (u User) Validate() error {
	switch {
	case u.Username == "":
		return invalid("user", "Username")
	case u.Subject == "":
		return invalid("user", "Subject")
	}
	return nil
}

// Validate checks the fields a Code must have.
func (c Code) Validate() error {
	switch {
	case c.Hash == "":
		return invalid("authorization code", "Hash")
	case c.ClientID == "":
		return invalid("authorization code", "ClientID")
	case c.ExpiresAt.IsZero():
		return invalid("authorization code", "ExpiresAt")
	}
	return nil
}

// Validate checks the fields a Family must have.
func (f Family) Validate() error {
	switch {
	case f.ID == "":
		return invalid("grant family", "ID")
	case f.ClientID == "":
		return invalid("grant family", "ClientID")
	}
	return nil
}

// Validate checks the fields a RefreshToken handed to the store must have.
func (t RefreshToken) Validate() error {
	switch {
	case t.Hash == "":
		return invalid("refresh token", "Hash")
	case t.ExpiresAt.IsZero():
		return invalid("refresh token", "ExpiresAt")
	}
	return nil
}

// Validate checks the fields an AccessToken must have.
func (a AccessToken) Validate() error {
	switch {
	case a.ID == "":
		return invalid("access token", "ID")
	case a.ClientID == "":
		return invalid("access token", "ClientID")
	case a.ExpiresAt.IsZero():
		return invalid("access token", "ExpiresAt")
	}
	return nil
}

// Validate checks the fields a Key must have.
func (k Key) Validate() error {
	switch {
	case k.KID == "":
		return invalid("signing key", "KID")
	case k.Alg == "":
		return invalid("signing key", "Alg")
	case len(k.PrivatePEM) == 0:
		return invalid("signing key", "PrivatePEM")
	}
	return nil
}

// BrowserSession is one browser session of the login and consent pages.
type BrowserSession struct {
	Hash     string // hash of the session cookie's value
	Username string // "" until signed in
	Subject  string // "" until signed in: the session is anonymous
	AuthTime time.Time
	SID      string // the "sid" of ID tokens; not a secret
	// CreatedAt is when the session began (signed-in: when it signed in).
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Anonymous reports whether nobody has signed in on the session.
func (s BrowserSession) Anonymous() bool { return s.Subject == "" }

// Validate checks the fields a BrowserSession must have.
func (s BrowserSession) Validate() error {
	switch {
	case s.Hash == "":
		return invalid("browser session", "Hash")
	case s.ExpiresAt.IsZero():
		return invalid("browser session", "ExpiresAt")
	}
	return nil
}

// PendingRequest is an authorization request waiting in a browser session
// for the person to sign in or consent.
type PendingRequest struct {
	SessionHash string
	ID          string // names the request in the pages' URLs
	Data        []byte // the request, opaque to the store
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Validate checks the fields a PendingRequest must have.
func (p PendingRequest) Validate() error {
	switch {
	case p.SessionHash == "":
		return invalid("waiting request", "SessionHash")
	case p.ID == "":
		return invalid("waiting request", "ID")
	case p.ExpiresAt.IsZero():
		return invalid("waiting request", "ExpiresAt")
	}
	return nil
}
