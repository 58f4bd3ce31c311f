package serve

import (
	"runtime/debug"
	"testing"
)

// serve collects at gcPercent unless GOGC says otherwise.
func TestTuneGC(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	unset := func(string) (string, bool) { return "", false }
	if !tuneGC(unset) {
		t.Fatal("tuneGC without GOGC reported no change")
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Fatalf("GC percent %d after tuneGC, want %d", got, gcPercent)
	}
	set := func(k string) (string, bool) { return "50", k == "GOGC" }
	if tuneGC(set) {
		t.Fatal("tuneGC with GOGC=50 reported a change")
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GC percent %d after tuneGC with GOGC set, want it left at 100", got)
	}
}
