package clientauth

import (
	"errors"
	"strings"
	"testing"
)

// The expected values were computed outside Go, with
// `printf '%s' 'id:secret' | base64`, from the hand-written form-encoding.
func TestEncode(t *testing.T) {
	tests := []struct {
		name, id, secret string
		form, raw        string
	}{
		{"plain", "my-client", "s3cret", "bXktY2xpZW50OnMzY3JldA==", "bXktY2xpZW50OnMzY3JldA=="},
		// form: my-client:p%40ss%3Aw%2Brd+%25x   raw: my-client:p@ss:w+rd %x
		{"colon percent plus space", "my-client", "p@ss:w+rd %x", "bXktY2xpZW50OnAlNDBzcyUzQXclMkJyZCslMjV4", "bXktY2xpZW50OnBAc3M6dytyZCAleA=="},
		// form: client%3Aone:a
		{"colon in id", "client:one", "a", "Y2xpZW50JTNBb25lOmE=", ""},
		// form: caf%C3%A9:%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C   raw: café:пароль
		{"non-ASCII", "café", "пароль", "Y2FmJUMzJUE5OiVEMCVCRiVEMCVCMCVEMSU4MCVEMCVCRSVEMCVCQiVEMSU4Qw==", "Y2Fmw6k60L/QsNGA0L7Qu9GM"},
		{"empty secret", "web", "", "d2ViOg==", "d2ViOg=="},
		// form: a+b:c+d   raw: a b:c d
		{"spaces", "a b", "c d", "YStiOmMrZA==", "YSBiOmMgZA=="},
		// '*' is escaped, '~' is not
		{"star tilde", "id", "a*b~c", "aWQ6YSUyQWJ+Yw==", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Encode(tt.id, tt.secret, false); got != tt.form {
				t.Errorf("Encode(%q, %q, form) = %s, want %s", tt.id, tt.secret, got, tt.form)
			}
			if tt.raw != "" {
				if got := Encode(tt.id, tt.secret, true); got != tt.raw {
					t.Errorf("Encode(%q, %q, raw) = %s, want %s", tt.id, tt.secret, got, tt.raw)
				}
			}
			id, secret, err := Decode(tt.form, false)
			if err != nil || id != tt.id || secret != tt.secret {
				t.Errorf("Decode(%s) = %q, %q, %v; want %q, %q", tt.form, id, secret, err, tt.id, tt.secret)
			}
		})
	}
}

// Apigee's documentation on Basic client credentials ("Mã hoá thông tin xác thực cơ bản")
// says Base64Encode('ns4fQc14Zg4hKFCNaSzArVuwszX95X' + ':' + 'ZIjFyTsNgQNyxI')
// is bnM0ZlFjMTRaZzRoS0ZDTmFTekFyVnV3c3pYOTVYOlpJakZ5VHNOZ1FOeXhJOg== .
// That is wrong: the seed's value decodes to the id, the secret AND a
// trailing colon ("…:ZIjFyTsNgQNyxI:", 46 bytes, hence the "==" padding).
// The 45 bytes id:secret encode to the value below (no padding), which is
// also what the seed's own `curl -u 'id:secret'` line really sends.
// Read with the first-colon split, the seed's value gives the secret
// "ZIjFyTsNgQNyxI:", which a server would reject.
func TestApigeeSeedExample(t *testing.T) {
	const (
		id       = "ns4fQc14Zg4hKFCNaSzArVuwszX95X"
		secret   = "ZIjFyTsNgQNyxI"
		correct  = "bnM0ZlFjMTRaZzRoS0ZDTmFTekFyVnV3c3pYOTVYOlpJakZ5VHNOZ1FOeXhJ"
		seedSays = "bnM0ZlFjMTRaZzRoS0ZDTmFTekFyVnV3c3pYOTVYOlpJakZ5VHNOZ1FOeXhJOg=="
	)
	for _, raw := range []bool{false, true} {
		if got := Encode(id, secret, raw); got != correct {
			t.Errorf("Encode(raw=%v) = %s, want %s", raw, got, correct)
		}
	}
	gotID, gotSecret, err := Decode("Authorization: Basic "+seedSays, false)
	if err != nil || gotID != id || gotSecret != secret+":" {
		t.Errorf("the seed's value decodes to %q, %q, %v; want the id and the secret with a trailing colon", gotID, gotSecret, err)
	}
	// The seed's other examples: one is intact but unpadded, two are damaged.
	gotID, gotSecret, err = Decode("Basic c3FIOG9vSGV4VHo4QzAySVg5T1JvNnJoZ3ExaVNyQWw6WjRsanRKZG5lQk9qUE1BVQ", false)
	if err != nil || gotID != "sqH8ooHexTz8C02IX9ORo6rhgq1iSrAl" || gotSecret != "Z4ljtJdneBOjPMAU" {
		t.Errorf("unpadded seed value: %q, %q, %v", gotID, gotSecret, err)
	}
	for _, damaged := range []string{
		"c3FIOG9vSGV4VHo4QzAyg5T1JvNnJoZ3ExaVNyQWw6WjRsanRKZG5lQk9qUE1BVQ",
		"c3FIOG9vSGV4VHoAyg5T1JvNnJoZ3ExaVNyQWw6WjRsanRKZG5lQk9qUE1BVQ",
	} {
		if _, _, err := Decode(damaged, false); !errors.Is(err, ErrMalformed) {
			t.Errorf("damaged seed value %s: err = %v, want malformed", damaged, err)
		}
	}
}

