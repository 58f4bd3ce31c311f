package token

import (
	"fmt"
	"time"
)

// FormatTime renders t as RFC 3339 in UTC followed by how far it is from now,
// e.g. "2026-11-23T10:30:00Z (in 12m)" or "2026-11-23T10:00:00Z (5m ago)".
func FormatTime(t, now time.Time) string {
	return fmt.Sprintf("%s (%s)", t.UTC().Format(time.RFC3339), Relative(t, now))
}

// Relative says how far t is from now: "in 12m", "5m ago", "now".
func Relative(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	switch {
	case d == 0:
		return "now"
	case d > 0:
		return "in " + HumanDuration(d)
	default:
		return HumanDuration(-d) + " ago"
	}
}

// HumanDuration renders d with at most two units, largest first:
// "45s", "5m", "12m30s", "2h5m", "3d4h". Sub-second parts are dropped;
// Relative rounds to the nearest second first.
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	secs := int64(d / time.Second)
	const minute, hour, day = 60, 3600, 86400
	two := func(a int64, ua string, b int64, ub string) string {
		if b == 0 {
			return fmt.Sprintf("%d%s", a, ua)
		}
		return fmt.Sprintf("%d%s%d%s", a, ua, b, ub)
	}
	switch {
	case secs < minute:
		return fmt.Sprintf("%ds", secs)
	case secs < hour:
		return two(secs/minute, "m", secs%minute, "s")
	case secs < day:
		return two(secs/hour, "h", secs%hour/minute, "m")
	default:
		return two(secs/day, "d", secs%day/hour, "h")
	}
}
