package authserver

import (
	"container/list"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Browser sessions of the login and consent pages. They live in the
// server's memory: a restart signs everybody out, which only means logging
// in again. The cookie holds a random 256-bit identifier and nothing else;
// the session keeps the signed-in user, the CSRF token of its forms
// (docs/security.md rule 8) and the authorization requests waiting for a login
// or a consent.
//
// Memory stays bounded under any anonymous flood (rule 37, docs/security.md
// rules 40 and 42): anonymous sessions (no sign-in yet) and signed-in ones
// are counted and evicted separately, so a flood of cookie-less requests
// only ever evicts anonymous sessions; anonymous sessions end after
// pendingTTL without use; and every session and waiting request is counted
// in bytes against sessionBudget. When the budget is full, the least
// recently used anonymous sessions go first; if only signed-in sessions
// are left, a new waiting request is refused (503) rather than admitted.
const (
	sessionCookie        = "oauthkit_session"
	pendingTTL           = 10 * time.Minute // an authorization request waits this long for the person
	maxAnonymousSessions = 10000
	maxSignedInSessions  = 10000
	maxPendingPerSession = 16
	sessionBudget        = 8 << 20 // bytes of sessions and waiting requests
	sessionBaseSize      = 512     // bytes counted per session besides its requests
	pendingBaseSize      = 512     // bytes counted per waiting request besides its strings
)

// session is a copy of one browser session, as handlers see it.
type session struct {
	ID       string
	CSRF     string
	Username string // "" until signed in
	Subject  string
	AuthTime time.Time
	// SID identifies the sign-in in ID tokens ("sid", OpenID Connect
	// Front-Channel Logout §2); unlike ID, it is not a secret.
	SID string
}

func (s session) signedIn() bool { return s.Subject != "" }

// pendingAuth is a validated authorization request waiting for the person.
type pendingAuth struct {
	Req       authzRequest
	Created   time.Time
	LoginDone bool // the person signed in during this request (prompt=login)
}

// size is what a waiting request counts against sessionBudget.
func (p pendingAuth) size() int {
	q := &p.Req
	return pendingBaseSize + len(q.RedirectURI) + len(q.RedirectParam) + len(q.State) + len(q.Scope) +
		len(q.Nonce) + len(q.Challenge) + len(q.LoginHint) + len(q.HintSubject) + len(q.Client.ID) + len(q.Device) + len(q.UserCode)
}

type sessionRecord struct {
	session
	created  time.Time
	lastSeen time.Time
	pending  map[string]pendingAuth
	size     int           // bytes counted against sessionBudget
	elem     *list.Element // in anonymous or signedIn, most recent first
}

// sessionStore holds the sessions; every method is safe for concurrent use
// and hands out copies.
type sessionStore struct {
	mu        sync.Mutex
	now       func() time.Time
	ttl       time.Duration
	byID      map[string]*sessionRecord
	anonymous *list.List // of *sessionRecord, most recently seen first
	signedIn  *list.List
	bytes     int
}

func newSessionStore(now func() time.Time, ttl time.Duration) *sessionStore {
	return &sessionStore{now: now, ttl: ttl, byID: map[string]*sessionRecord{},
		anonymous: list.New(), signedIn: list.New()}
}

func (st *sessionStore) listOf(rec *sessionRecord) *list.List {
	if rec.signedIn() {
		return st.signedIn
	}
	return st.anonymous
}

// expired: a signed-in session lasts ttl from its sign-in, an anonymous
// one pendingTTL from its last use.
func (st *sessionStore) expired(rec *sessionRecord, now time.Time) bool {
	if rec.signedIn() {
		return now.Sub(rec.created) >= st.ttl
	}
	return now.Sub(rec.lastSeen) >= pendingTTL
}

// drop removes a record; mu must be held.
func (st *sessionStore) drop(rec *sessionRecord) {
	if st.byID[rec.ID] == rec {
		delete(st.byID, rec.ID)
	}
	st.listOf(rec).Remove(rec.elem)
	st.bytes -= rec.size
}

// live returns the record of id if it has not expired; mu must be held.
func (st *sessionStore) live(id string) *sessionRecord {
	rec := st.byID[id]
	if rec == nil {
		return nil
	}
	now := st.now()
	if st.expired(rec, now) {
		st.drop(rec)
		return nil
	}
	rec.lastSeen = now
	st.listOf(rec).MoveToFront(rec.elem)
	return rec
}

// get returns the session named by id.
func (st *sessionStore) get(id string) (session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if rec := st.live(id); rec != nil {
		return rec.session, true
	}
	return session{}, false
}

// create starts an anonymous session, evicting the least recently used
// anonymous ones (never a signed-in one) to make room.
func (st *sessionStore) create() session {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.evictAnonymous(maxAnonymousSessions-1, sessionBaseSize, nil)
	now := st.now()
	rec := &sessionRecord{session: session{ID: randomToken(32), CSRF: randomToken(32)},
		created: now, lastSeen: now, pending: map[string]pendingAuth{}, size: sessionBaseSize}
	rec.elem = st.anonymous.PushFront(rec)
	st.byID[rec.ID] = rec
	st.bytes += rec.size
	return rec.session
}

// evictAnonymous drops expired, then least recently used, anonymous
// sessions other than keep until at most maxCount are left and need more
// bytes fit in the budget; mu must be held. It reports whether they fit.
func (st *sessionStore) evictAnonymous(maxCount, need int, keep *sessionRecord) bool {
	now := st.now()
	for e := st.anonymous.Back(); e != nil; {
		rec := e.Value.(*sessionRecord)
		prev := e.Prev()
		switch {
		case rec == keep:
		case st.expired(rec, now), st.anonymous.Len() > maxCount, st.bytes+need > sessionBudget:
			st.drop(rec)
		default:
			return true // the rest is more recent and there is room
		}
		e = prev
	}
	return st.bytes+need <= sessionBudget
}

// signIn records the user on the session and gives it a new identifier and
// a new CSRF token (no session fixation); the waiting requests move along.
func (st *sessionStore) signIn(id, username, subject string) (session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec := st.live(id)
	if rec == nil {
		return session{}, false
	}
	st.drop(rec)
	if st.signedIn.Len() >= maxSignedInSessions {
		st.drop(st.signedIn.Back().Value.(*sessionRecord))
	}
	now := st.now()
	rec.ID, rec.CSRF = randomToken(32), randomToken(32)
	rec.Username, rec.Subject, rec.AuthTime, rec.SID = username, subject, now, randomToken(16)
	rec.created, rec.lastSeen = now, now
	rec.elem = st.signedIn.PushFront(rec)
	st.byID[rec.ID] = rec
	st.bytes += rec.size
	return rec.session, true
}

// remove ends a session.
func (st *sessionStore) remove(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if rec := st.byID[id]; rec != nil {
		st.drop(rec)
	}
}

// errSessionsFull: the budget of waiting requests is spent on signed-in
// sessions; the request is refused rather than admitted.
var errSessionsFull = errors.New("too many authorization requests are waiting")

// errSessionGone: the session ended meanwhile.
var errSessionGone = errors.New("the browser session ended")

// addPending stores a request on the session and returns its identifier.
func (st *sessionStore) addPending(id string, p pendingAuth) (string, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec := st.live(id)
	if rec == nil {
		return "", errSessionGone
	}
	now := st.now()
	var oldestID string
	for rid, q := range rec.pending {
		if now.Sub(q.Created) >= pendingTTL {
			st.unpend(rec, rid)
		} else if oldestID == "" || q.Created.Before(rec.pending[oldestID].Created) {
			oldestID = rid
		}
	}
	if len(rec.pending) >= maxPendingPerSession {
		st.unpend(rec, oldestID)
	}
	p.Created = now
	need := p.size()
	if !st.evictAnonymous(maxAnonymousSessions, need, rec) {
		return "", errSessionsFull
	}
	rid := randomToken(16)
	rec.pending[rid] = p
	rec.size += need
	st.bytes += need
	return rid, nil
}

// unpend removes a waiting request of rec; mu must be held.
func (st *sessionStore) unpend(rec *sessionRecord, rid string) {
	if p, ok := rec.pending[rid]; ok {
		delete(rec.pending, rid)
		rec.size -= p.size()
		st.bytes -= p.size()
	}
}

// pending returns a waiting request of the session.
func (st *sessionStore) pending(id, rid string) (pendingAuth, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec := st.live(id)
	if rec == nil {
		return pendingAuth{}, false
	}
	p, ok := rec.pending[rid]
	if !ok || st.now().Sub(p.Created) >= pendingTTL {
		st.unpend(rec, rid)
		return pendingAuth{}, false
	}
	return p, true
}

// markLogin records that the person signed in for request rid.
func (st *sessionStore) markLogin(id, rid string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if rec := st.live(id); rec != nil {
		if p, ok := rec.pending[rid]; ok {
			p.LoginDone = true
			rec.pending[rid] = p
		}
	}
}

// takePending removes a request (answered or abandoned).
func (st *sessionStore) takePending(id, rid string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if rec := st.live(id); rec != nil {
		st.unpend(rec, rid)
	}
}

// counts reports the anonymous and signed-in sessions and their bytes.
func (st *sessionStore) counts() (anonymous, signedIn, bytes int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.anonymous.Len(), st.signedIn.Len(), st.bytes
}

// browserSession returns the session of the request's cookie.
func (s *Server) browserSession(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return session{}, false
	}
	sess, ok, _ := s.sessions.get(r.Context(), c.Value) // a store failure is logged, and there is no session
	return sess, ok
}

// setSessionCookie sends the session cookie: HttpOnly, SameSite=Lax,
// Secure when the issuer is https (docs/security.md rule 8), and Path scoped to
// the pages under /authorize so that it never reaches a client's redirect
// URI on the issuer's host (docs/security.md rule 39).
func (s *Server) setSessionCookie(w http.ResponseWriter, sess session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: s.cookiePath, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: s.cookiePath, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()})
}

func (s *Server) secureCookies() bool { return strings.HasPrefix(s.settings.Issuer, "https://") }

// csrfOK compares a form's CSRF token with the session's in constant time.
func csrfOK(sess session, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(sess.CSRF), []byte(token)) == 1
}
