package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/oauthkit/oauthkit/internal/clientauth"
)

// validator turns the file as written into a Config, collecting errors.
type validator struct {
	file   string
	dir    string // against which the keys' paths are read
	doc    *yaml.Node
	errs   Errors
	broken []string // see brokenParents
	// warnings are not errors: the configuration works, but should not.
	warnings []string
}

// MinSecretLength is the length under which a configured client secret is
// warned about.
const MinSecretLength = 16

func (v *validator) add(p keyPath, format string, a ...any) {
	path := p.String()
	for _, b := range v.broken {
		if path == b || strings.HasPrefix(path, b+".") || strings.HasPrefix(path, b+"[") {
			return // a consequence of the YAML error already reported there
		}
	}
	v.errs = append(v.errs, &Error{File: v.file, Line: lineOf(v.doc, p), Path: path, Msg: fmt.Sprintf(format, a...)})
}

// brokenParents are the items (a client, a user, tokens) holding an unknown
// key or a value of the wrong type: their other checks would only report
// consequences of it (a misspelt redirect_uris is also "missing"), so they
// are skipped, while every other part of the file is still checked.
func brokenParents(errs Errors) []string {
	var out []string
	for _, e := range errs {
		if i := strings.LastIndexAny(e.Path, ".["); i > 0 {
			out = append(out, e.Path[:i])
		}
	}
	return out
}

// oneOf checks an enumerated value; "" gives def.
func oneOf[T ~string](v *validator, p keyPath, value string, def T, allowed ...T) T {
	if value == "" {
		return def
	}
	if slices.Contains(allowed, T(value)) {
		return T(value)
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	v.add(p, "%q is not one of %s", value, strings.Join(names, ", "))
	return def
}

func (v *validator) config(fc *fileConfig) *Config {
	root := keyPath{}
	cfg := &Config{
		Issuer: fc.Issuer,
		Keys:   fc.Keys,
		Scopes: fc.Scopes,
		ResponseProfile: oneOf(v, root.key("response_profile"), fc.ResponseProfile, ProfileRFC6749,
			ProfileRFC6749, ProfileApigee),
		PKCE: oneOf(v, root.key("pkce"), fc.PKCE, PKCEPublic, PKCERequired, PKCEPublic, PKCEOptional),
	}
	if fc.Issuer != "" {
		if err := CheckIssuer(fc.Issuer); err != nil {
			v.add(root.key("issuer"), "%v", err)
		}
	}
	cfg.Store = v.store(root.key("store"), fc.Store)
	seen := map[string]int{}
	for i, k := range fc.Keys {
		p := root.key("keys").idx(i)
		if strings.TrimSpace(k) == "" {
			v.add(p, "is empty; give the path of a private key PEM file")
		} else if j, dup := seen[k]; dup {
			v.add(p, "%q is already listed at keys[%d]", k, j)
		} else {
			seen[k] = i
		}
	}
	cfg.Tokens = v.tokens(root.key("tokens"), &fc.Tokens)
	for s := range fc.Scopes {
		if err := checkScope(s); err != nil {
			v.add(root.key("scopes").key(s), "%v", err)
		}
	}
	v.clients(cfg, root.key("clients"), fc.Clients)
	v.users(cfg, root.key("users"), fc.Users)
	v.signingKeysFor(cfg, root.key("clients"))
	v.cookieScope(cfg)
	slices.SortStableFunc(v.errs, func(a, b *Error) int { return a.Line - b.Line })
	return cfg
}

func (v *validator) store(p keyPath, s string) Store {
	switch {
	case s == "":
		return Store{}
	case s == "memory":
		return Store{Driver: "memory"}
	case strings.HasPrefix(s, "sqlite:"):
		if path := strings.TrimPrefix(s, "sqlite:"); strings.TrimSpace(path) != "" {
			return Store{Driver: "sqlite", Path: path}
		}
		v.add(p, `"sqlite:" needs a file path, e.g. sqlite:./oauthkit.db`)
		return Store{}
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		// Checked when serve opens it: the URL may hold a password, so no
		// message here repeats it.
		return Store{Driver: "postgres", URL: s}
	}
	v.add(p, `%q is not "memory", "sqlite:PATH" or "postgres://…"`, s)
	return Store{}
}

func (v *validator) tokens(p keyPath, ft *fileTokens) Tokens {
	return Tokens{
		Format:          oneOf(v, p.key("format"), ft.Format, FormatJWT, FormatJWT, FormatOpaque),
		Audience:        ft.Audience,
		AccessTokenTTL:  v.duration(p.key("access_token_ttl"), ft.AccessTokenTTL, DefaultAccessTokenTTL),
		RefreshTokenTTL: v.duration(p.key("refresh_token_ttl"), ft.RefreshTokenTTL, DefaultRefreshTokenTTL),
		CodeTTL:         v.duration(p.key("code_ttl"), ft.CodeTTL, DefaultCodeTTL),
		IDTokenTTL:      v.duration(p.key("id_token_ttl"), ft.IDTokenTTL, DefaultIDTokenTTL),
		Hashing: Hashing{
			Algorithm: oneOf(v, p.key("hashing").key("algorithm"), ft.Hashing.Algorithm, HashSHA256,
				HashSHA1, HashSHA256, HashSHA384, HashSHA512, HashPlain),
			Fallback: oneOf(v, p.key("hashing").key("fallback_algorithm"), ft.Hashing.FallbackAlgorithm, "",
				HashSHA1, HashSHA256, HashSHA384, HashSHA512, HashPlain),
		},
	}
}

func (v *validator) duration(p keyPath, s string, def time.Duration) time.Duration {
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		v.add(p, "%q is not a duration (write it with a unit: 60s, 30m, 8h)", s)
		return def
	}
	if d <= 0 {
		v.add(p, "must be greater than zero, got %q", s)
		return def
	}
	return d
}

