package authserver

import (
	"sync"
	"time"
)

// Throttling of password attempts (docs/security.md rules 15, 41 and 43).
// Attempts are counted per (username, source address)
// and per source address, never per user alone nor per client, so that a
// correct password from a source that has not failed is never refused
// because of somebody else's failures (NIST SP 800-63B §5.2.2): six wrong
// passwords for alice from one address do not lock alice out elsewhere,
// and one user's failures do not block the other users of a client.
//
// An attempt is counted when it starts, before the password is hashed, so
// a burst of parallel attempts cannot all get through while the first ones
// are still hashing. After the free attempts of a key within
// throttleWindow, further attempts wait a delay that doubles per failure,
// up to throttleMax. A success removes its own attempt and the
// (username, source) count; the source's count of other usernames stays,
// so one known password cannot reset a guessing run over many usernames.
const (
	throttleFreeUser   = 5  // per (username, source)
	throttleFreeSource = 20 // per source, over every username
	throttleWindow     = 15 * time.Minute
	throttleBase       = time.Second
	throttleMax        = 5 * time.Minute
	throttleKeys       = 10000 // bound on remembered keys
)

type throttleEntry struct {
	failures int
	last     time.Time
}

type throttle struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]*throttleEntry
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, entries: map[string]*throttleEntry{}}
}

// throttleKey is one counted key and the attempts it allows for free.
type throttleKey struct {
	key  string
	free int
}

func throttleKeysFor(username, ip string) [2]throttleKey {
	return [2]throttleKey{
		{"user:" + ip + "\x00" + username, throttleFreeUser},
		{"ip:" + ip, throttleFreeSource},
	}
}

// attempt starts a password attempt of username from ip: it returns how
// long the caller must still wait (the attempt is then not counted), or 0
// after counting the attempt as a failure until succeed or cancel says
// otherwise.
func (t *throttle) attempt(username, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	keys := throttleKeysFor(username, ip)
	var wait time.Duration
	for _, k := range keys {
		e := t.entries[k.key]
		if e == nil || now.Sub(e.last) > throttleWindow || e.failures < k.free {
			continue
		}
		delay := min(throttleBase<<min(e.failures-k.free, 20), throttleMax)
		if w := e.last.Add(delay).Sub(now); w > wait {
			wait = w
		}
	}
	if wait > 0 {
		return wait
	}
	if len(t.entries) >= throttleKeys {
		for k, e := range t.entries {
			if now.Sub(e.last) > throttleWindow {
				delete(t.entries, k)
			}
		}
	}
	for _, k := range keys {
		e := t.entries[k.key]
		if e == nil || now.Sub(e.last) > throttleWindow {
			if len(t.entries) >= throttleKeys {
				continue // full of live keys: this one goes uncounted rather than growing the map
			}
			e = &throttleEntry{}
			t.entries[k.key] = e
		}
		e.failures++
		e.last = now
	}
	return 0
}

// failed ends an attempt with a wrong password: it stays counted, and the
// delay runs from now, not from when the (slow) check started.
func (t *throttle) failed(username, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, k := range throttleKeysFor(username, ip) {
		if e := t.entries[k.key]; e != nil {
			e.last = now
		}
	}
}

// succeed ends an attempt with the right password: the (username, source)
// count is cleared and the attempt taken off the source's count.
func (t *throttle) succeed(username, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := throttleKeysFor(username, ip)
	delete(t.entries, keys[0].key)
	t.uncount(keys[1].key)
}

// cancel takes back an attempt that never reached the password check (the
// store or the hashing queue failed).
func (t *throttle) cancel(username, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range throttleKeysFor(username, ip) {
		t.uncount(k.key)
	}
}

// uncount removes one attempt of key; mu must be held.
func (t *throttle) uncount(key string) {
	if e := t.entries[key]; e != nil {
		if e.failures--; e.failures <= 0 {
			delete(t.entries, key)
		}
	}
}
