package authserver

import (
	"context"
	"runtime"

	"github.com/oauthkit/oauthkit/internal/token/rsasign"
	"github.com/oauthkit/oauthkit/keys"
)

// cpuGate bounds CPU-heavy work (token signing, password hashing) to a few
// jobs at once and makes the rest wait their turn. Waiters are served in
// arrival order: Go hands a freed slot of a buffered channel to the sender
// that has been blocked longest. Bounded, a burst of requests is answered
// one after another at full speed; unbounded, on a machine with two cores,
// every request of the burst would share the cores and all would finish
// late.
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
// (GOMAXPROCS). When RSA signatures hold such a thread (crypto/rsa, the
// default build), one is left for the HTTP work around the signing
// (reading requests, writing answers, the network poller), at least one
// slot; OpenSSL's (-tags openssl) run in cgo calls, which hold none. Every
// other request waits, however many (each waiter is a request already
// being served, so the wait is bounded by the connections).
//
// Measured on 2 cores with wrk on the same machine (16 connections, RS256
// client_credentials, memory store, pure Go): in five quiet interleaved
// rounds one slot gave a p99 of 16-20 ms (oidc-provider: 16-38 ms) at about
// 1,200 requests/s, where no gate gave 88-103 ms at about 2,330; two slots
// stayed near no gate's p99 (75-87 ms). The price is the rate: with one
// core signing, crypto/rsa's ~1,250 signatures/s per core is the ceiling.
// The tail comes from Go's scheduler: with every thread busy signing, the
// goroutines the network poller wakes wait for a thread far longer than a
// signature takes; a thread that runs out of work polls at once.
func defaultSignGate() cpuGate {
	n := runtime.GOMAXPROCS(0)
	if rsasign.HoldsThread() {
		n = max(1, n-1)
	}
	return newCPUGate(n, -1)
}

// sign signs claims with key k (the key set's signer, read once by the
// caller), in the sign gate. The error is ctx's when the request ended
// while waiting.
func (s *Server) sign(ctx context.Context, k *keys.Key, claims any, typ string) (string, error) {
	if !s.signs.acquire(ctx) {
		return "", context.Cause(ctx)
	}
	defer s.signs.release()
	return signWith(k, claims, typ)
}
