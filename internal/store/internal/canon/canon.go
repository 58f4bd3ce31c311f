// Package canon gives every store implementation the same canonical form of
// the values it keeps, so that memory and SQLite return identical records:
// times in UTC at microsecond precision (the SQL columns hold Unix
// microseconds), empty lists and maps as nil, claims as JSON values.
package canon

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Time returns t in UTC truncated to the microsecond; the zero time stays zero.
func Time(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMicro(t.UnixMicro()).UTC()
}

// Micros is t as stored in SQL: Unix microseconds, 0 for the zero time.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromMicros reverses Micros.
func FromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// List copies s; nil when empty.
func List(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// EncodeList is s as a JSON array.
func EncodeList(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(s) // a []string always marshals
	return string(b)
}

// DecodeList reverses EncodeList. A client's lists (redirect URIs, grant
// types, scopes) are decoded at every request that reads the client: the
// decoding of a text is remembered (decodedLists), and each call returns
// its own copy.
func DecodeList(js string) ([]string, error) {
	if js == "[]" {
		return nil, nil
	}
	if s, ok := decodedLists.get(js); ok {
		return List(s), nil
	}
	var s []string
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		return nil, fmt.Errorf("decode stored list: %w", err)
	}
	decodedLists.put(js, s)
	return List(s), nil
}

// decodedLists remembers DecodeList's results by text. The text is the
// whole input, so a remembered result is always the right one; the bound
// only limits memory.
var decodedLists = memo[[]string]{max: 1024}

// memo is a bounded map of decoded values by their stored text; it is
// emptied when full. Values are never handed out: callers copy them.
type memo[T any] struct {
	mu  sync.Mutex
	m   map[string]T
	max int
}

func (c *memo[T]) get(k string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *memo[T]) put(k string, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = map[string]T{}
	}
	c.m[k] = v
}

// EncodeClaims is m as a JSON object; ErrInvalid if a value has no JSON form.
func EncodeClaims(m map[string]any) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("claims: %v: %w", err, store.ErrInvalid)
	}
	return string(b), nil
}

// DecodeClaims reverses EncodeClaims; nil when empty.
func DecodeClaims(js string) (map[string]any, error) {
	if js == "{}" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return nil, fmt.Errorf("decode stored claims: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// Claims copies m through JSON, as a SQL round trip would (numbers become
// float64); ErrInvalid if a value has no JSON form.
func Claims(m map[string]any) (map[string]any, error) {
	js, err := EncodeClaims(m)
	if err != nil {
		return nil, err
	}
	return DecodeClaims(js)
}

// Bytes copies b; nil when empty.
func Bytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return slices.Clone(b)
}

// EncodeExtensions is the stored JSON document of a client's extension
// settings ("{}" when none is set).
func EncodeExtensions(e store.ClientExtensions) (string, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("client extensions: %w", err)
	}
	return string(b), nil
}

// DecodeExtensions reads what EncodeExtensions wrote ("" reads as none).
func DecodeExtensions(js string) (store.ClientExtensions, error) {
	var e store.ClientExtensions
	if js == "" || js == "{}" {
		return e, nil
	}
	if err := json.Unmarshal([]byte(js), &e); err != nil {
		return e, fmt.Errorf("client extensions: %w", err)
	}
	return e, nil
}

// Extensions returns a deep copy of e as a store returns it (a round trip
// through its stored form, so empty slices and maps come back nil).
func Extensions(e store.ClientExtensions) (store.ClientExtensions, error) {
	if reflect.ValueOf(e).IsZero() { // most clients set none: no JSON to write or read
		return store.ClientExtensions{}, nil
	}
	js, err := EncodeExtensions(e)
	if err != nil {
		return e, err
	}
	return DecodeExtensions(js)
}

// Client copies c as a store returns it: every slice, map and JSON
// document its own, in their stored form (claims and extension settings
// through JSON, times at microseconds). ErrInvalid if a claim has no JSON
// form.
func Client(c store.Client) (store.Client, error) {
	claims, err := Claims(c.Claims)
	if err != nil {
		return store.Client{}, fmt.Errorf("client %q: %w", c.ID, err)
	}
	c.RedirectURIs = List(c.RedirectURIs)
	c.PostLogoutRedirectURIs = List(c.PostLogoutRedirectURIs)
	c.GrantTypes = List(c.GrantTypes)
	c.Scopes = List(c.Scopes)
	c.Claims = claims
	c.CreatedAt = Time(c.CreatedAt)
	ext, err := Extensions(c.Ext)
	if err != nil {
		return store.Client{}, fmt.Errorf("client %q: %w", c.ID, err)
	}
	c.Ext = ext
	return c, nil
}
