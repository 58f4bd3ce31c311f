package storetest

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

func anonSession(hash string, exp time.Time) store.BrowserSession {
	return store.BrowserSession{Hash: hash, CreatedAt: t0, ExpiresAt: exp}
}

func signedSession(hash, subject string, exp time.Time) store.BrowserSession {
	return store.BrowserSession{Hash: hash, Username: "u-" + subject, Subject: subject, AuthTime: t0, SID: "sid-" + hash,
		CreatedAt: t0, ExpiresAt: exp}
}

func waiting(session, id string, created time.Time) store.PendingRequest {
	return store.PendingRequest{SessionHash: session, ID: id, Data: []byte(`{"req":"` + id + `"}`),
		CreatedAt: created, ExpiresAt: created.Add(10 * time.Minute)}
}

// testSessions: browser sessions and their waiting requests
// (store.SessionStore), shared by every server on the store.
func testSessions(t *testing.T, open Opener) {
	hour := t0.Add(time.Hour)
	t.Run("create, get, expiry, conflict", func(t *testing.T) {
		s := fresh(t, open)
		ss := s.Sessions()
		in := signedSession("h1", "sub-1", hour)
		must(t, ss.Create(ctx(t), in, t0, 0))
		got, err := ss.Get(ctx(t), "h1", t0)
		must(t, err)
		wantEqual(t, "session", got, store.BrowserSession{Hash: "h1", Username: "u-sub-1", Subject: "sub-1", AuthTime: t0UTC,
			SID: "sid-h1", CreatedAt: t0UTC, ExpiresAt: hour.UTC().Truncate(time.Microsecond)})
		wantErr(t, ss.Create(ctx(t), anonSession("h1", hour), t0, 0), store.ErrConflict)
		wantErr(t, getErr(ss.Get(ctx(t), "h1", hour)), store.ErrNotFound) // now == ExpiresAt: gone
		wantErr(t, getErr(ss.Get(ctx(t), "nope", t0)), store.ErrNotFound)
		anon := anonSession("h2", hour)
		must(t, ss.Create(ctx(t), anon, t0, 0))
		got, err = ss.Get(ctx(t), "h2", t0)
		must(t, err)
		if !got.Anonymous() || !got.AuthTime.IsZero() {
			t.Fatalf("anonymous session came back as %+v", got)
		}
		wantErr(t, ss.Create(ctx(t), store.BrowserSession{Hash: "x"}, t0, 0), store.ErrInvalid)
	})
	t.Run("touch extends a live session only", func(t *testing.T) {
		s := fresh(t, open)
		ss := s.Sessions()
		must(t, ss.Create(ctx(t), anonSession("a", t0.Add(time.Minute)), t0, 0))
		must(t, ss.Touch(ctx(t), "a", t0.Add(30*time.Second), t0.Add(20*time.Minute)))
		if _, err := ss.Get(ctx(t), "a", t0.Add(19*time.Minute)); err != nil {
			t.Fatalf("touched session gone before its new expiry: %v", err)
		}
		wantErr(t, ss.Touch(ctx(t), "a", t0.Add(20*time.Minute), t0.Add(time.Hour)), store.ErrNotFound)
		wantErr(t, ss.Touch(ctx(t), "nope", t0, hour), store.ErrNotFound)
	})
	t.Run("replace moves the waiting requests; the old session is gone", func(t *testing.T) {
		s := fresh(t, open)
		ss := s.Sessions()
		must(t, ss.Create(ctx(t), anonSession("old", hour), t0, 0))
		must(t, ss.PutPending(ctx(t), waiting("old", "r1", t0), t0, 0))
		must(t, ss.Replace(ctx(t), "old", signedSession("new", "sub-1", hour), t0, 0))
		wantErr(t, getErr(ss.Get(ctx(t), "old", t0)), store.ErrNotFound)
		wantErr(t, pendErr(ss.GetPending(ctx(t), "old", "r1", t0)), store.ErrNotFound)
		p, err := ss.GetPending(ctx(t), "new", "r1", t0)
		must(t, err)
		wantEqual(t, "moved request", string(p.Data), `{"req":"r1"}`)
		wantEqual(t, "moved request's session", p.SessionHash, "new")
		// a second replace of the same old session finds nothing
		wantErr(t, ss.Replace(ctx(t), "old", signedSession("newer", "sub-1", hour), t0, 0), store.ErrNotFound)
		wantErr(t, getErr(ss.Get(ctx(t), "newer", t0)), store.ErrNotFound)
		// a replace onto an existing hash changes nothing
		must(t, ss.Create(ctx(t), anonSession("other", hour), t0, 0))
		wantErr(t, ss.Replace(ctx(t), "other", signedSession("new", "sub-2", hour), t0, 0), store.ErrConflict)
		if _, err := ss.Get(ctx(t), "other", t0); err != nil {
			t.Fatalf("a refused replace removed the old session: %v", err)
		}
	})
	t.Run("delete removes the session and its requests", func(t *testing.T) {
		s := fresh(t, open)
		ss := s.Sessions()
		must(t, ss.Create(ctx(t), signedSession("h", "sub", hour), t0, 0))
		must(t, ss.PutPending(ctx(t), waiting("h", "r", t0), t0, 0))
		must(t, ss.Delete(ctx(t), "h"))
		must(t, ss.Delete(ctx(t), "h")) // twice is fine
		wantErr(t, getErr(ss.Get(ctx(t), "h", t0)), store.ErrNotFound)
		// a new session with the same hash does not inherit the request
		must(t, ss.Create(ctx(t), signedSession("h", "sub", hour), t0, 0))
		wantErr(t, pendErr(ss.GetPending(ctx(t), "h", "r", t0)), store.ErrNotFound)
	})
	t.Run("waiting requests: put, replace, expiry, limit, delete", func(t *testing.T) {
		s := fresh(t, open)
		ss := s.Sessions()
		wantErr(t, ss.PutPending(ctx(t), waiting("none", "r", t0), t0, 0), store.ErrNotFound)
		must(t, ss.Create(ctx(t), anonSession("h", hour), t0, 0))
		wantErr(t, ss.PutPending(ctx(t), store.PendingRequest{SessionHash: "h", ExpiresAt: hour}, t0, 0), store.ErrInvalid)
		for i := range 4 {
			must(t, ss.PutPending(ctx(t), waiting("h", "r"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Second)), t0, 3))
		}
		// at most 3: the oldest (r0) went
		wantErr(t, pendErr(ss.GetPending(ctx(t), "h", "r0", t0)), store.ErrNotFound)
		for _, id := range []string{"r1", "r2", "r3"} {
			if _, err := ss.GetPending(ctx(t), "h", id, t0.Add(5*time.Second)); err != nil {
				t.Fatalf("request %s: %v", id, err)
			}
		}
		upd := waiting("h", "r2", t0.Add(2*time.Second))
		upd.Data = []byte(`{"login_done":true}`)
		must(t, ss.PutPending(ctx(t), upd, t0.Add(5*time.Second), 3))
		p, err := ss.GetPending(ctx(t), "h", "r2", t0.Add(5*time.Second))
		must(t, err)
		wantEqual(t, "replaced request", string(p.Data), `{"login_done":true}`)
		wantEqual(t, "created", p.CreatedAt, t0UTC.Add(2*time.Second))
		// expiry: r1 was created at t0+1s and waits 10 minutes
		wantErr(t, pendErr(ss.GetPending(ctx(t), "h", "r1", t0.Add(time.Second+10*time.Minute))), store.ErrNotFound)
		must(t, ss.DeletePending(ctx(t), "h", "r3"))
		must(t, ss.DeletePending(ctx(t), "h", "r3"))
		wantErr(t, pendErr(ss.GetPending(ctx(t), "h", "r3", t0)), store.ErrNotFound)
		// the session's expiry ends its requests too
		must(t, ss.Create(ctx(t), anonSession("short", t0.Add(time.Minute)), t0, 0))
		must(t, ss.PutPending(ctx(t), waiting("short", "r", t0), t0, 0))
		wantErr(t, pendErr(ss.GetPending(ctx(t), "short", "r", t0.Add(2*time.Minute))), store.ErrNotFound)
		// request data are copies
		in := waiting("h", "c", t0)
		must(t, ss.PutPending(ctx(t), in, t0, 0))
		in.Data[0] = 'X'
		p, err = ss.GetPending(ctx(t), "h", "c", t0)
		must(t, err)
		wantEqual(t, "copied data", string(p.Data), `{"req":"c"}`)
	})
	// docs/security.md rule 66: an anonymous flood never removes a
	// signed-in session; each kind is capped on its own.
	t.Run("limit evicts the earliest-expiring of the same kind only", func(t *testing.T) {
		s := fresh(t, open)
		ss := s.Sessions()
		must(t, ss.Create(ctx(t), signedSession("alice", "sub-a", t0.Add(time.Minute)), t0, 2))
		for i := range 10 {
			must(t, ss.Create(ctx(t), anonSession(fmt.Sprintf("anon-%02d", i), t0.Add(time.Duration(i+1)*time.Minute)), t0, 3))
		}
		must(t, ss.PutPending(ctx(t), waiting("anon-09", "r", t0), t0, 0))
		if _, err := ss.Get(ctx(t), "alice", t0); err != nil {
			t.Fatalf("anonymous sessions evicted the signed-in one: %v", err)
		}
		for i := range 10 {
			_, err := ss.Get(ctx(t), fmt.Sprintf("anon-%02d", i), t0)
			if live := err == nil; live != (i >= 7) {
				t.Fatalf("anonymous session %d live=%v, want only the 3 latest-expiring (7..9)", i, live)
			}
		}
		must(t, ss.Create(ctx(t), signedSession("bob", "sub-b", hour), t0, 2))
		must(t, ss.Replace(ctx(t), "anon-09", signedSession("carol", "sub-c", hour), t0, 2))
		wantErr(t, getErr(ss.Get(ctx(t), "alice", t0)), store.ErrNotFound) // the earliest-expiring signed-in one
		for _, h := range []string{"bob", "carol", "anon-07", "anon-08"} {
			if _, err := ss.Get(ctx(t), h, t0); err != nil {
				t.Fatalf("session %s: %v", h, err)
			}
		}
		if _, err := ss.GetPending(ctx(t), "carol", "r", t0); err != nil {
			t.Fatalf("the request did not move with the sign-in: %v", err)
		}
	})
	t.Run("purge deletes expired sessions and requests", func(t *testing.T) {
		s := fresh(t, open)
		ss := s.Sessions()
		must(t, ss.Create(ctx(t), anonSession("old", t0.Add(time.Minute)), t0, 0))
		must(t, ss.PutPending(ctx(t), waiting("old", "r", t0), t0, 0))
		must(t, ss.Create(ctx(t), signedSession("live", "sub", hour), t0, 0))
		must(t, ss.PutPending(ctx(t), waiting("live", "gone", t0), t0, 0))
		must(t, ss.PutPending(ctx(t), waiting("live", "kept", t0.Add(15*time.Minute)), t0, 0))
		n, err := s.Purge(ctx(t), t0.Add(20*time.Minute), 100)
		must(t, err)
		if n != 3 {
			t.Fatalf("Purge deleted %d records, want 3 (a session, its request, an expired request)", n)
		}
		if _, err := ss.GetPending(ctx(t), "live", "kept", t0.Add(21*time.Minute)); err != nil {
			t.Fatalf("a live request was purged: %v", err)
		}
		n, err = s.Purge(ctx(t), t0.Add(20*time.Minute), 100)
		must(t, err)
		if n != 0 {
			t.Fatalf("second Purge deleted %d records, want 0", n)
		}
	})
	t.Run("concurrent sign-ins of one session: exactly one wins", func(t *testing.T) {
		s := fresh(t, open)
		ss := s.Sessions()
		must(t, ss.Create(ctx(t), anonSession("anon", hour), t0, 0))
		errs := race(func(i int) error {
			return ss.Replace(ctx(t), "anon", signedSession("signed-"+strconv.Itoa(i), "sub", hour), t0, 0)
		})
		wins, counts := tally(t, errs, store.ErrNotFound)
		if wins != 1 || counts[0] != Racers-1 {
			t.Fatalf("%d wins and %d ErrNotFound, want 1 and %d", wins, counts[0], Racers-1)
		}
	})
}

