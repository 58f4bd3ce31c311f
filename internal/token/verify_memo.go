package token

import (
	"crypto/sha256"
	"maps"
	"slices"
	"sync"

	"github.com/oauthkit/oauthkit/keys"
)

// SignatureMemo remembers the tokens whose signature verified, by the
// SHA-256 of the whole compact token, so that a token presented again (a
// resource server introspecting the bearer token of each API call) is not
// decoded and its signature not verified again. Only what the token's bytes
// decide is remembered: its structure and which key's signature matched.
// At every Verify the key must still be among the Verifier's keys for the
// token's alg (a retired key's tokens are verified again, and fail), and
// the claims (exp, nbf, iat, iss, aud) and typ are checked again. Bounded;
// safe for concurrent use.
type SignatureMemo struct {
	mu  sync.Mutex
	m   map[[sha256.Size]byte]memoEntry
	max int
}

type memoEntry struct {
	d   *Decoded
	key *keys.Key
	alg string
}

// NewSignatureMemo returns a memo of at most max tokens; when full it is
// emptied and starts again.
func NewSignatureMemo(max int) *SignatureMemo {
	return &SignatureMemo{max: max}
}

func (m *SignatureMemo) get(sum [sha256.Size]byte) (memoEntry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[sum]
	return e, ok
}

func (m *SignatureMemo) put(sum [sha256.Size]byte, e memoEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= m.max {
		m.m = make(map[[sha256.Size]byte]memoEntry)
	}
	m.m[sum] = e
}

// size is the number of remembered tokens (for tests).
func (m *SignatureMemo) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}

// remembered returns the memo's verified token if its key still verifies
// tokens of its alg for v; nil to verify from scratch.
func (v *Verifier) remembered(sum [sha256.Size]byte) (*Verified, error) {
	e, ok := v.Memo.get(sum)
	if !ok {
		return nil, nil
	}
	alg, candidates, err := v.selectKeys(e.d)
	if err != nil || alg != e.alg || !slices.Contains(candidates, e.key) {
		return nil, nil
	}
	d := e.d.clone()
	if err := v.checkClaims(d); err != nil {
		return nil, err
	}
	return &Verified{Decoded: d, Key: e.key, Alg: alg}, nil
}

// clone copies d deeply: the memo's copy and the callers' never share a map
// or a slice.
func (d *Decoded) clone() *Decoded {
	c := *d
	c.Header = cloneObject(d.Header)
	c.Claims = cloneObject(d.Claims)
	c.RawHeader = slices.Clone(d.RawHeader)
	c.RawClaims = slices.Clone(d.RawClaims)
	c.Signature = slices.Clone(d.Signature)
	return &c
}

func cloneObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := maps.Clone(m)
	for k, v := range c {
		c[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneObject(v)
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = cloneValue(e)
		}
		return c
	}
	return v // strings, json.Number, bools, nil: immutable
}
