package authserver

import (
	"context"
	"errors"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
)

// The one password check of the password grant and the login page
// (docs/security.md rules 15, 41 and 43).

// errWrongPassword is an unknown user or a wrong password: one answer for
// both.
var errWrongPassword = errors.New("wrong username or password")

// errHashBusy: every password hasher is busy and the queue is full
// (docs/security.md rule 41); the caller answers 503 with Retry-After.
var errHashBusy = errors.New("too many password checks in progress")

// throttledError: the throttle refuses the attempt for wait.
type throttledError struct{ wait time.Duration }

func (e throttledError) Error() string { return "too many failed password attempts" }

// hashBusyRetryAfter is the Retry-After of a full hashing queue, seconds.
const hashBusyRetryAfter = 1

// checkPassword checks username's password, the attempt coming from ip.
// The attempt is counted by the throttle before any hashing; an unknown
// user costs the same hash as a wrong password (against a dummy hash); the
// hashing runs in the bounded hashGate. It returns the user, or
// errWrongPassword, a throttledError, errHashBusy, or a store error.
func (s *Server) checkPassword(ctx context.Context, username, password, ip string) (store.User, error) {
	if wait := s.throttle.attempt(username, ip); wait > 0 {
		return store.User{}, throttledError{wait}
	}
	user, err := s.store.Users().Get(ctx, username)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.throttle.cancel(username, ip)
		return store.User{}, err
	}
	if !s.hashes.acquire(ctx) {
		s.throttle.cancel(username, ip)
		return store.User{}, errHashBusy
	}
	hash := s.dummyPasswordHash()
	if known {
		hash = user.PasswordHash
	}
	match, verr := hashing.VerifyPassword(hash, password)
	s.hashes.release()
	if verr != nil && known {
		s.log.Error("stored password hash is unusable", "user", username, "err", verr)
	}
	if !known || !match {
		s.throttle.failed(username, ip)
		return store.User{}, errWrongPassword
	}
	s.throttle.succeed(username, ip)
	return user, nil
}

// dummyPasswordHash is verified when the user is unknown, so an unknown user
// and a wrong password cost the same time (docs/security.md rule 15). It is the
// hash of a random string nobody knows, made on first use (inside the
// hashGate).
func (s *Server) dummyPasswordHash() string {
	s.dummyOnce.Do(func() {
		h, err := hashing.HashPassword(randomToken(24))
		if err != nil {
			s.log.Error("making the dummy password hash failed", "err", err)
		}
		s.dummyHash = h
	})
	return s.dummyHash
}

// hashGate bounds the password hashes running at once (argon2id takes
// 64 MiB each) to the CPUs, with a short queue; beyond it callers are
// turned away at once instead of piling up memory (docs/security.md
// rule 41). The hashes' memory is handed back to the operating system once
// the gate has been idle for freeAfterIdle, so that an idle server does not
// keep the peak of its last burst resident, while a run of logins does not
// pay for faulting 64 MiB in again before every hash.
type hashGate struct {
	cpuGate

	mu   sync.Mutex
	free *time.Timer // pending hand-back, reset by every release
}

// freeAfterIdle is how long the gate waits, idle, before handing the
// hashing memory back.
const freeAfterIdle = 500 * time.Millisecond

func newHashGate(parallel, queue int) *hashGate {
	return &hashGate{cpuGate: newCPUGate(parallel, queue)}
}

// defaultHashGate is sized to the CPUs, with room for as many waiting.
func defaultHashGate() *hashGate {
	n := runtime.NumCPU()
	return newHashGate(n, n)
}

// release ends a hash and (re)arms the hand-back of its memory: left to
// the garbage collector, the heap would grow to twice the running hashes
// before a collection, and stay resident after a burst.
func (g *hashGate) release() {
	g.cpuGate.release()
	// Collect now, so the next hash reuses these pages instead of the heap
	// growing to twice the running hashes; the pages stay resident until
	// the gate is idle.
	runtime.GC()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.free == nil {
		g.free = time.AfterFunc(freeAfterIdle, g.freeIfIdle)
		return
	}
	g.free.Reset(freeAfterIdle)
}

// freeIfIdle hands the memory back unless a hash is running or waiting
// (its release arms the timer again).
func (g *hashGate) freeIfIdle() {
	if g.waiting() == 0 {
		debug.FreeOSMemory()
	}
}
