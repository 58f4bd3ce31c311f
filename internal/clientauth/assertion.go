package clientauth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// The JWT client authentication methods (RFC 7523 §2.2, OpenID Connect
// Core §9).
const (
	MethodPrivateKeyJWT Method = "private_key_jwt"
	MethodSecretJWT     Method = "client_secret_jwt"
)

// AssertionType is the client_assertion_type of a JWT client assertion
// (RFC 7523 §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Limits of an assertion's lifetime (docs/security.md rule 71).
const (
	// MaxAssertionLifetime is how far in the future exp may be: an
	// assertion is minted for one request, and its jti is remembered until
	// exp, so a long-lived one is refused.
	MaxAssertionLifetime = 5 * time.Minute
	// AssertionLeeway tolerates clock skew on exp, nbf and iat.
	AssertionLeeway = 30 * time.Second
)

// ErrInvalidAssertion: a client assertion (or a JWT bearer grant
// assertion) is malformed or breaks a rule of RFC 7523 §3. Every error of
// CheckClaims and Verify matches it. A server answers invalid_client for a
// client assertion (RFC 7521 §4.2.1) and invalid_grant for a grant
// assertion (RFC 7521 §4.1.1).
var ErrInvalidAssertion = errors.New("invalid JWT assertion")

// ErrUnknownKey: the assertion names a kid none of the keys has. It also
// matches ErrInvalidAssertion; a server with a jwks_uri fetches the set
// again before it gives up.
var ErrUnknownKey = errors.New("no key with the assertion's kid")

// assertionError is an ErrInvalidAssertion with a one-line reason.
type assertionError struct {
	msg        string
	unknownKey bool
}

func (e *assertionError) Error() string { return e.msg }

func (e *assertionError) Is(target error) bool {
	return target == ErrInvalidAssertion || (e.unknownKey && target == ErrUnknownKey)
}

func assertionf(format string, a ...any) error {
	return &assertionError{msg: fmt.Sprintf(format, a...)}
}

// Assertion is a JWT assertion as presented, decoded but not yet trusted.
type Assertion struct {
	Raw     string
	Alg     string
	KeyID   string
	Issuer  string
	Subject string
	JTI     string
	// Audience is the aud claim (a string is a list of one).
	Audience  []string
	ExpiresAt time.Time // zero when exp is missing (CheckClaims refuses it)
	Claims    map[string]any

	decoded *token.Decoded
}

// ParseAssertion decodes a compact JWS assertion without verifying it.
// what names it in errors ("client_assertion", "assertion").
func ParseAssertion(what, raw string) (*Assertion, error) {
	if raw == "" {
		return nil, assertionf("%s is empty (RFC 7521 §4.2)", what)
	}
	d, err := token.Decode(raw)
	if err != nil {
		return nil, assertionf("%s is not a JWT: %v (RFC 7523 §3)", what, err)
	}
	a := &Assertion{Raw: raw, Alg: d.Alg(), KeyID: d.KeyID(), Claims: d.Claims, decoded: d}
	str := func(name string) (string, error) {
		v, ok := d.Claims[name]
		if !ok {
			return "", nil
		}
		s, isString := v.(string)
		if !isString {
			return "", assertionf("%s claim %s is not a string (RFC 7523 §3)", what, name)
		}
		return s, nil
	}
	if a.Issuer, err = str("iss"); err != nil {
		return nil, err
	}
	if a.Subject, err = str("sub"); err != nil {
		return nil, err
	}
	if a.JTI, err = str("jti"); err != nil {
		return nil, err
	}
	if aud, ok, err := token.Audience(d.Claims); err != nil {
		return nil, assertionf("%s: %v (RFC 7523 §3)", what, err)
	} else if ok {
		a.Audience = aud
	}
	exp, ok, err := token.NumericDate(d.Claims, "exp")
	if err != nil {
		return nil, assertionf("%s: %v (RFC 7523 §3)", what, err)
	}
	if ok {
		a.ExpiresAt = exp
	}
	return a, nil
}

// Expect is what CheckClaims demands of an assertion.
type Expect struct {
	// What names the assertion in errors: "client_assertion" or "assertion".
	What string
	// Issuer and Subject, when set, must equal iss and sub. A client
	// assertion has both set to the client_id (RFC 7523 §3 items 1, 2).
	Issuer, Subject string
	// Audiences are the accepted aud values: the assertion's aud (a string
	// or a list) must hold at least one (RFC 7523 §3 item 3).
	Audiences []string
	Now       time.Time
	// MaxLifetime bounds exp-now (MaxAssertionLifetime when zero); Leeway
	// tolerates clock skew (AssertionLeeway when zero).
	MaxLifetime, Leeway time.Duration
}

