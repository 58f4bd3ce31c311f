package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/oauthkit/oauthkit/keys"
)

// tokenExchange checks a client's token_exchange settings (RFC 8693): the
// audiences it may exchange tokens for, each a non-empty value listed
// once, and only for a client registered for the token_exchange grant.
func (v *validator) tokenExchange(c *Client, p keyPath, fe fileClientExchange) {
	if len(fe.Audiences) > 0 && !c.AllowsGrant(GrantTokenExchange) {
		v.add(p.key("audiences"), "is set but the client's grant_types do not list token_exchange")
	}
	v.uniqueList(p.key("audiences"), fe.Audiences, func(a string) error {
		if strings.TrimSpace(a) == "" || strings.ContainsAny(a, " \t\r\n") {
			return errors.New("an audience must be non-empty and contain no whitespace")
		}
		return nil
	})
	c.TokenExchangeAudiences = fe.Audiences
}

// TokenExchange are the server-wide settings of token exchange (RFC 8693).
type TokenExchange struct {
	// TrustedIssuers are the other issuers whose JWTs may be subject and
	// actor tokens (subject_token_type jwt or access_token).
	TrustedIssuers []TrustedIssuer
}

// TrustedIssuer is an issuer whose JWTs this server accepts in a token
// exchange, and the public keys that verify them (jwks_file, read when the
// configuration is loaded).
type TrustedIssuer struct {
	Issuer   string
	JWKSFile string
	Keys     []*keys.Key
}

type fileExchange struct {
	TrustedIssuers []fileTrustedIssuer `yaml:"trusted_issuers"`
}

type fileTrustedIssuer struct {
	Issuer   string `yaml:"issuer"`
	JWKSFile string `yaml:"jwks_file"`
}

// exchangeSettings checks token_exchange.trusted_issuers: each an issuer
// URL listed once, other than this server's, with a JWKS file (relative to
// the configuration's directory) that holds at least one public key for
// verification.
func (v *validator) exchangeSettings(p keyPath, fe fileExchange) TokenExchange {
	var out TokenExchange
	seen := map[string]int{}
	for i, ft := range fe.TrustedIssuers {
		ip := p.key("trusted_issuers").idx(i)
		ti := TrustedIssuer{Issuer: ft.Issuer, JWKSFile: ft.JWKSFile}
		switch j, dup := seen[ft.Issuer]; {
		case ft.Issuer == "":
			v.add(ip.key("issuer"), "is required")
		case dup:
			v.add(ip.key("issuer"), "%q is already listed at trusted_issuers[%d]", ft.Issuer, j)
		default:
			seen[ft.Issuer] = i
			if err := CheckIssuer(ft.Issuer); err != nil {
				v.add(ip.key("issuer"), "%v", err)
			}
		}
		if ft.JWKSFile == "" {
			v.add(ip.key("jwks_file"), "is required: the issuer's public keys as a JWKS file")
		} else {
			f := ft.JWKSFile
			if !filepath.IsAbs(f) {
				f = filepath.Join(v.dir, f)
			}
			ks, err := readJWKS(f)
			if err != nil {
				v.add(ip.key("jwks_file"), "%v", err)
			}
			ti.Keys = ks
		}
		out.TrustedIssuers = append(out.TrustedIssuers, ti)
	}
	return out
}

// readJWKS reads a JWKS file of public verification keys (at most 1 MiB).
func readJWKS(path string) ([]*keys.Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, pathErr(err))
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s is larger than 1 MiB", path)
	}
	ks, _, err := keys.ParseVerificationSet(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("%s holds no key usable for verifying signatures", path)
	}
	return ks, nil
}
