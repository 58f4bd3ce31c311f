package config

import (
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/hashing"
)

// SecretHash is a client secret stored as "<alg>:<hex digest>".
type SecretHash struct {
	Algorithm HashAlgorithm // sha1, sha256, sha384 or sha512
	Digest    []byte
}

// ParseSecretHash parses "<alg>:<hex>", e.g. "sha256:9f86d0…".
func ParseSecretHash(s string) (*SecretHash, error) {
	alg, digest, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf(`%q is not "<alg>:<hex digest>" with alg sha1, sha256, sha384 or sha512`, shorten(s))
	}
	name := strings.ToLower(alg)
	if size, ok := hashing.DigestSize(name); ok {
		if len(digest) != 2*size {
			return nil, fmt.Errorf("a %s digest is %d hex digits, got %d", name, 2*size, len(digest))
		}
		b, err := hex.DecodeString(digest)
		if err != nil {
			return nil, fmt.Errorf("the %s digest is not hexadecimal", name)
		}
		return &SecretHash{Algorithm: HashAlgorithm(name), Digest: b}, nil
	}
	return nil, fmt.Errorf("algorithm %q is not one of sha1, sha256, sha384, sha512", shorten(alg))
}

// Matches reports, in constant time, whether secret hashes to the digest.
func (h *SecretHash) Matches(secret string) bool {
	d := hashing.Digest(string(h.Algorithm), secret)
	return d != nil && subtle.ConstantTimeCompare(d, h.Digest) == 1
}

// SecretMatches reports whether secret is the client's secret, comparing
// in constant time. A public client matches nothing.
func (c *Client) SecretMatches(secret string) bool {
	switch {
	case c.SecretHash != nil:
		return c.SecretHash.Matches(secret)
	case c.Secret != "":
		return clientauth.SecretEqual([]byte(c.Secret), []byte(secret))
	}
	return false
}

func shorten(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}
