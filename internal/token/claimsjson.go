package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// marshalClaims appends the JSON object of claims to dst (empty), without
// HTML escaping, as encoding/json's Encoder writes it (less its newline).
// A map of the common claim values (strings, integers, booleans, string
// lists, nested maps and lists of them) is written by appendJSON, which
// gives the same bytes without reflection; anything else goes through
// encoding/json.
func marshalClaims(dst []byte, claims any) ([]byte, error) {
	if m, ok := claims.(map[string]any); ok && m != nil {
		if out, ok := appendJSON(dst, m, 0); ok {
			return out, nil
		}
	}
	buf := bytes.NewBuffer(dst[:0])
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(claims); err != nil {
		return dst[:0], fmt.Errorf("encoding claims: %w", err)
	}
	payload := bytes.TrimSpace(buf.Bytes())
	if len(payload) == 0 || payload[0] != '{' {
		return buf.Bytes()[:0], errors.New("claims must encode to a JSON object")
	}
	return payload, nil
}

// maxJSONDepth is how deep appendJSON follows nested maps and lists;
// deeper values (or a map that contains itself) go to encoding/json.
const maxJSONDepth = 16

// appendJSON appends the JSON of v as encoding/json with HTML escaping off
// would: map members sorted by key, a nil slice or map as null. ok is
// false for a value it does not handle (another type, a string with a
// control or non-ASCII character, too deep); dst is then to be dropped.
func appendJSON(dst []byte, v any, depth int) (_ []byte, ok bool) {
	if depth > maxJSONDepth {
		return dst, false
	}
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case string:
		return appendJSONString(dst, v)
	case int64:
		return strconv.AppendInt(dst, v, 10), true
	case int:
		return strconv.AppendInt(dst, int64(v), 10), true
	case bool:
		return strconv.AppendBool(dst, v), true
	case []string:
		if v == nil {
			return append(dst, "null"...), true
		}
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, ok = appendJSONString(dst, s); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case []any:
		if v == nil {
			return append(dst, "null"...), true
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, ok = appendJSON(dst, e, depth+1); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case map[string]any:
		if v == nil {
			return append(dst, "null"...), true
		}
		var arr [16]string
		names := arr[:0]
		for k := range v {
			names = append(names, k)
		}
		slices.Sort(names)
		dst = append(dst, '{')
		for i, k := range names {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, ok = appendJSONString(dst, k); !ok {
				return dst, false
			}
			dst = append(dst, ':')
			if dst, ok = appendJSON(dst, v[k], depth+1); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	}
	return dst, false
}

// appendJSONString appends s quoted: printable ASCII as is but for " and \,
// which are escaped as encoding/json does; ok is false for any other byte
// (control characters, UTF-8), which encoding/json may escape or replace.
func appendJSONString(dst []byte, s string) (_ []byte, ok bool) {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c > 0x7e:
			return dst, false
		case c == '"' || c == '\\':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', c)
			start = i + 1
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), true
}
