package authserver

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// docs/security.md rule 42: anonymous sessions never push out signed-in
// ones, and both are bounded.
func TestSessionStoreAnonymousFloodKeepsSignedIn(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	st := newSessionStore(func() time.Time { return now }, 8*time.Hour)
	alice, ok := st.signIn(st.create().ID, "alice", "u-alice")
	if !ok {
		t.Fatal("sign-in failed")
	}
	for range maxAnonymousSessions + 50 {
		st.create()
	}
	if _, ok := st.get(alice.ID); !ok {
		t.Fatal("a flood of anonymous sessions evicted the signed-in one")
	}
	anon, signed, bytes := st.counts()
	if anon != maxAnonymousSessions || signed != 1 {
		t.Errorf("%d anonymous and %d signed-in sessions, want %d and 1", anon, signed, maxAnonymousSessions)
	}
	if bytes > sessionBudget {
		t.Errorf("%d bytes counted, over the budget %d", bytes, sessionBudget)
	}
	now = now.Add(pendingTTL)
	st.create() // anonymous sessions unused for pendingTTL are gone
	if anon, _, _ := st.counts(); anon > 1 {
		t.Errorf("%d anonymous sessions after %s unused, want 1", anon, pendingTTL)
	}
}

// docs/security.md rule 40: waiting requests are counted in bytes; the
// budget evicts anonymous sessions first and then refuses.
func TestSessionStoreByteBudget(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	st := newSessionStore(func() time.Time { return now }, 8*time.Hour)
	big := pendingAuth{Req: authzRequest{State: strings.Repeat("s", maxStateLength), LoginHint: strings.Repeat("h", maxHintLength)}}
	for range 4000 { // 4000 × ~5.6 KiB: far more than the budget
		if _, err := st.addPending(st.create().ID, big); err != nil {
			t.Fatalf("an anonymous request was refused while older anonymous sessions could go: %v", err)
		}
	}
	if _, _, bytes := st.counts(); bytes > sessionBudget {
		t.Fatalf("%d bytes counted, over the budget %d", bytes, sessionBudget)
	}
	// Signed-in sessions fill the budget: anonymous ones go, then refusal.
	var refused bool
	for range 2000 {
		s, _ := st.signIn(st.create().ID, "u", "u")
		var err error
		for range maxPendingPerSession {
			if _, err = st.addPending(s.ID, big); err != nil {
				break
			}
		}
		if err == errSessionsFull {
			refused = true
			break
		}
	}
	anon, _, bytes := st.counts()
	if !refused || anon != 0 || bytes > sessionBudget {
		t.Errorf("refused %v, %d anonymous sessions left, %d bytes: want a refusal once only signed-in sessions are left, within %d bytes",
			refused, anon, bytes, sessionBudget)
	}
}

// docs/security.md rule 41: beyond the running hashes and the queue,
// callers are turned away at once.
func TestHashGateTurnsAwayBeyondQueue(t *testing.T) {
	g := newHashGate(1, 1)
	ctx := context.Background()
	if !g.acquire(ctx) {
		t.Fatal("the first hash was refused")
	}
	second := make(chan bool)
	go func() { second <- g.acquire(ctx) }()
	for len(g.tickets) < 2 { // the second caller is queued
		time.Sleep(time.Millisecond)
	}
	if g.acquire(ctx) {
		t.Fatal("a third caller got in with one hash running and one queued")
	}
	g.release()
	if !<-second {
		t.Fatal("the queued caller was refused after the first ended")
	}
	g.release()
	if !g.acquire(ctx) {
		t.Fatal("the gate did not recover")
	}
	g.release()
}

// docs/security.md rules 41 and 43 on the login page: with every hasher
// busy the page answers 503 with Retry-After at once, and the attempt does
// not count against the user.
func TestLoginPageBusyHashing(t *testing.T) {
	e := newAzEnv(t)
	e.srv.hashes = newHashGate(1, 0)
	if !e.srv.hashes.acquire(context.Background()) {
		t.Fatal("could not occupy the hasher")
	}
	r := e.authorize(codeReq()...)
	page := e.get(r.location())
	csrf, rid := formValues(t, page.body)
	try := func() azResp {
		return e.postForm(PathLogin, url.Values{"csrf_token": {csrf}, "request": {rid}, "username": {"alice"}, "password": {alicePass}})
	}
	for range throttleFreeUser + 1 {
		res := try()
		wantPage(t, res, http.StatusServiceUnavailable, "busy checking other passwords")
		if res.header.Get("Retry-After") != "1" {
			t.Fatalf("Retry-After %q, want 1", res.header.Get("Retry-After"))
		}
	}
	e.srv.hashes.release()
	if res := try(); res.status != http.StatusSeeOther {
		t.Errorf("after the hasher is free: %d, want 303 (turned-away attempts are not counted as failures)", res.status)
	}
}
