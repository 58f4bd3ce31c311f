package dpop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// DefaultNonceLifetime is how long a server nonce is accepted.
const DefaultNonceLifetime = 5 * time.Minute

// nonceMACSize is how much of the HMAC a nonce carries (128 bits).
const nonceMACSize = 16

// Nonces issues and checks server nonces (RFC 9449 §8) without state: a
// nonce is base64url(issue time in Unix seconds, 8 bytes big-endian ‖ the
// first 16 bytes of HMAC-SHA256(key, those 8 bytes)). A nonce is valid
// from its issue time for Lifetime; every response carries a fresh one, so
// they rotate with the clock. The key lives in memory only: a restarted
// server refuses earlier nonces with use_dpop_nonce, and the client retries.
type Nonces struct {
	key      []byte
	lifetime time.Duration
	now      func() time.Time
}

// NewNonces returns a nonce source keyed with key (at least 32 random
// bytes), accepting a nonce for lifetime (DefaultNonceLifetime when zero).
func NewNonces(key []byte, lifetime time.Duration, now func() time.Time) *Nonces {
	if lifetime <= 0 {
		lifetime = DefaultNonceLifetime
	}
	return &Nonces{key: append([]byte(nil), key...), lifetime: lifetime, now: now}
}

// Lifetime returns how long a nonce is accepted.
func (n *Nonces) Lifetime() time.Duration { return n.lifetime }

// Issue returns a nonce for the current time.
func (n *Nonces) Issue() string {
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(n.now().Unix()))
	return base64.RawURLEncoding.EncodeToString(append(ts[:], n.mac(ts[:])...))
}

// Valid reports whether nonce was issued by n and is not expired (nor
// issued in the future).
func (n *Nonces) Valid(nonce string) bool {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(nonce)
	if err != nil || len(raw) != 8+nonceMACSize {
		return false
	}
	if !hmac.Equal(raw[8:], n.mac(raw[:8])) {
		return false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(raw[:8])), 0)
	age := n.now().Sub(issued)
	return age >= -time.Second && age <= n.lifetime
}

func (n *Nonces) mac(ts []byte) []byte {
	m := hmac.New(sha256.New, n.key)
	m.Write(ts)
	return m.Sum(nil)[:nonceMACSize]
}
