package canon

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

func TestTime(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	tests := []struct {
		in, want time.Time
	}{
		{time.Time{}, time.Time{}},
		{time.Date(2026, 3, 14, 15, 9, 26, 535897932, cet), time.Date(2026, 3, 14, 14, 9, 26, 535897000, time.UTC)},
		{time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC)},
		{time.Date(9999, 12, 31, 0, 0, 0, 1, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got := Time(tt.in)
		if got != tt.want {
			t.Errorf("Time(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if back := FromMicros(Micros(tt.in)); back != tt.want {
			t.Errorf("FromMicros(Micros(%v)) = %v, want %v", tt.in, back, tt.want)
		}
	}
}

func TestListsAndClaims(t *testing.T) {
	if got := List([]string{}); got != nil {
		t.Errorf("List(empty) = %#v, want nil", got)
	}
	if got := EncodeList(nil); got != "[]" {
		t.Errorf("EncodeList(nil) = %q", got)
	}
	if got, err := DecodeList(`["a","b"]`); err != nil || len(got) != 2 || got[1] != "b" {
		t.Errorf("DecodeList = %q, %v", got, err)
	}
	if _, err := DecodeList(`{`); err == nil {
		t.Error("DecodeList of bad JSON succeeded")
	}
	if got, err := Claims(map[string]any{}); err != nil || got != nil {
		t.Errorf("Claims(empty) = %#v, %v; want nil", got, err)
	}
	got, err := Claims(map[string]any{"n": 3, "s": "x"})
	if err != nil || got["n"] != float64(3) || got["s"] != "x" {
		t.Errorf("Claims = %#v, %v", got, err)
	}
	if _, err := Claims(map[string]any{"ch": make(chan int)}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Claims with a channel: %v, want ErrInvalid", err)
	}
}

func TestLeeway(t *testing.T) {
	for in, want := range map[time.Duration]time.Duration{
		-time.Second:           0,
		0:                      0,
		1500 * time.Nanosecond: time.Microsecond,
		2 * time.Second:        2 * time.Second,
	} {
		if got := Leeway(in); got != want {
			t.Errorf("Leeway(%v) = %v, want %v", in, got, want)
		}
	}
}

// A remembered list is never shared: each DecodeList of a text returns its
// own copy, so a caller that changes its slice cannot change what the next
// reader of the same row gets; and the memory of decoded texts is bounded.
func TestDecodeListRemembersCopies(t *testing.T) {
	const js = `["https://a.example/cb","http://127.0.0.1/cb"]`
	first, err := DecodeList(js)
	if err != nil {
		t.Fatal(err)
	}
	first[0] = "changed"
	second, err := DecodeList(js)
	if err != nil {
		t.Fatal(err)
	}
	if second[0] != "https://a.example/cb" || len(second) != 2 {
		t.Fatalf("second decoding = %q: the first caller's change leaked into it", second)
	}
	if _, err := DecodeList(`["unterminated`); err == nil {
		t.Fatal("a broken list decoded without an error")
	}
	if got, err := DecodeList("[]"); err != nil || got != nil {
		t.Fatalf(`DecodeList("[]") = %#v, %v; want nil, nil`, got, err)
	}
	for i := range 3 * decodedLists.max {
		if _, err := DecodeList(fmt.Sprintf(`["%d"]`, i)); err != nil {
			t.Fatal(err)
		}
	}
	decodedLists.mu.Lock()
	n := len(decodedLists.m)
	decodedLists.mu.Unlock()
	if n > decodedLists.max {
		t.Fatalf("%d decoded lists remembered, more than the bound %d", n, decodedLists.max)
	}
}
