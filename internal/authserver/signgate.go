package authserver

import (
	"context"
	"runtime"

	"github.com/oauthkit/oauthkit/keys"
)

// cpuGate bounds CPU-heavy work (slow token signatures, see gated; password
// hashing) to a few jobs at once and makes the rest wait their turn.
// Waiters are served in arrival order: Go hands a freed slot of a buffered
// channel to the sender that has been blocked longest. Bounded, a burst of
// requests is answered one after another at full speed; unbounded, on a
// machine with two cores, every request of the burst would share the cores
// and all would finish late.
type cpuGate struct {
	slots   chan struct{} // one per running job
	tickets chan struct{} // one per running or waiting job; nil: no limit on waiters
}

// newCPUGate runs parallel jobs at once; with queue >= 0 at most queue more
// wait, beyond that acquire turns callers away; queue < 0 lets any number
// wait.
func newCPUGate(parallel, queue int) cpuGate {
	g := cpuGate{slots: make(chan struct{}, parallel)}
	if queue >= 0 {
		g.tickets = make(chan struct{}, parallel+queue)
	}
	return g
}

// acquire waits for a slot; false when the queue is full or ctx ends first.
func (g *cpuGate) acquire(ctx context.Context) bool {
	if g.tickets != nil {
		select {
		case g.tickets <- struct{}{}:
		default:
			return false
		}
	}
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		if g.tickets != nil {
			<-g.tickets
		}
		return false
	}
	return true
}

// release ends a job, letting the longest waiter in.
func (g *cpuGate) release() {
	<-g.slots
	if g.tickets != nil {
		<-g.tickets
	}
}

// waiting counts the jobs running or waiting (0 without a queue limit).
func (g *cpuGate) waiting() int { return len(g.tickets) }

// defaultSignGate sizes the sign gate to the threads Go runs goroutines on
// (GOMAXPROCS): as many slow signatures (gated) run at once as there are
// threads, and every other request needing one waits, however many (each
// waiter is a request already being served, so the wait is bounded by the
// connections).
//
// Bounding alone does not fix the tail: with every thread busy signing,
// the goroutines the network poller wakes (new requests, answers to write)
// wait far longer than a signature takes, because a freed slot's waiter
// runs next on the same thread. So sign yields once it holds a slot
// (runtime.Gosched), which lets the waiting network work in between.
//
// Measured on 2 cores with wrk on the same machine (wrk -t1 -c16, 8 s,
// RS256 client_credentials, memory store, pure Go, three interleaved
// rounds): no gate 1,886-2,254 requests/s with a p99 of 102-104 ms; two
// slots 1,430-2,284/s, p99 27-71 ms; one slot 1,081-1,209/s, p99 16-22 ms;
// two slots and the yield 1,408-2,403/s, p99 17-28 ms — the rate of no
// gate with the tail of one slot.
func defaultSignGate() cpuGate {
	return newCPUGate(runtime.GOMAXPROCS(0), -1)
}

// gated reports whether a signature with alg goes through the sign gate.
// RSA (about 1 ms of CPU per RS256 signature in pure Go, 0.3 ms with
// OpenSSL), ES384 (0.2 ms) and ES512 (0.5 ms) do. ES256 and EdDSA (about
// 30 µs each, less than the rest of a token request) do not: for them a
// turn at the gate (a park, a wake-up and the yield of every request that
// finds the slots taken) cost more than it bounded. Measured on 2 cores,
// client_credentials at 16 connections, the builds alternating
// (docs/performance.md, "Fast signatures skip the sign gate"): outside the
// gate, ES256 on SQLite answered 6-12 % more requests under wrk (-5 to
// +4 % under the Go load generator, which takes more of the cores), EdDSA
// 10 % more under both, ES256 on the memory store 12 % more. p99 went
// from 3-6 ms to 5-8 ms, under half of oidc-provider's (14-23 ms).
func gated(alg string) bool { return alg != "ES256" && alg != "EdDSA" }

// sign signs claims with key k (the key set's signer, read once by the
// caller), in the sign gate when its algorithm is a slow one (gated). The
// error is ctx's when the request ended while waiting.
func (s *Server) sign(ctx context.Context, k *keys.Key, claims any, typ string) (string, error) {
	if !gated(k.Algorithm()) {
		return signWith(k, claims, typ)
	}
	if !s.signs.acquire(ctx) {
		return "", context.Cause(ctx)
	}
	defer s.signs.release()
	runtime.Gosched() // see defaultSignGate
	return signWith(k, claims, typ)
}
