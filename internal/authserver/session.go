package authserver

import (
	"crypto/subtle"
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
const (
	sessionCookie        = "oauthkit_session"
	pendingTTL           = 10 * time.Minute // an authorization request waits this long for the person
	maxSessions          = 10000
	maxPendingPerSession = 16
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

type sessionRecord struct {
	session
	created  time.Time
	lastSeen time.Time
	pending  map[string]pendingAuth
}

// sessionStore holds the sessions; every method is safe for concurrent use
// and hands out copies.
type sessionStore struct {
	mu   sync.Mutex
	now  func() time.Time
	ttl  time.Duration
	byID map[string]*sessionRecord
}

func newSessionStore(now func() time.Time, ttl time.Duration) *sessionStore {
	return &sessionStore{now: now, ttl: ttl, byID: map[string]*sessionRecord{}}
}

// live returns the record of id if it has not expired; mu must be held.
func (st *sessionStore) live(id string) *sessionRecord {
	rec := st.byID[id]
	if rec == nil {
		return nil
	}
	now := st.now()
	if now.Sub(rec.created) >= st.ttl {
		delete(st.byID, id)
		return nil
	}
	rec.lastSeen = now
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

// create starts an anonymous session.
func (st *sessionStore) create() session {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.makeRoom()
	now := st.now()
	rec := &sessionRecord{session: session{ID: randomToken(32), CSRF: randomToken(32)},
		created: now, lastSeen: now, pending: map[string]pendingAuth{}}
	st.byID[rec.ID] = rec
	return rec.session
}

// makeRoom drops expired sessions when the store is full, then the least
// recently seen one if it still is; mu must be held.
func (st *sessionStore) makeRoom() {
	if len(st.byID) < maxSessions {
		return
	}
	now := st.now()
	var oldest *sessionRecord
	for id, rec := range st.byID {
		if now.Sub(rec.created) >= st.ttl {
			delete(st.byID, id)
			continue
		}
		if oldest == nil || rec.lastSeen.Before(oldest.lastSeen) {
			oldest = rec
		}
	}
	if len(st.byID) >= maxSessions && oldest != nil {
		delete(st.byID, oldest.ID)
	}
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
	delete(st.byID, id)
	now := st.now()
	rec.ID, rec.CSRF = randomToken(32), randomToken(32)
	rec.Username, rec.Subject, rec.AuthTime, rec.SID = username, subject, now, randomToken(16)
	rec.created = now
	st.byID[rec.ID] = rec
	return rec.session, true
}

// remove ends a session.
func (st *sessionStore) remove(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.byID, id)
}

// addPending stores a request on the session and returns its identifier.
func (st *sessionStore) addPending(id string, p pendingAuth) (string, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec := st.live(id)
	if rec == nil {
		return "", false
	}
	now := st.now()
	var oldestID string
	for rid, q := range rec.pending {
		if now.Sub(q.Created) >= pendingTTL {
			delete(rec.pending, rid)
		} else if oldestID == "" || q.Created.Before(rec.pending[oldestID].Created) {
			oldestID = rid
		}
	}
	if len(rec.pending) >= maxPendingPerSession {
		delete(rec.pending, oldestID)
	}
	rid := randomToken(16)
	p.Created = now
	rec.pending[rid] = p
	return rid, true
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
		delete(rec.pending, rid)
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
		delete(rec.pending, rid)
	}
}

// browserSession returns the session of the request's cookie.
func (s *Server) browserSession(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return session{}, false
	}
	return s.sessions.get(c.Value)
}

// setSessionCookie sends the session cookie: HttpOnly, SameSite=Lax, and
// Secure when the issuer is https (docs/security.md rule 8).
func (s *Server) setSessionCookie(w http.ResponseWriter, sess session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()})
}

func (s *Server) secureCookies() bool { return strings.HasPrefix(s.settings.Issuer, "https://") }

// csrfOK compares a form's CSRF token with the session's in constant time.
func csrfOK(sess session, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(sess.CSRF), []byte(token)) == 1
}
