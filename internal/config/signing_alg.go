package config

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// accessTokenAlg checks a client's access_token_signing_alg: a JWS alg
// oauthkit signs with, for JWT access tokens.
func (v *validator) accessTokenAlg(cfg *Config, p keyPath, alg string) string {
	if alg == "" {
		return ""
	}
	if err := token.CheckAlgName(alg); err != nil {
		v.add(p, "%v", err)
		return ""
	}
	if cfg.Tokens.Format != FormatJWT {
		v.add(p, "needs tokens.format jwt: %q access tokens are not signed", cfg.Tokens.Format)
		return ""
	}
	return alg
}

// signingKeysFor checks that a private key of the keys list signs each
// client's access_token_signing_alg. Without keys the store's key signs:
// RSA, RS256. A key file that cannot be read is left to serve, which
// reports it when it loads the keys.
func (v *validator) signingKeysFor(cfg *Config, p keyPath) {
	var need []int
	for i, c := range cfg.Clients {
		if c.AccessTokenSigningAlg != "" {
			need = append(need, i)
		}
	}
	if len(need) == 0 {
		return
	}
	have := map[string]bool{}
	if len(cfg.Keys) == 0 {
		have["RS256"] = true
	}
	for _, f := range cfg.Keys {
		if !filepath.IsAbs(f) {
			f = filepath.Join(v.dir, f)
		}
		parsed, err := keys.ParseFile(f)
		if err != nil {
			return
		}
		for _, k := range parsed {
			if k.IsPrivate() {
				have[k.Algorithm()] = true
			}
		}
	}
	for _, i := range need {
		alg := cfg.Clients[i].AccessTokenSigningAlg
		if have[alg] {
			continue
		}
		where := "the store's RSA key signs RS256 only"
		switch {
		case len(cfg.Keys) > 0 && len(have) == 0:
			where = "the keys list has no private key"
		case len(cfg.Keys) > 0:
			where = "the keys list has private keys for " + strings.Join(slices.Sorted(maps.Keys(have)), ", ")
		}
		v.add(p.idx(i).key("access_token_signing_alg"), "%s needs a private key of that algorithm in keys (%s); make one with oauthkit keygen", alg, where)
	}
}
