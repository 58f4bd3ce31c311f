package authserver

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// The sign gate runs at most its slots at once, however many callers; the
// others wait (no queue limit: none is turned away).
func TestSignGateBoundsParallelism(t *testing.T) {
	g := newCPUGate(2, -1)
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if !g.acquire(context.Background()) {
				t.Error("a caller was turned away by a gate without a queue limit")
				return
			}
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			for range 1000 { // some work, so callers overlap
				_ = n * n
			}
			running.Add(-1)
			g.release()
		})
	}
	wg.Wait()
	if p := peak.Load(); p < 1 || p > 2 {
		t.Fatalf("%d jobs ran at once, want at most 2", p)
	}
}

// A caller whose request ends while it waits leaves without a slot, and
// the gate stays usable.
func TestSignGateCancelledWaiter(t *testing.T) {
	g := newCPUGate(1, -1)
	if !g.acquire(context.Background()) {
		t.Fatal("first acquire refused")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool)
	go func() { done <- g.acquire(ctx) }()
	cancel()
	if <-done {
		t.Fatal("a cancelled waiter got the slot while it was taken")
	}
	g.release()
	if !g.acquire(context.Background()) {
		t.Fatal("the gate did not recover")
	}
	g.release()
}
