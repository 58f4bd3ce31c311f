package clientauth

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeBasic checks that Decode never panics, that every error is a
// one-line ErrMalformed, and that Encode→Decode gives back any valid pair.
func FuzzDecodeBasic(f *testing.F) {
	f.Add("Basic bnM0ZlFjMTRaZzRoS0ZDTmFTekFyVnV3c3pYOTVYOlpJakZ5VHNOZ1FOeXhJOg==", "web", "s3cret")
	f.Add("Authorization: basic  YStiOmMrZA==", "a b", "c d")
	f.Add("d2ViOiV6eiE", "café", "p@ss:w+rd %x")
	f.Add("Bearer x", "id", "")
	f.Fuzz(func(t *testing.T, header, id, secret string) {
		gotID, gotSecret, err := Decode(header, false)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Decode(%q): bad error %q", header, err)
			}
		} else if gotID == "" || !utf8.ValidString(gotID+gotSecret) {
			t.Fatalf("Decode(%q) = %q, %q: empty id or invalid UTF-8", header, gotID, gotSecret)
		}
		_, _, _ = Decode(header, true)

		for _, raw := range []bool{false, true} {
			if Validate(id, secret, raw) != nil {
				continue
			}
			value := Encode(id, secret, raw)
			for _, in := range []string{value, Header(value), "Authorization: " + Header(value)} {
				gotID, gotSecret, err := Decode(in, raw)
				if err != nil || gotID != id || gotSecret != secret {
					t.Fatalf("round trip raw=%v of %q, %q via %q = %q, %q, %v", raw, id, secret, in, gotID, gotSecret, err)
				}
			}
		}
	})
}
