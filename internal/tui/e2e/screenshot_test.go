package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/token"
)

// Stable stand-ins for what changes from run to run in the recorded frame.
const (
	screenshotIssuer  = "http://127.0.0.1:8080"
	screenshotCatcher = "http://127.0.0.1:49152/callback"
)

// screenshotIssuedAt is the iat the recorded frame shows.
func screenshotIssuedAt() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC) }

var (
	catcherURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/callback`)
	sinceText  = regexp.MustCompile(`\((now|\d+s ago)\)`)
	untilText  = regexp.MustCompile(`(?m)^(  expires  )in \d[0-9hms]*`)
	// timeClaim is a time claim's value as the summary shows it.
	timeClaim = regexp.MustCompile(`\b(\d{10})  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \([^)]*\)`)
	// randomClaim: claims whose value differs on every run.
	randomClaim = regexp.MustCompile(`(?m)^(  (?:jti|nonce|at_hash|c_hash|sid) +)"([^"]*)"$`)
)

// normalizeFrame replaces the random ports, the token's times (shifted so
// that iat is screenshotIssuedAt, with the "now"/"in 30m" texts of a frame
// drawn at that instant) and its jti by stable values.
func normalizeFrame(t *testing.T, screen, issuer string, claims map[string]any) string {
	t.Helper()
	iat, ok1 := claims["iat"].(float64)
	exp, ok2 := claims["exp"].(float64)
	jti, ok3 := claims["jti"].(string)
	if !ok1 || !ok2 || !ok3 || jti == "" {
		t.Fatalf("the token has no numeric iat/exp or no jti: %v", claims)
	}
	s := catcherURL.ReplaceAllString(screen, screenshotCatcher)
	s = strings.ReplaceAll(s, issuer, screenshotIssuer)
	// Every time claim (the ID token's too), shifted like iat, its relative
	// text as drawn at the shown iat.
	issued := time.Unix(int64(iat), 0)
	s = timeClaim.ReplaceAllStringFunc(s, func(m string) string {
		v, err := strconv.ParseInt(timeClaim.FindStringSubmatch(m)[1], 10, 64)
		if err != nil {
			return m
		}
		shown := screenshotIssuedAt().Add(time.Unix(v, 0).Sub(issued))
		return strconv.FormatInt(shown.Unix(), 10) + "  " + token.FormatTime(shown, screenshotIssuedAt())
	})
	s = randomClaim.ReplaceAllStringFunc(s, func(m string) string {
		sub := randomClaim.FindStringSubmatch(m)
		return sub[1] + strconv.Quote(strings.Repeat("x", len(sub[2])))
	})
	for _, name := range []string{"iat", "exp", "nbf", "auth_time"} {
		v, ok := claims[name].(float64)
		if !ok {
			continue
		}
		real := time.Unix(int64(v), 0).UTC()
		shown := screenshotIssuedAt().Add(real.Sub(time.Unix(int64(iat), 0)))
		s = strings.ReplaceAll(s, strconv.FormatInt(real.Unix(), 10), strconv.FormatInt(shown.Unix(), 10))
		s = strings.ReplaceAll(s, real.Format(time.RFC3339), shown.Format(time.RFC3339))
	}
	s = sinceText.ReplaceAllString(s, "(now)")
	s = untilText.ReplaceAllString(s, "${1}in "+token.HumanDuration(time.Duration(exp-iat)*time.Second))
	if strings.Contains(s, issuer) || strings.Contains(s, jti) {
		t.Fatalf("the normalized frame still shows the run's issuer or jti:\n%s", s)
	}
	return s
}

func TestNormalizeFrame(t *testing.T) {
	iat := time.Date(2026, 11, 23, 14, 47, 36, 0, time.UTC)
	claims := map[string]any{
		"iat": float64(iat.Unix()), "auth_time": float64(iat.Unix() - 2),
		"exp": float64(iat.Add(30 * time.Minute).Unix()), "jti": "a0aYj5LW68NBu0KukB1utg",
	}
	screen := ` ✓ discovery      http://127.0.0.1:3814
 ✓ catcher        listening on http://127.0.0.1:38147/callback
  expires  in 29m57s (2026-11-23T15:17:36Z)
  auth_time  1795445254  2026-11-23T14:47:34Z (5s ago)
  exp        1795447056  2026-11-23T15:17:36Z (in 29m57s)
  iat        1795445256  2026-11-23T14:47:36Z (now)
  iss        "http://127.0.0.1:3814"
  jti        "a0aYj5LW68NBu0KukB1utg"
ID token claims (verified)
  exp        1795448856  2026-11-23T15:47:36Z (in 59m57s)
  nonce      "lmvFtnBIiWdY_h69JQ-0iI"
`
	want := ` ✓ discovery      http://127.0.0.1:8080
 ✓ catcher        listening on http://127.0.0.1:49152/callback
  expires  in 30m (2026-01-01T12:30:00Z)
  auth_time  1767268798  2026-01-01T11:59:58Z (now)
  exp        1767270600  2026-01-01T12:30:00Z (in 30m)
  iat        1767268800  2026-01-01T12:00:00Z (now)
  iss        "http://127.0.0.1:8080"
  jti        "xxxxxxxxxxxxxxxxxxxxxx"
ID token claims (verified)
  exp        1767272400  2026-01-01T13:00:00Z (in 1h)
  nonce      "xxxxxxxxxxxxxxxxxxxxxx"
`
	if got := normalizeFrame(t, screen, "http://127.0.0.1:3814", claims); got != want {
		t.Errorf("normalizeFrame:\n%s\nwant:\n%s", got, want)
	}
}
