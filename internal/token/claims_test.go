package token

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// absent marks a claim left out of the test claims.
type absent struct{}

func TestNumericDate(t *testing.T) {
	tests := []struct {
		name   string
		value  any
		want   time.Time
		ok     bool
		errMsg string
	}{
		{"absent", absent{}, time.Time{}, false, ""},
		{"integer", json.Number("1795428000"), fixedNow, true, ""},
		{"fraction", json.Number("1795428000.25"), fixedNow.Add(250 * time.Millisecond), true, ""},
		{"exponent", json.Number("1.795428e9"), fixedNow, true, ""},
		{"negative", json.Number("-1"), time.Unix(-1, 0).UTC(), true, ""},
		{"float64", float64(1795428000), fixedNow, true, ""},
		{"int64", int64(1795428000), fixedNow, true, ""},
		{"string", "1795428000", time.Time{}, false, "exp claim is a string, not a NumericDate (seconds since 1970)"},
		{"bool", true, time.Time{}, false, "exp claim is a boolean, not a NumericDate (seconds since 1970)"},
		{"null", nil, time.Time{}, false, "exp claim is null, not a NumericDate (seconds since 1970)"},
		{"too large", json.Number("253402300800"), time.Time{}, false, "exp claim 253402300800 is out of range"},
		{"too small", json.Number("-1e20"), time.Time{}, false, "exp claim -1e20 is out of range"},
		{"overflowing", json.Number("1e999"), time.Time{}, false, "exp claim 1e999 is not a valid number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := map[string]any{}
			if _, skip := tt.value.(absent); !skip {
				claims["exp"] = tt.value
			}
			got, ok, err := NumericDate(claims, "exp")
			if tt.errMsg != "" {
				if err == nil || err.Error() != tt.errMsg || KindOf(err) != KindMalformed {
					t.Fatalf("err = %v, want %s", err, tt.errMsg)
				}
				return
			}
			if err != nil || ok != tt.ok || !got.Equal(tt.want) {
				t.Fatalf("got %v %v %v, want %v %v", got, ok, err, tt.want, tt.ok)
			}
		})
	}
}

func TestAudience(t *testing.T) {
	tests := []struct {
		name   string
		value  any
		want   []string
		ok     bool
		errMsg string
	}{
		{"absent", absent{}, nil, false, ""},
		{"string", "api", []string{"api"}, true, ""},
		{"array", []any{"a", "b"}, []string{"a", "b"}, true, ""},
		{"empty array", []any{}, []string{}, true, ""},
		{"string slice", []string{"x"}, []string{"x"}, true, ""},
		{"number", json.Number("1"), nil, false, "aud claim is a number; it must be a string or an array of strings"},
		{"null", nil, nil, false, "aud claim is null; it must be a string or an array of strings"},
		{"array with an object", []any{"a", map[string]any{}}, nil, false, "aud claim holds an object; it must be a string or an array of strings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := map[string]any{}
			if _, skip := tt.value.(absent); !skip {
				claims["aud"] = tt.value
			}
			got, ok, err := Audience(claims)
			if tt.errMsg != "" {
				if err == nil || err.Error() != tt.errMsg {
					t.Fatalf("err = %v, want %s", err, tt.errMsg)
				}
				return
			}
			if err != nil || ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q %v %v", got, ok, err)
			}
		})
	}
}