// checkScope: scope-token = 1*NQCHAR, %x21 / %x23-5B / %x5D-7E (RFC 6749 §3.3).
func checkScope(s string) error {
	if s == "" {
		return fmt.Errorf("a scope name must not be empty (RFC 6749 §3.3)")
	}
	for _, c := range s {
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return fmt.Errorf("%q is not a valid scope: printable ASCII without space, '\"' or '\\' (RFC 6749 §3.3)", s)
		}
	}
	return nil
}

// checkVSCHAR: client_id and client_secret are *VSCHAR, %x20-7E (RFC 6749 Appendix A).
func checkVSCHAR(s string) bool {
	for _, c := range s {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// reservedClaims are set by the server and may not be configured.
var reservedClaims = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "client_id", "scope", "auth_time", "nonce", "azp",
	"at_hash", "c_hash", "sid"}

func (v *validator) claims(p keyPath, claims map[string]any) {
	for k := range claims {
		switch {
		case strings.TrimSpace(k) == "":
			v.add(p, "a claim name must not be empty")
		case slices.Contains(reservedClaims, k):
			v.add(p.key(k), "%q is set by the server and cannot be configured (reserved: %s)", k, strings.Join(reservedClaims, ", "))
		}
	}
}

var allGrants = []GrantType{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, GrantPassword, GrantImplicit}

func (v *validator) clients(cfg *Config, p keyPath, fcs []fileClient) {
	ids := map[string]int{}
	for i := range fcs {
		fc, cp := &fcs[i], p.idx(i)
		c := Client{ID: fc.ID, Name: fc.Name, RedirectURIs: fc.RedirectURIs, Scopes: fc.Scopes,
			PostLogoutRedirectURIs: fc.PostLogoutRedirectURIs,
			AutoApprove:            fc.AutoApprove, SkipConsent: fc.SkipConsent, Claims: fc.Claims}
		switch j, dup := ids[fc.ID]; {
		case fc.ID == "":
			v.add(cp.key("id"), "is required")
		case !checkVSCHAR(fc.ID):
			v.add(cp.key("id"), "%q may hold only printable ASCII (RFC 6749 Appendix A.1)", fc.ID)
		case dup:
			v.add(cp.key("id"), "%q is already used by clients[%d]", fc.ID, j)
		default:
			ids[fc.ID] = i
		}
		if c.Name == "" {
			c.Name = c.ID
		}
		v.clientSecret(&c, cp, fc)
		// A secret that is there but wrong is already reported: judge the
		// rest as for a confidential client, so one mistake gives one error.
		hasSecret := fc.Secret != nil || fc.SecretHash != nil
		c.AuthMethod = v.authMethod(hasSecret, cp.key("auth_method"), fc.AuthMethod)
		c.GrantTypes = v.grants(hasSecret, cp.key("grant_types"), fc.GrantTypes)
		if len(fc.RedirectURIs) == 0 {
			for _, g := range []GrantType{GrantAuthorizationCode, GrantImplicit} {
				if c.AllowsGrant(g) {
					v.add(cp.key("redirect_uris"), "at least one is required for the %s grant", g)
					break
				}
			}
		}
		v.uniqueList(cp.key("redirect_uris"), fc.RedirectURIs, func(u string) error { return CheckRedirectURI(u) })
		v.uniqueList(cp.key("post_logout_redirect_uris"), fc.PostLogoutRedirectURIs, func(u string) error { return CheckRedirectURI(u) })
		v.uniqueList(cp.key("scopes"), fc.Scopes, checkScope)
		c.TokenResponse = oneOf(v, cp.key("token_response"), fc.TokenResponse, TokenResponseJSON,
			TokenResponseJSON, TokenResponseRawJWT)
		if c.TokenResponse == TokenResponseRawJWT && cfg.Tokens.Format != FormatJWT {
			v.add(cp.key("token_response"), "raw_jwt needs tokens.format jwt, not %q", cfg.Tokens.Format)
		}
		v.claims(cp.key("claims"), fc.Claims)
		c.AccessTokenSigningAlg = v.accessTokenAlg(cfg, cp.key("access_token_signing_alg"), fc.AccessTokenSigningAlg)
		cfg.Clients = append(cfg.Clients, c)
	}
}

func (v *validator) clientSecret(c *Client, cp keyPath, fc *fileClient) {
	switch {
	case fc.Secret != nil && fc.SecretHash != nil:
		v.add(cp.key("secret_hash"), "give secret or secret_hash, not both")
	case fc.Secret != nil && *fc.Secret == "":
		v.add(cp.key("secret"), "is empty; remove it for a public client")
	case fc.Secret != nil && !checkVSCHAR(*fc.Secret):
		v.add(cp.key("secret"), "may hold only printable ASCII (RFC 6749 Appendix A.2)")
	case fc.Secret != nil:
		c.Secret = *fc.Secret
		if len(c.Secret) < MinSecretLength {
			v.warnings = append(v.warnings, fmt.Sprintf("%s:%d: %s: the secret is shorter than %d characters; use a long random one (docs/security.md rule 55)",
				v.file, lineOf(v.doc, cp.key("secret")), cp.key("secret"), MinSecretLength))
		}
	case fc.SecretHash != nil:
		h, err := ParseSecretHash(*fc.SecretHash)
		if err != nil {
			v.add(cp.key("secret_hash"), "%v", err)
		}
		c.SecretHash = h
	}
}

func (v *validator) authMethod(hasSecret bool, p keyPath, s string) clientauth.Method {
	if s == "" {
		if hasSecret {
			return clientauth.MethodBasic
		}
		return clientauth.MethodNone
	}
	m := oneOf(v, p, s, "", clientauth.MethodBasic, clientauth.MethodPost, clientauth.MethodNone)
	switch {
	case m == clientauth.MethodNone && hasSecret:
		v.add(p, `is "none" (a public client) but the client has a secret; remove one of them`)
	case m != "" && m != clientauth.MethodNone && !hasSecret:
		v.add(p, "%q needs a secret or secret_hash; a client without one is public (auth_method none)", m)
	}
	return m
}

func (v *validator) grants(hasSecret bool, p keyPath, names []string) []GrantType {
	if len(names) == 0 {
		return []GrantType{GrantAuthorizationCode, GrantRefreshToken}
	}
	var out []GrantType
	for i, n := range names {
		g := oneOf(v, p.idx(i), n, "", allGrants...)
		switch {
		case g == "" && n == "":
			v.add(p.idx(i), "is empty")
		case g == "":
		case slices.Contains(out, g):
			v.add(p.idx(i), "%q is listed twice", g)
		case g == GrantClientCredentials && !hasSecret:
			v.add(p.idx(i), "client_credentials needs a confidential client with a secret (RFC 6749 §4.4)")
		default:
			out = append(out, g)
		}
	}
	return out
}

// uniqueList checks each item with check and refuses duplicates.
func (v *validator) uniqueList(p keyPath, items []string, check func(string) error) {
	seen := map[string]int{}
	for i, s := range items {
		if j, dup := seen[s]; dup {
			v.add(p.idx(i), "%q is already listed at [%d]", s, j)
			continue
		}
		seen[s] = i
		if err := check(s); err != nil {
			v.add(p.idx(i), "%v", err)
		}
	}
}

func (v *validator) users(cfg *Config, p keyPath, fus []fileUser) {
	names := map[string]int{}
	for i := range fus {
		fu, up := &fus[i], p.idx(i)
		u := User{Username: fu.Username, Claims: fu.Claims}
		switch j, dup := names[fu.Username]; {
		case fu.Username == "":
			v.add(up.key("username"), "is required")
		case dup:
			v.add(up.key("username"), "%q is already used by users[%d]", fu.Username, j)
		default:
			names[fu.Username] = i
		}
		switch {
		case fu.Password != nil && fu.PasswordHash != nil:
			v.add(up.key("password_hash"), "give password or password_hash, not both")
		case fu.Password != nil && *fu.Password == "":
			v.add(up.key("password"), "is empty")
		case fu.Password != nil:
			u.Password = *fu.Password
		case fu.PasswordHash != nil:
			if err := CheckPasswordHash(*fu.PasswordHash); err != nil {
				v.add(up.key("password_hash"), "%v", err)
			}
			u.PasswordHash = *fu.PasswordHash
		default:
			v.add(up, "needs a password or a password_hash")
		}
		v.claims(up.key("claims"), fu.Claims)
		cfg.Users = append(cfg.Users, u)
	}
	v.subjectClashes(cfg, p)
}

// subjectClashes refuses a username equal to a client ID: the user's sub
// would equal the sub of the client's client_credentials tokens, and a
// resource server could not tell them apart (RFC 9700 §4.15,
// docs/security.md rule 53).
func (v *validator) subjectClashes(cfg *Config, p keyPath) {
	for i, u := range cfg.Users {
		for j, c := range cfg.Clients {
			if u.Username != "" && u.Username == c.ID {
				v.add(p.idx(i).key("username"), "%q is also the id of clients[%d]: a user and a client must not share a subject (sub) (RFC 9700 §4.15)", u.Username, j)
			}
		}
	}
}
