package token

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// maxNumericDate is 9999-12-31T23:59:59Z; NumericDate values beyond ±this are
// refused as malformed rather than overflowing time arithmetic.
const maxNumericDate = 253402300799

// NumericDate reads the time claim name (exp, nbf, iat, …) of claims.
// ok is false when the claim is absent; an error (KindMalformed) is returned
// when it is present but not a number of seconds since the epoch in range.
func NumericDate(claims map[string]any, name string) (t time.Time, ok bool, err error) {
	v, present := claims[name]
	if !present {
		return time.Time{}, false, nil
	}
	var f float64
	switch n := v.(type) {
	case json.Number:
		f, err = strconv.ParseFloat(string(n), 64)
		if err != nil {
			return time.Time{}, false, newError(KindMalformed, "%s claim %s is not a valid number", name, n)
		}
	case float64:
		f = n
	case int64:
		f = float64(n)
	case int:
		f = float64(n)
	default:
		return time.Time{}, false, newError(KindMalformed, "%s claim is %s, not a NumericDate (seconds since 1970)", name, jsonTypeName(v))
	}
	if math.IsNaN(f) || math.Abs(f) > maxNumericDate {
		return time.Time{}, false, newError(KindMalformed, "%s claim %v is out of range", name, v)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), true, nil
}

// Audience reads the aud claim, a string or an array of strings.
// ok is false when the claim is absent.
func Audience(claims map[string]any) (aud []string, ok bool, err error) {
	v, present := claims["aud"]
	if !present {
		return nil, false, nil
	}
	switch a := v.(type) {
	case string:
		return []string{a}, true, nil
	case []any:
		out := make([]string, 0, len(a))
		for _, e := range a {
			s, isString := e.(string)
			if !isString {
				return nil, false, newError(KindMalformed, "aud claim holds %s; it must be a string or an array of strings", jsonTypeName(e))
			}
			out = append(out, s)
		}
		return out, true, nil
	case []string:
		return a, true, nil
	}
	return nil, false, newError(KindMalformed, "aud claim is %s; it must be a string or an array of strings", jsonTypeName(v))
}