// CheckClaims checks the claims that do not depend on the keys (RFC 7523
// §3, docs/security.md rules 70–72): iss, sub, aud, exp (required, not
// past, not beyond MaxLifetime), nbf and iat (not in the future), jti
// (required), and that the assertion is signed at all (no alg none).
func (a *Assertion) CheckClaims(e Expect) error {
	what := e.What
	maxLife, leeway := e.MaxLifetime, e.Leeway
	if maxLife <= 0 {
		maxLife = MaxAssertionLifetime
	}
	if leeway <= 0 {
		leeway = AssertionLeeway
	}
	if strings.EqualFold(a.Alg, "none") || a.Alg == "" {
		return assertionf("%s is not signed (alg %q): an unsigned assertion is never accepted (RFC 7523 §3 item 9, docs/security.md rule 73)", what, a.Alg)
	}
	switch {
	case a.Issuer == "":
		return assertionf("%s has no iss claim (RFC 7523 §3 item 1)", what)
	case e.Issuer != "" && a.Issuer != e.Issuer:
		return assertionf("%s iss %s is not %s (RFC 7523 §3 item 1)", what, quote(a.Issuer), quote(e.Issuer))
	case a.Subject == "":
		return assertionf("%s has no sub claim (RFC 7523 §3 item 2)", what)
	case e.Subject != "" && a.Subject != e.Subject:
		return assertionf("%s sub %s is not %s: iss and sub of a client assertion are both the client_id (RFC 7523 §3 item 2)", what, quote(a.Subject), quote(e.Subject))
	case len(a.Audience) == 0:
		return assertionf("%s has no aud claim; use the issuer %s (RFC 7523 §3 item 3)", what, quote(first(e.Audiences)))
	case !slices.ContainsFunc(a.Audience, func(v string) bool { return slices.Contains(e.Audiences, v) }):
		return assertionf("%s aud %s is not this server: use the issuer %s or the endpoint's URL (RFC 7523 §3 item 3)", what, quote(strings.Join(a.Audience, " ")), quote(first(e.Audiences)))
	case a.ExpiresAt.IsZero():
		return assertionf("%s has no exp claim (RFC 7523 §3 item 4)", what)
	case !e.Now.Before(a.ExpiresAt.Add(leeway)):
		return assertionf("%s expired at %s (RFC 7523 §3 item 4)", what, a.ExpiresAt.UTC().Format(time.RFC3339))
	case a.ExpiresAt.Sub(e.Now) > maxLife+leeway:
		return assertionf("%s expires at %s, more than %s from now: mint a short-lived one per request (RFC 7523 §3 item 4, docs/security.md rule 71)", what, a.ExpiresAt.UTC().Format(time.RFC3339), token.HumanDuration(maxLife))
	case a.JTI == "":
		return assertionf("%s has no jti claim; a unique one per assertion is required (RFC 7523 §3 item 7, docs/security.md rule 72)", what)
	}
	for _, name := range []string{"nbf", "iat"} {
		t, ok, err := token.NumericDate(a.Claims, name)
		if err != nil {
			return assertionf("%s: %v (RFC 7523 §3)", what, err)
		}
		if ok && e.Now.Add(leeway).Before(t) {
			return assertionf("%s %s is in the future, at %s (RFC 7523 §3 items 5, 6)", what, name, t.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// Verification is what an assertion's signature is checked with.
type Verification struct {
	// Keys are the issuer's public keys (private_key_jwt, a grant issuer).
	Keys []*keys.Key
	// Secret is the client secret, the HMAC key of client_secret_jwt; nil
	// for a client that authenticates with keys.
	Secret []byte
	// Alg pins the algorithm ("": each key's own, HS256 with a Secret).
	Alg string
	Now time.Time
}

// Verify checks the assertion's signature (docs/security.md rule 73): the
// alg must be the pinned one; an HMAC alg is verified only with a Secret,
// never with a public key; a public-key alg only with Keys.
func (a *Assertion) Verify(v Verification) error {
	hmac := strings.HasPrefix(strings.ToUpper(a.Alg), "HS")
	switch {
	case strings.EqualFold(a.Alg, "none") || a.Alg == "":
		return assertionf("the assertion is not signed (alg %q) (RFC 7523 §3 item 9)", a.Alg)
	case v.Alg != "" && a.Alg != v.Alg:
		return assertionf("the assertion is signed with %s, but the client's algorithm is %s (token_endpoint_auth_signing_alg, docs/security.md rule 73)", a.Alg, v.Alg)
	case hmac && len(v.Secret) == 0:
		return assertionf("the assertion is signed with %s, an HMAC algorithm, but the client authenticates with public keys (RFC 8725 §3.1, docs/security.md rule 73)", a.Alg)
	case !hmac && len(v.Keys) == 0:
		return assertionf("the assertion is signed with %s, but the client has no public keys, only a secret (client_secret_jwt uses HS256, HS384 or HS512)", a.Alg)
	case hmac:
		m := jwt.GetSigningMethod(a.Alg)
		if _, ok := m.(*jwt.SigningMethodHMAC); !ok {
			return assertionf("alg %s is not supported (RFC 7518 §3.1)", quote(a.Alg))
		}
		if m.Verify(a.decoded.SigningInput, a.decoded.Signature, v.Secret) != nil {
			return assertionf("the assertion's %s signature does not verify with the client secret", a.Alg)
		}
		return nil
	}
	var algs []string
	if v.Alg != "" {
		algs = []string{v.Alg}
	}
	now := v.Now
	ver := token.Verifier{Keys: v.Keys, Algs: algs, AllowMissingExp: true, Leeway: AssertionLeeway,
		Now: func() time.Time { return now }}
	if _, err := ver.Verify(a.Raw); err != nil {
		switch token.KindOf(err) {
		case token.KindUnknownKey:
			return &assertionError{msg: "the assertion's " + err.Error(), unknownKey: true}
		case token.KindAlgorithm, token.KindSignature, token.KindMalformed:
			return assertionf("the assertion: %v", err)
		}
		// Time claims are CheckClaims's job; the signature verified.
	}
	return nil
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return "'" + s + "'"
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}

// fromAssertion reads the credentials of JWT client authentication
// (RFC 7523 §2.2): client_assertion_type, client_assertion and an optional
// client_id that must be the assertion's sub. The client is the sub of the
// (still unverified) assertion; the method is client_secret_jwt for an
// HMAC alg, private_key_jwt otherwise.
func fromAssertion(r *http.Request, form url.Values) (Credentials, error) {
	for _, name := range []string{"client_assertion", "client_assertion_type"} {
		if len(form[name]) > 1 {
			return Credentials{}, requestf(ErrRepeatedParameter, "parameter %s is repeated (RFC 6749 §3.2)", name)
		}
	}
	if _, present := basicHeader(r); present {
		return Credentials{}, requestf(ErrMultipleMethods, "client authenticated with both HTTP Basic and a client_assertion (RFC 6749 §2.3)")
	}
	if form.Get("client_secret") != "" {
		return Credentials{}, requestf(ErrMultipleMethods, "client authenticated with both client_secret and a client_assertion (RFC 6749 §2.3)")
	}
	switch typ := form.Get("client_assertion_type"); typ {
	case AssertionType:
	case "":
		return Credentials{}, requestf(ErrAssertionParams, "client_assertion_type is missing; it must be %s (RFC 7523 §2.2)", AssertionType)
	default:
		return Credentials{}, requestf(ErrAssertionParams, "client_assertion_type %s is not supported; use %s (RFC 7523 §2.2)", quote(typ), AssertionType)
	}
	raw := form.Get("client_assertion")
	if raw == "" {
		return Credentials{}, requestf(ErrAssertionParams, "client_assertion is missing (RFC 7521 §4.2)")
	}
	a, err := ParseAssertion("client_assertion", raw)
	if err != nil {
		return Credentials{}, err
	}
	id := a.Subject
	if id == "" {
		return Credentials{}, assertionf("client_assertion has no sub claim naming the client (RFC 7523 §3 item 2)")
	}
	if bodyID := form.Get("client_id"); bodyID != "" && bodyID != id {
		return Credentials{}, assertionf("client_assertion sub %s is not the client_id %s (RFC 7523 §3 item 2)", quote(id), quote(bodyID))
	}
	m := MethodPrivateKeyJWT
	if strings.HasPrefix(strings.ToUpper(a.Alg), "HS") {
		m = MethodSecretJWT
	}
	return Credentials{Method: m, ClientID: id, Assertion: a}, nil
}
