package token

import (
	"testing"
	"time"
)

func TestFormatTime(t *testing.T) {
	tests := []struct {
		offset time.Duration
		want   string
	}{
		{0, "2026-11-23T10:00:00Z (now)"},
		{400 * time.Millisecond, "2026-11-23T10:00:00Z (now)"},
		{11*time.Minute + 59*time.Second + 600*time.Millisecond, "2026-11-23T10:11:59Z (in 12m)"},
		{45 * time.Second, "2026-11-23T10:00:45Z (in 45s)"},
		{-5 * time.Minute, "2026-11-23T09:55:00Z (5m ago)"},
		{12*time.Minute + 30*time.Second, "2026-11-23T10:12:30Z (in 12m30s)"},
		{-(2*time.Hour + 5*time.Minute + 9*time.Second), "2026-11-23T07:54:51Z (2h5m ago)"},
		{3 * time.Hour, "2026-11-23T13:00:00Z (in 3h)"},
		{-(3*24*time.Hour + 4*time.Hour + 59*time.Minute), "2026-11-20T05:01:00Z (3d4h ago)"},
		{400 * 24 * time.Hour, "2027-12-28T10:00:00Z (in 400d)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			in := fixedNow.Add(tt.offset).In(time.FixedZone("X", 3600))
			if got := FormatTime(in, fixedNow); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}
