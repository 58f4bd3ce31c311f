package authserver

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
)

// sessionBackend keeps the browser sessions: in this process's bounded
// memory (sessionStore, for a store no other process can share) or in the
// store, so that every server on one store sees the same sessions
// (storeSessions, docs/security.md rule 66). The handlers see the same
// copies either way. get and pending report a store failure (err, logged)
// apart from "no such session"; the other methods treat one as "nothing
// there" (the person starts again, nothing is granted) and log it.
type sessionBackend interface {
	get(ctx context.Context, id string) (session, bool, error)
	create(ctx context.Context) (session, error)
	signIn(ctx context.Context, id, username, subject string) (session, bool)
	remove(ctx context.Context, id string)
	addPending(ctx context.Context, id string, p pendingAuth) (string, error)
	pending(ctx context.Context, id, rid string) (pendingAuth, bool, error)
	markLogin(ctx context.Context, id, rid string)
	takePending(ctx context.Context, id, rid string)
}

// memSessions is the in-process sessionStore as a sessionBackend.
type memSessions struct{ st *sessionStore }

func (m memSessions) get(_ context.Context, id string) (session, bool, error) {
	sess, ok := m.st.get(id)
	return sess, ok, nil
}
func (m memSessions) create(context.Context) (session, error) { return m.st.create(), nil }
func (m memSessions) signIn(_ context.Context, id, username, subject string) (session, bool) {
	return m.st.signIn(id, username, subject)
}
func (m memSessions) remove(_ context.Context, id string) { m.st.remove(id) }
func (m memSessions) addPending(_ context.Context, id string, p pendingAuth) (string, error) {
	return m.st.addPending(id, p)
}
func (m memSessions) pending(_ context.Context, id, rid string) (pendingAuth, bool, error) {
	p, ok := m.st.pending(id, rid)
	return p, ok, nil
}
func (m memSessions) markLogin(_ context.Context, id, rid string)   { m.st.markLogin(id, rid) }
func (m memSessions) takePending(_ context.Context, id, rid string) { m.st.takePending(id, rid) }

// anonymousTouchEvery: an anonymous session in the store lives pendingTTL
// from its last use; its expiry is moved forward when at least this much
// of it has passed, not on every page.
const anonymousTouchEvery = time.Minute

// storeSessions keeps the sessions in a store.SessionStore. The cookie
// holds a random 256-bit identifier; the store only its hash. The CSRF
// token of the forms is derived from the identifier (HMAC-SHA256 keyed
// with it), so every server can check it and none stores it. A waiting
// request is stored with its client's ID only; the client is read again
// when the request is resumed, so a client removed meanwhile ends it.
type storeSessions struct {
	st      store.Store
	hasher  *hashing.Hasher
	now     func() time.Time
	ttl     time.Duration
	log     *slog.Logger
	onFault func() // the store failed (health)
}

