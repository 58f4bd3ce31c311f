// Package hashing hashes tokens, codes and client secrets before they are
// stored, the way Apigee Edge's token hashing does: a primary algorithm for
// new values and an optional fallback algorithm, so that changing the
// algorithm keeps the tokens issued under the old one working until they
// expire (docs/security.md rule 27).
//
// A stored value carries its algorithm as a prefix ("sha256:<hex>"), so a
// store never has to guess which algorithm produced it. "plain" stores the
// value itself ("plain:<value>"); it exists for compatibility and debugging
// only and defeats rule 27.
package hashing

import (
	"crypto/sha1" //nolint:gosec // offered for Apigee compatibility, never the default
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// The algorithm names accepted by New (case-insensitive).
const (
	SHA1   = "sha1"
	SHA256 = "sha256"
	SHA384 = "sha384"
	SHA512 = "sha512"
	Plain  = "plain"
)

// Default is the algorithm used when none is configured.
const Default = SHA256

// Hasher hashes values with Algorithm and looks them up with Algorithm, then
// Fallback. Build one with New; the zero value hashes with Default and has no
// fallback.
type Hasher struct {
	Algorithm string
	Fallback  string
	// SecretKey keys the HMAC of client secrets (HashSecret); nil hashes
	// them like tokens.
	SecretKey string
}

// New returns a Hasher for the primary algorithm alg ("" = Default) and the
// optional fallback algorithm ("" = none). Names are case-insensitive
// ("SHA256" as Apigee spells it works). A fallback equal to the primary
// algorithm is dropped.
func New(alg, fallback string) (*Hasher, error) {
	primary, err := normalize(alg)
	if err != nil {
		return nil, err
	}
	if primary == "" {
		primary = Default
	}
	fb, err := normalize(fallback)
	if err != nil {
		return nil, fmt.Errorf("fallback: %w", err)
	}
	if fb == primary {
		fb = ""
	}
	return &Hasher{Algorithm: primary, Fallback: fb}, nil
}

// Hash returns value hashed with the primary algorithm, as
// "<algorithm>:<lowercase hex>" ("plain:<value>" for plain). A Hasher whose
// Algorithm is not a known name (built without New) hashes with Default.
func (h *Hasher) Hash(value string) string {
	return hashWith(h.primary(), value)
}

// Candidates returns the stored forms value may have: hashed with the
// primary algorithm, then with the fallback one when there is one.
func (h *Hasher) Candidates(value string) []string {
	out := []string{hashWith(h.primary(), value)}
	if fb := h.fallback(); fb != "" {
		out = append(out, hashWith(fb, value))
	}
	return out
}

// Match reports whether stored is one of value's Candidates, comparing in
// constant time (for client secrets, docs/security.md rule 17).
func (h *Hasher) Match(value, stored string) bool {
	ok := 0
	for _, c := range h.Candidates(value) {
		ok |= subtle.ConstantTimeCompare([]byte(c), []byte(stored))
	}
	return ok == 1
}

func (h *Hasher) primary() string {
	if h == nil {
		return Default
	}
	if alg, err := normalize(h.Algorithm); err == nil && alg != "" {
		return alg
	}
	return Default
}

func (h *Hasher) fallback() string {
	if h == nil {
		return ""
	}
	alg, err := normalize(h.Fallback)
	if err != nil || alg == h.primary() {
		return ""
	}
	return alg
}

// normalize maps a configured name to its canonical spelling; "" stays "".
func normalize(alg string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(alg))
	switch name {
	case "", SHA1, SHA256, SHA384, SHA512, Plain:
		return name, nil
	}
	return "", fmt.Errorf("unknown hash algorithm %q (want sha1, sha256, sha384, sha512 or plain)", alg)
}

func hashWith(alg, value string) string {
	if alg == Plain {
		return Plain + ":" + value
	}
	if !isDigest(alg) {
		alg = SHA256
	}
	var buf [len(SHA512) + 1 + 2*sha512.Size]byte // the longest name, ':', the longest digest in hex
	out := append(buf[:0], alg...)
	out = append(out, ':')
	out = hex.AppendEncode(out, Digest(alg, value))
	return string(out)
}

// digests maps each digest algorithm (sha1, sha256, sha384, sha512) to
// its hash function: the one table of them.
var digests = map[string]func() hash.Hash{
	SHA1:   sha1.New, //nolint:gosec // see the import
	SHA256: sha256.New,
	SHA384: sha512.New384,
	SHA512: sha512.New,
}

// newHash returns the hash function of a digest algorithm, nil for any
// other name.
func newHash(alg string) hash.Hash {
	if f, ok := digests[alg]; ok {
		return f()
	}
	return nil
}

// isDigest reports whether alg is a digest algorithm of newHash.
func isDigest(alg string) bool {
	_, ok := digests[alg]
	return ok
}

// DigestSize is the digest length in bytes of a digest algorithm; false
// for plain or an unknown name.
func DigestSize(alg string) (int, bool) {
	h := newHash(alg)
	if h == nil {
		return 0, false
	}
	return h.Size(), true
}

// Digest is value's raw digest with a digest algorithm (nil for plain or
// an unknown name).
func Digest(alg, value string) []byte {
	if alg == SHA256 { // the default, without a hash.Hash to allocate
		d := sha256.Sum256([]byte(value))
		return d[:]
	}
	h := newHash(alg)
	if h == nil {
		return nil
	}
	h.Write([]byte(value))
	return h.Sum(nil)
}
