package config

import (
	"crypto/sha1" //nolint:gosec // SHA-1 is one of Apigee's hashing choices, not a signature
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"github.com/oauthkit/oauthkit/internal/clientauth"
)

// SecretHash is a client secret stored as "<alg>:<hex digest>".
type SecretHash struct {
	Algorithm HashAlgorithm // sha1, sha256, sha384 or sha512
	Digest    []byte
}

var secretHashes = []struct {
	alg  HashAlgorithm
	size int
	new  func() hash.Hash
}{
	{HashSHA1, sha1.Size, sha1.New},
	{HashSHA256, sha256.Size, sha256.New},
	{HashSHA384, sha512.Size384, sha512.New384},
	{HashSHA512, sha512.Size, sha512.New},
}

// ParseSecretHash parses "<alg>:<hex>", e.g. "sha256:9f86d0…".
func ParseSecretHash(s string) (*SecretHash, error) {
	alg, digest, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf(`%q is not "<alg>:<hex digest>" with alg sha1, sha256, sha384 or sha512`, shorten(s))
	}
	for _, h := range secretHashes {
		if HashAlgorithm(strings.ToLower(alg)) != h.alg {
			continue
		}
		if len(digest) != 2*h.size {
			return nil, fmt.Errorf("a %s digest is %d hex digits, got %d", h.alg, 2*h.size, len(digest))
		}
		b, err := hex.DecodeString(digest)
		if err != nil {
			return nil, fmt.Errorf("the %s digest is not hexadecimal", h.alg)
		}
		return &SecretHash{Algorithm: h.alg, Digest: b}, nil
	}
	return nil, fmt.Errorf("algorithm %q is not one of sha1, sha256, sha384, sha512", shorten(alg))
}

// Matches reports, in constant time, whether secret hashes to the digest.
func (h *SecretHash) Matches(secret string) bool {
	for _, sh := range secretHashes {
		if sh.alg == h.Algorithm {
			d := sh.new()
			d.Write([]byte(secret))
			return subtle.ConstantTimeCompare(d.Sum(nil), h.Digest) == 1
		}
	}
	return false
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
