package config

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/netutil"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// maxJWKSSize bounds a client's jwks or jwks_file.
const maxJWKSSize = 256 << 10

// grantAliases maps the short names of grants with a URN to the URN
// (jwt_bearer); other names pass through.
func grantAliases(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if n == "jwt_bearer" {
			n = string(GrantJWTBearer)
		}
		out[i] = n
	}
	return out
}

// clientJWT checks a client's JWT client authentication settings and
// the keys of the JWT bearer grant (RFC 7523, docs/security.md rules
// 70–76): private_key_jwt needs exactly one of jwks, jwks_file, jwks_uri
// and no secret; client_secret_jwt needs the plain secret; the JWT bearer
// grant needs public keys; token_endpoint_auth_signing_alg fits the method.
func (v *validator) clientJWT(c *Client, cp keyPath, fc *fileClient) {
	sources := 0
	if fc.JWKS != nil {
		sources++
		c.JWKS = v.inlineJWKS(cp.key("jwks"), fc.JWKS)
	}
	if fc.JWKSFile != "" {
		sources++
		c.JWKS = v.jwksFile(cp.key("jwks_file"), fc.JWKSFile)
	}
	if fc.JWKSURI != "" {
		sources++
		if err := checkJWKSURI(fc.JWKSURI); err != nil {
			v.add(cp.key("jwks_uri"), "%v", err)
		} else {
			c.JWKSURI = fc.JWKSURI
		}
	}
	hasKeys := sources > 0
	if sources > 1 {
		v.add(cp.key("jwks"), "give one of jwks, jwks_file and jwks_uri, not %d", sources)
	}
	switch c.AuthMethod {
	case clientauth.MethodPrivateKeyJWT:
		switch {
		case !hasKeys:
			v.add(cp.key("auth_method"), "private_key_jwt needs the client's public keys: jwks, jwks_file or jwks_uri (RFC 7523 §2.2)")
		case fc.Secret != nil || fc.SecretHash != nil:
			v.add(cp.key("secret"), "a private_key_jwt client authenticates with its keys; remove the secret")
		}
	case clientauth.MethodSecretJWT:
		if fc.SecretHash != nil {
			v.add(cp.key("secret_hash"), "client_secret_jwt needs the plain secret: the server verifies the HMAC of the assertion with it, which a hash cannot do (RFC 7523 §2.2, docs/security.md rule 74)")
		}
	}
	if c.AllowsGrant(GrantJWTBearer) && !hasKeys && fc.JWKS == nil {
		v.add(cp.key("grant_types"), "the jwt_bearer grant needs the client's public keys (jwks, jwks_file or jwks_uri): its assertions are signed with them (RFC 7523 §2.1, docs/security.md rule 75)")
	}
	c.AssertionAlg = v.assertionAlg(cp.key("token_endpoint_auth_signing_alg"), c, fc.TokenEndpointAuthSigningAlg)
}

func (v *validator) assertionAlg(p keyPath, c *Client, alg string) string {
	if alg == "" {
		return ""
	}
	switch c.AuthMethod {
	case clientauth.MethodSecretJWT:
		if !slices.Contains(clientauth.HMACAlgs(), alg) {
			v.add(p, "%q is not one of %s: client_secret_jwt signs with the secret (RFC 7518 §3.2)", alg, strings.Join(clientauth.HMACAlgs(), ", "))
			return ""
		}
		return alg
	case clientauth.MethodPrivateKeyJWT:
		if err := token.CheckAlgName(alg); err != nil {
			v.add(p, "%v; private_key_jwt signs with a private key", err)
			return ""
		}
		if len(c.JWKS) > 0 {
			ks, _, err := keys.ParseVerificationSet(c.JWKS)
			fits := func(k *keys.Key) bool { return keys.CheckAlg(k.Public, alg) == nil && (k.Alg == "" || k.Alg == alg) }
			if err == nil && !slices.ContainsFunc(ks, fits) {
				v.add(p, "%q fits none of the client's keys", alg)
				return ""
			}
		}
		return alg
	}
	v.add(p, "is only for auth_method private_key_jwt or client_secret_jwt, not %q", c.AuthMethod)
	return ""
}

// inlineJWKS accepts a YAML mapping or a JSON string.
func (v *validator) inlineJWKS(p keyPath, raw any) []byte {
	var data []byte
	switch x := raw.(type) {
	case string:
		data = []byte(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			v.add(p, "is not a JWK Set: %v", err)
			return nil
		}
		data = b
	}
	return v.checkJWKS(p, data)
}

func (v *validator) jwksFile(p keyPath, name string) []byte {
	path := name
	if !filepath.IsAbs(path) && v.dir != "" {
		path = filepath.Join(v.dir, path)
	}
	fi, err := os.Stat(path)
	if err == nil && fi.Size() > maxJWKSSize {
		v.add(p, "%s is larger than %d KiB", name, maxJWKSSize>>10)
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		v.add(p, "cannot read the client's JWK Set: %v", err)
		return nil
	}
	return v.checkJWKS(p, data)
}

// checkJWKS parses a client's JWK Set: public keys only, at least one
// usable; it returns the set as compact JSON.
func (v *validator) checkJWKS(p keyPath, data []byte) []byte {
	ks, _, err := keys.ParseVerificationSet(data)
	if err != nil {
		v.add(p, "%v", err)
		return nil
	}
	for _, k := range ks {
		if k.IsPrivate() {
			v.add(p, "key %q holds a private key: give only the public half (oauthkit keys public)", k.KeyID())
			return nil
		}
	}
	var compact map[string]any
	if err := json.Unmarshal(data, &compact); err != nil {
		v.add(p, "%v", err)
		return nil
	}
	out, _ := json.Marshal(compact)
	return out
}

// checkJWKSURI: an absolute https URL, or http to a loopback host (tests).
func checkJWKSURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute https URL", raw)
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && netutil.IsLoopbackHost(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q must be https (plain http only to a loopback host): the keys decide who the client is", raw)
}
