package authserver

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/keys"
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

// With every slot of the gate taken, ES256 and EdDSA signatures are still
// made at once; RS256 and ES384 ones wait for a slot, and give up when the
// request ends first.
func TestSignGateOnlySlowAlgorithms(t *testing.T) {
	s := &Server{signs: newCPUGate(1, -1)}
	if !s.signs.acquire(context.Background()) {
		t.Fatal("could not take the only slot")
	}
	defer s.signs.release()
	for _, tt := range []struct {
		spec  keys.Spec
		alg   string
		waits bool
	}{
		{keys.Spec{Type: keys.TypeEC}, "ES256", false},
		{keys.Spec{Type: keys.TypeEd25519}, "EdDSA", false},
		{keys.Spec{Type: keys.TypeRSA, Bits: 2048}, "RS256", true},
		{keys.Spec{Type: keys.TypeEC, Curve: "P-384"}, "ES384", true},
	} {
		k, err := keys.Generate(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if k.Algorithm() != tt.alg {
			t.Fatalf("key of %+v signs %s, want %s", tt.spec, k.Algorithm(), tt.alg)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		jwt, err := s.sign(ctx, k, map[string]any{"sub": "x"}, "at+jwt")
		cancel()
		switch {
		case tt.waits && !errors.Is(err, context.DeadlineExceeded):
			t.Errorf("%s with the gate full: %q, %v; want it to wait and end with the request", tt.alg, jwt, err)
		case !tt.waits && (err != nil || strings.Count(jwt, ".") != 2):
			t.Errorf("%s with the gate full: %q, %v; want a JWT at once", tt.alg, jwt, err)
		}
	}
}