func getErr(_ store.BrowserSession, err error) error  { return err }
func pendErr(_ store.PendingRequest, err error) error { return err }

// testConsents: remembered consents (store.ConsentStore) grow by union,
// also under concurrent grants, and go with their client or user.
func testConsents(t *testing.T, open Opener) {
	t.Run("grant adds scopes; removal of client or user forgets", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Clients().Put(ctx(t), store.Client{ID: "web", CreatedAt: t0}))
		must(t, s.Clients().Put(ctx(t), store.Client{ID: "cli", CreatedAt: t0}))
		must(t, s.Users().Put(ctx(t), store.User{Username: "alice", Subject: "sub-a"}))
		cs := s.Consents()
		got, err := cs.Scopes(ctx(t), "sub-a", "web")
		must(t, err)
		wantEqual(t, "scopes before", got, []string(nil))
		must(t, cs.Grant(ctx(t), "sub-a", "web", []string{"openid", "read"}, t0))
		must(t, cs.Grant(ctx(t), "sub-a", "web", []string{"write", "read"}, t0))
		must(t, cs.Grant(ctx(t), "sub-a", "cli", []string{"openid"}, t0))
		got, err = cs.Scopes(ctx(t), "sub-a", "web")
		must(t, err)
		wantEqual(t, "scopes", got, []string{"openid", "read", "write"})
		wantErr(t, cs.Grant(ctx(t), "", "web", []string{"x"}, t0), store.ErrInvalid)

		must(t, s.Clients().Delete(ctx(t), "web"))
		must(t, s.Clients().Put(ctx(t), store.Client{ID: "web", CreatedAt: t0}))
		got, err = cs.Scopes(ctx(t), "sub-a", "web")
		must(t, err)
		wantEqual(t, "scopes after the client was removed and added again", got, []string(nil))
		must(t, s.Users().Delete(ctx(t), "alice"))
		got, err = cs.Scopes(ctx(t), "sub-a", "cli")
		must(t, err)
		wantEqual(t, "scopes after the user was removed", got, []string(nil))
	})
	t.Run("concurrent grants all count", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.Clients().Put(ctx(t), store.Client{ID: "web", CreatedAt: t0}))
		must(t, s.Users().Put(ctx(t), store.User{Username: "u", Subject: "sub"}))
		errs := race(func(i int) error {
			return s.Consents().Grant(ctx(t), "sub", "web", []string{"s" + strconv.Itoa(i), "common"}, t0)
		})
		if wins, _ := tally(t, errs); wins != Racers {
			t.Fatalf("%d of %d grants succeeded", wins, Racers)
		}
		got, err := s.Consents().Scopes(ctx(t), "sub", "web")
		must(t, err)
		if len(got) != Racers+1 {
			t.Fatalf("%d scopes remembered, want %d", len(got), Racers+1)
		}
	})
}

// testKeyDelete: a deleted key is gone from Get and List.
func testKeyDelete(t *testing.T, open Opener) {
	s := fresh(t, open)
	pem := []byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n")
	must(t, s.Keys().Add(ctx(t), store.Key{KID: "a", Alg: "EdDSA", PrivatePEM: pem, CreatedAt: t0}))
	must(t, s.Keys().Add(ctx(t), store.Key{KID: "b", Alg: "EdDSA", PrivatePEM: pem, CreatedAt: t0, Active: true}))
	must(t, s.Keys().Delete(ctx(t), "a"))
	wantErr(t, s.Keys().Delete(ctx(t), "a"), store.ErrNotFound)
	_, err := s.Keys().Get(ctx(t), "a")
	wantErr(t, err, store.ErrNotFound)
	list, err := s.Keys().List(ctx(t))
	must(t, err)
	if len(list) != 1 || list[0].KID != "b" {
		t.Fatalf("keys after delete: %+v", list)
	}
}