func TestDecodeForms(t *testing.T) {
	const v = "bXktY2xpZW50OnAlNDBzcyUzQXclMkJyZCslMjV4" // my-client:p%40ss%3Aw%2Brd+%25x
	tests := []struct {
		name, in   string
		raw        bool
		id, secret string
	}{
		{"bare", v, false, "my-client", "p@ss:w+rd %x"},
		{"raw keeps the escapes", v, true, "my-client", "p%40ss%3Aw%2Brd+%25x"},
		{"scheme", "Basic " + v, false, "my-client", "p@ss:w+rd %x"},
		{"lower-case scheme, extra spaces", "  basic    " + v + " \r\n", false, "my-client", "p@ss:w+rd %x"},
		{"whole header", "Authorization: Basic " + v, false, "my-client", "p@ss:w+rd %x"},
		{"header without space, tab", "authorization:BASIC\t" + v, false, "my-client", "p@ss:w+rd %x"},
		// my-client:p@ss:w+rd %x raw: split at the FIRST colon
		{"first colon", "bXktY2xpZW50OnBAc3M6dytyZCAleA==", true, "my-client", "p@ss:w+rd %x"},
		{"missing padding", "d2ViOg", false, "web", ""},
		{"empty secret", "d2ViOg==", false, "web", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, secret, err := Decode(tt.in, tt.raw)
			if err != nil || id != tt.id || secret != tt.secret {
				t.Errorf("Decode(%q, %v) = %q, %q, %v; want %q, %q", tt.in, tt.raw, id, secret, err, tt.id, tt.secret)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in string
		raw      bool
		kind     error
		msg      string
	}{
		{"empty", "  ", false, ErrEmpty, "no credentials: the value is empty"},
		{"scheme only", "Authorization: Basic", false, ErrEmpty, `no credentials after "Basic"`},
		{"bearer", "Bearer eyJhbGciOi.x.y", false, ErrWrongScheme, `authorization scheme is "Bearer", not "Basic" (RFC 7617 §2)`},
		{"two tokens", "Basic d2ViOg== d2ViOg==", false, ErrNotBase64, "unexpected text after the Basic credentials"},
		{"not base64", "Basic !!!!", false, ErrNotBase64, "credentials are not valid base64 (RFC 7617 §2)"},
		{"base64url", "Basic YT_-Yg", false, ErrNotBase64, "they look like base64url"},
		{"plain text", "web:secret", false, ErrNotBase64, "was it given before encoding?"},
		// "websecret"
		{"no colon", "d2Vic2VjcmV0", false, ErrNoColon, "decoded credentials have no ':' between client_id and client_secret (RFC 7617 §2)"},
		// ":secret"
		{"empty id", "OnNlY3JldA==", false, ErrEmptyID, "client_id is empty (RFC 6749 §2.3.1)"},
		// "web:a\nb"
		{"newline", "d2ViOmEKYg==", false, ErrControlChar, "decoded credentials contain a control character (U+000A at byte 5); RFC 7617 §2 forbids them"},
		// "web:%0A" form-decodes to a newline
		{"encoded newline", "d2ViOiUwQQ==", false, ErrControlChar, "client_secret contains a control character after form-decoding (U+000A at byte 0)"},
		// "web:%zz!"
		{"bad escape secret", "d2ViOiV6eiE=", false, ErrBadEncoding, "client_secret is not form-urlencoded as RFC 6749 §2.3.1 requires: the '%' at byte 0 is not followed by two hex digits"},
		// "we%:x"
		{"bad escape id", "d2UlOng=", false, ErrBadEncoding, "client_id is not form-urlencoded"},
		// "web:\xff"
		{"not utf-8", "d2ViOv8=", false, ErrNotUTF8, "decoded credentials are not valid UTF-8 text"},
		// "web:%FF"
		{"encoded not utf-8", "d2ViOiVGRg==", false, ErrNotUTF8, "client_secret is not valid UTF-8 after form-decoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, secret, err := Decode(tt.in, tt.raw)
			if err == nil {
				t.Fatalf("Decode(%q) = %q, %q, nil; want an error", tt.in, id, secret)
			}
			if !errors.Is(err, tt.kind) || !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not match %v and ErrMalformed", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
		})
	}
}

func TestDecodeRawSkipsFormChecks(t *testing.T) {
	// "web:%zz" is fine raw
	id, secret, err := Decode("d2ViOiV6eg==", true)
	if err != nil || id != "web" || secret != "%zz" {
		t.Errorf("raw decode = %q, %q, %v", id, secret, err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name, id, secret string
		raw              bool
		kind             error
		msg              string
	}{
		{"ok", "web", "s3cret", false, nil, ""},
		{"ok colon form", "a:b", "c:d", false, nil, ""},
		{"ok colon raw secret", "ab", "c:d", true, nil, ""},
		{"empty id", "", "x", false, ErrEmptyID, "client_id is empty (RFC 6749 §2.3.1)"},
		{"colon raw", "a:b", "x", true, ErrColonInRawID, "client_id contains a ':', which raw HTTP Basic cannot carry (RFC 7617 §2)"},
		{"control id", "a\tb", "x", false, ErrControlChar, "client_id contains a control character (U+0009 at byte 1)"},
		{"control secret", "ab", "x\x7f", true, ErrControlChar, "client_secret contains a control character (U+007F at byte 1)"},
		{"bad utf-8", "ab", "\xff", false, ErrNotUTF8, "client_secret is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.id, tt.secret, tt.raw)
			if tt.kind == nil {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Validate = %v, want %v containing %q", err, tt.kind, tt.msg)
			}
		})
	}
}
