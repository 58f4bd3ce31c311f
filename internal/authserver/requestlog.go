package authserver

import (
	"sync"
	"time"
)

// RequestRecord is one request in the control API's request log: what was
// asked and answered, never a secret, a code or a token (it is built from
// an Event, which has no field for them).
type RequestRecord struct {
	Seq       int64 // 1, 2, …: order of answers; a filter's After takes it
	Time      time.Time
	Method    string
	Endpoint  string // EndpointToken, …, EndpointOther
	Path      string
	ClientID  string
	GrantType string
	Scope     string
	Status    int
	Error     string
	Duration  time.Duration
}

// RequestFilter selects records; zero fields select everything.
type RequestFilter struct {
	Endpoint  string
	ClientID  string
	GrantType string
	Error     string
	Status    int
	After     int64 // only records with a larger Seq
	Limit     int   // at most this many, the newest ones; 0: all
}

func (f RequestFilter) match(r RequestRecord) bool {
	return (f.Endpoint == "" || f.Endpoint == r.Endpoint) && (f.ClientID == "" || f.ClientID == r.ClientID) &&
		(f.GrantType == "" || f.GrantType == r.GrantType) && (f.Error == "" || f.Error == r.Error) &&
		(f.Status == 0 || f.Status == r.Status) && r.Seq > f.After
}

// RequestLogSize is how many records the log keeps; older ones go first.
const RequestLogSize = 10000

// requestLog is a ring of the last RequestLogSize records.
type requestLog struct {
	mu   sync.Mutex
	ring []RequestRecord
	next int // where the next record goes once the ring is full
	seq  int64
}

func newRequestLog() *requestLog { return &requestLog{} }

func (l *requestLog) add(ev Event) {
	ep := endpointOf(ev.Path)
	if ep == endpointHealth || ep == endpointControl {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	rec := RequestRecord{Seq: l.seq, Time: ev.Time, Method: ev.Method, Endpoint: ep, Path: ev.Path,
		ClientID: ev.ClientID, GrantType: ev.GrantType, Scope: ev.Scope, Status: ev.Status, Error: ev.Error, Duration: ev.Duration}
	if len(l.ring) < RequestLogSize {
		l.ring = append(l.ring, rec)
		return
	}
	l.ring[l.next] = rec
	l.next = (l.next + 1) % RequestLogSize
}

// list returns the matching records, oldest first.
func (l *requestLog) list(f RequestFilter) []RequestRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []RequestRecord
	n := len(l.ring)
	for i := range n {
		r := l.ring[(l.next+i)%n]
		if f.match(r) {
			out = append(out, r)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

func (l *requestLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring, l.next = nil, 0
}

func (l *requestLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ring)
}

// Requests returns the request log's records that match f, oldest first.
func (c *Control) Requests(f RequestFilter) []RequestRecord { return c.log.list(f) }

// ClearRequests empties the request log (the sequence numbers go on).
func (c *Control) ClearRequests() { c.log.clear() }