func csrfFor(id string) string {
	m := hmac.New(sha256.New, []byte(id))
	m.Write([]byte("oauthkit csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// fault logs a store failure (not ErrNotFound) and returns it; nil else.
func (ss *storeSessions) fault(op string, err error) error {
	if err == nil || errors.Is(err, store.ErrNotFound) {
		return nil
	}
	ss.log.Warn("browser session store failed", "op", op, "err", err)
	if ss.onFault != nil {
		ss.onFault()
	}
	return err
}

func fromStored(id string, b store.BrowserSession) session {
	return session{ID: id, CSRF: csrfFor(id), Username: b.Username, Subject: b.Subject, AuthTime: b.AuthTime, SID: b.SID}
}

func (ss *storeSessions) get(ctx context.Context, id string) (session, bool, error) {
	if id == "" {
		return session{}, false, nil
	}
	h, now := ss.hasher.Hash(id), ss.now()
	b, err := ss.st.Sessions().Get(ctx, h, now)
	if err != nil {
		return session{}, false, ss.fault("get", err)
	}
	if b.Anonymous() && b.ExpiresAt.Sub(now) < pendingTTL-anonymousTouchEvery {
		_ = ss.fault("touch", ss.st.Sessions().Touch(ctx, h, now, now.Add(pendingTTL)))
	}
	return fromStored(id, b), true, nil
}

func (ss *storeSessions) create(ctx context.Context) (session, error) {
	id, now := randomToken(32), ss.now()
	b := store.BrowserSession{Hash: ss.hasher.Hash(id), CreatedAt: now, ExpiresAt: now.Add(pendingTTL)}
	if err := ss.st.Sessions().Create(ctx, b, now, maxAnonymousSessions); err != nil {
		_ = ss.fault("create", err)
		return session{}, err
	}
	return fromStored(id, b), nil
}

func (ss *storeSessions) signIn(ctx context.Context, id, username, subject string) (session, bool) {
	newID, now := randomToken(32), ss.now()
	b := store.BrowserSession{Hash: ss.hasher.Hash(newID), Username: username, Subject: subject, AuthTime: now,
		SID: randomToken(16), CreatedAt: now, ExpiresAt: now.Add(ss.ttl)}
	if err := ss.st.Sessions().Replace(ctx, ss.hasher.Hash(id), b, now, maxSignedInSessions); err != nil {
		_ = ss.fault("sign in", err)
		return session{}, false
	}
	return fromStored(newID, b), true
}

func (ss *storeSessions) remove(ctx context.Context, id string) {
	_ = ss.fault("delete", ss.st.Sessions().Delete(ctx, ss.hasher.Hash(id)))
}

// storedPending is a waiting request as stored: the request without its
// client, which is named by ClientID.
type storedPending struct {
	ClientID  string
	Req       authzRequest
	LoginDone bool
}

func (ss *storeSessions) put(ctx context.Context, id, rid string, p pendingAuth) error {
	req := p.Req
	req.Client = store.Client{}
	data, err := json.Marshal(storedPending{ClientID: p.Req.Client.ID, Req: req, LoginDone: p.LoginDone})
	if err != nil {
		return err
	}
	return ss.st.Sessions().PutPending(ctx, store.PendingRequest{SessionHash: ss.hasher.Hash(id), ID: rid, Data: data,
		CreatedAt: p.Created, ExpiresAt: p.Created.Add(pendingTTL)}, ss.now(), maxPendingPerSession)
}

func (ss *storeSessions) addPending(ctx context.Context, id string, p pendingAuth) (string, error) {
	p.Created = ss.now()
	rid := randomToken(16)
	if err := ss.put(ctx, id, rid, p); err != nil {
		_ = ss.fault("add request", err)
		if errors.Is(err, store.ErrNotFound) {
			return "", errSessionGone
		}
		return "", err
	}
	return rid, nil
}

func (ss *storeSessions) pending(ctx context.Context, id, rid string) (pendingAuth, bool, error) {
	if rid == "" {
		return pendingAuth{}, false, nil
	}
	stored, err := ss.st.Sessions().GetPending(ctx, ss.hasher.Hash(id), rid, ss.now())
	if err != nil {
		return pendingAuth{}, false, ss.fault("get request", err)
	}
	var sp storedPending
	if err := json.Unmarshal(stored.Data, &sp); err != nil {
		return pendingAuth{}, false, ss.fault("decode request", err)
	}
	c, err := ss.st.Clients().Get(ctx, sp.ClientID)
	if err != nil { // a client removed meanwhile ends the request
		return pendingAuth{}, false, ss.fault("get client", err)
	}
	sp.Req.Client = c
	return pendingAuth{Req: sp.Req, Created: stored.CreatedAt, LoginDone: sp.LoginDone}, true, nil
}

func (ss *storeSessions) markLogin(ctx context.Context, id, rid string) {
	p, ok, _ := ss.pending(ctx, id, rid)
	if !ok {
		return
	}
	p.LoginDone = true
	_ = ss.fault("mark login", ss.put(ctx, id, rid, p))
}

func (ss *storeSessions) takePending(ctx context.Context, id, rid string) {
	_ = ss.fault("delete request", ss.st.Sessions().DeletePending(ctx, ss.hasher.Hash(id), rid))
}
