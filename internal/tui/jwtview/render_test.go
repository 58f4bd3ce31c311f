package jwtview

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

func seg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestBodyPlain(t *testing.T) {
	tests := []struct {
		name   string
		claims string
		verify Verification
		now    time.Time
		want   string
	}{
		{"not verified, valid", sampleClaims, Verification{}, start,
			`JWT · ES256 · kid k1 · typ JWT
expires in 12m (2026-11-23T10:12:00Z)
signature not verified (give --key or --jwks to check it)

Header
  alg  "ES256"
  kid  "k1"
  typ  "JWT"

Claims
  iss    "http://127.0.0.1:8080"
  sub    "alice"
  aud    ["api","web"]
  exp    1795428720  2026-11-23T10:12:00Z (in 12m)
  iat    1795428000  2026-11-23T10:00:00Z (now)
  scope  "read write"`},
		{"verified", `{"exp":1795428720}`, Verification{Checked: true, OK: true, Detail: "ES256 signature by key k1"}, start.Add(-time.Hour),
			`JWT · ES256 · kid k1 · typ JWT
expires in 1h12m (2026-11-23T10:12:00Z)
✓ verified: ES256 signature by key k1

Header
  alg  "ES256"
  kid  "k1"
  typ  "JWT"

Claims
  exp  1795428720  2026-11-23T10:12:00Z (in 1h12m)`},
		{"invalid, expired, bad nbf, no other claims", `{"exp":1795428720,"nbf":"soon"}`, Verification{Checked: true, Detail: "token is expired"}, start.Add(15 * time.Minute),
			`JWT · ES256 · kid k1 · typ JWT
expired 3m ago (2026-11-23T10:12:00Z)
✗ invalid: token is expired

Header
  alg  "ES256"
  kid  "k1"
  typ  "JWT"

Claims
  exp  1795428720  2026-11-23T10:12:00Z (3m ago)
  nbf  "soon"  nbf claim is a string, not a NumericDate (seconds since 1970)`},
		{"no exp, empty claims", `{}`, Verification{}, start,
			`JWT · ES256 · kid k1 · typ JWT
no exp claim: the token never expires
signature not verified (give --key or --jwks to check it)

Header
  alg  "ES256"
  kid  "k1"
  typ  "JWT"

Claims
  (empty)`},
		{"under a minute left", `{"exp":1795428720}`, Verification{}, start.Add(11*time.Minute + 15*time.Second),
			`JWT · ES256 · kid k1 · typ JWT
expires in 45s (2026-11-23T10:12:00Z)
signature not verified (give --key or --jwks to check it)

Header
  alg  "ES256"
  kid  "k1"
  typ  "JWT"

Claims
  exp  1795428720  2026-11-23T10:12:00Z (in 45s)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := sampleInfo(t, tt.claims)
			info.Verify = tt.verify
			got := Body(info, tt.now, theme.Plain(), 0)
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			if strings.Contains(got, "\x1b") {
				t.Errorf("plain body has an escape sequence: %q", got)
			}
		})
	}
}

func TestBodyEscapesControlCharacters(t *testing.T) {
	// C1 CSI (U+009B) and DEL are valid unescaped in JSON; a terminal may act
	// on them. The header's kid carries one too.
	tok := seg("{\"alg\":\"ES256\",\"kid\":\"k\u009b2J\"}") + "." + seg("{\"sub\":\"a\u009b31mb\x7f\",\"n\u0085\":1}") + ".c2ln"
	info := decodeInfo(t, tok)
	got := Body(info, start, theme.Plain(), 80)
	for _, want := range []string{`JWT · ES256 · kid k\u009b2J`, `sub      "a\u009b31mb\u007f"`, `n\u0085  1`} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in\n%s", want, got)
		}
	}
	if strings.ContainsAny(got, "\u009b\u0085\x7f") {
		t.Errorf("a control character reached the screen: %q", got)
	}
}

func TestBodyWrapsLongValues(t *testing.T) {
	info := sampleInfo(t, `{"scope":"`+strings.Repeat("abcdefghij ", 12)+`","x":1}`)
	got := Body(info, start, theme.Plain(), 40)
	want := `Claims
  scope  "abcdefghij abcdefghij
         abcdefghij abcdefghij
         abcdefghij abcdefghij
         abcdefghij abcdefghij
         abcdefghij abcdefghij
         abcdefghij abcdefghij "
  x      1`
	if !strings.HasSuffix(got, want) {
		t.Errorf("got:\n%s\nwant suffix:\n%s", got, want)
	}
}
