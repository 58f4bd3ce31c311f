package authserver

import (
	"sync"
	"time"
)

// rateWindow counts requests per key (a client IP address) in fixed
// one-minute windows: at most max per window (docs/security.md rule 106).
// It remembers at most rateWindowKeys keys; past that, the finished windows
// are dropped, and if all are live the oldest is.
type rateWindow struct {
	max int
	now func() time.Time

	mu      sync.Mutex
	windows map[string]*window
}

type window struct {
	start time.Time
	count int
}

const (
	rateWindowLength = time.Minute
	rateWindowKeys   = 10000
)

func newRateWindow(max int, srv *Server) *rateWindow {
	return &rateWindow{max: max, now: func() time.Time { return srv.now() }, windows: map[string]*window{}}
}

// allow counts one request of key; when it is over the limit it returns
// false and the seconds until the window ends (at least 1).
func (l *rateWindow) allow(key string) (int, bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[key]
	if w == nil || !now.Before(w.start.Add(rateWindowLength)) || now.Before(w.start) {
		if w == nil && len(l.windows) >= rateWindowKeys {
			l.evict(now)
		}
		w = &window{start: now}
		l.windows[key] = w
	}
	if w.count >= l.max {
		wait := int(w.start.Add(rateWindowLength).Sub(now).Seconds() + 0.999)
		return max(wait, 1), false
	}
	w.count++
	return 0, true
}

// evict drops finished windows, else the oldest one.
func (l *rateWindow) evict(now time.Time) {
	var oldest string
	for k, w := range l.windows {
		if !now.Before(w.start.Add(rateWindowLength)) {
			delete(l.windows, k)
			continue
		}
		if oldest == "" || w.start.Before(l.windows[oldest].start) {
			oldest = k
		}
	}
	if len(l.windows) >= rateWindowKeys && oldest != "" {
		delete(l.windows, oldest)
	}
}
