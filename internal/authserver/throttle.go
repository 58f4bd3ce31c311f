package authserver

import (
	"sync"
	"time"
)

// Throttling of failed password attempts (docs/security.md rule 15): after
// throttleFree failures within throttleWindow from one client or one IP,
// further attempts are refused for a delay that doubles per failure, up to
// throttleMax. A success clears the count of its IP address (not the
// client's, which an attacker spreading over addresses would otherwise reset).
const (
	throttleFree   = 5
	throttleWindow = 15 * time.Minute
	throttleBase   = time.Second
	throttleMax    = 5 * time.Minute
	throttleKeys   = 10000 // bound on remembered keys
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

func throttleKeysFor(clientID, ip string) [2]string {
	return [2]string{"client:" + clientID, "ip:" + ip}
}

// blocked returns how long the caller must still wait (0: go ahead).
func (t *throttle) blocked(clientID, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range throttleKeysFor(clientID, ip) {
		e := t.entries[k]
		if e == nil || now.Sub(e.last) > throttleWindow || e.failures < throttleFree {
			continue
		}
		delay := throttleBase << min(e.failures-throttleFree, 20)
		delay = min(delay, throttleMax)
		if w := e.last.Add(delay).Sub(now); w > wait {
			wait = w
		}
	}
	return wait
}

func (t *throttle) fail(clientID, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.entries) >= throttleKeys {
		for k, e := range t.entries {
			if now.Sub(e.last) > throttleWindow {
				delete(t.entries, k)
			}
		}
	}
	for _, k := range throttleKeysFor(clientID, ip) {
		e := t.entries[k]
		if e == nil || now.Sub(e.last) > throttleWindow {
			e = &throttleEntry{}
			t.entries[k] = e
		}
		e.failures++
		e.last = now
	}
}

func (t *throttle) succeed(clientID, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, "ip:"+ip)
}
