package authserver

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// sharedPeer starts a second server on e's store, with e's issuer, keys,
// hasher and clock: another replica behind the same issuer.
func sharedPeer(t *testing.T, e *azEnv) *httptest.Server { return peerOn(t, e, e.st) }

// flakySessionStore is a flakyStore whose session reads fail too
// ("Sessions.Get", "Sessions.GetPending").
type flakySessionStore struct{ *flakyStore }

func (f flakySessionStore) Sessions() store.SessionStore {
	return flakySessions{f.flakyStore.Store.Sessions(), f.flakyStore}
}

type flakySessions struct {
	store.SessionStore
	f *flakyStore
}

func (s flakySessions) Get(ctx context.Context, hash string, now time.Time) (store.BrowserSession, error) {
	if err := s.f.check("Sessions.Get"); err != nil {
		return store.BrowserSession{}, err
	}
	return s.SessionStore.Get(ctx, hash, now)
}

func (s flakySessions) GetPending(ctx context.Context, sh, id string, now time.Time) (store.PendingRequest, error) {
	if err := s.f.check("Sessions.GetPending"); err != nil {
		return store.PendingRequest{}, err
	}
	return s.SessionStore.GetPending(ctx, sh, id, now)
}

// peerOn starts a server like e's on st.
func peerOn(t *testing.T, e *azEnv, st store.Store) *httptest.Server {
	t.Helper()
	srv, err := New(e.srv.settings, Options{Store: st, Hasher: e.srv.hasher, Keys: e.srv.keys, Now: e.clock.now,
		Logger: slog.New(slog.NewTextHandler(e.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(NewHTTPServer(srv.Handler(), slog.New(slog.DiscardHandler)).Handler)
	t.Cleanup(ts.Close)
	return ts
}

func (e *azEnv) at(base, method, path string, form url.Values) azResp {
	e.t.Helper()
	var req *http.Request
	if method == http.MethodPost {
		req, _ = http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequest(method, base+path, nil)
	}
	return e.send(e.client, req)
}

func inStore(s *Settings) { s.SessionsInStore = true }

// docs/security.md rule 66: with the sessions in the store, a sign-in on
// one server continues on another (login on A, consent on B), the consent
// is remembered for both, and a logout on B ends the session on A.
func TestRule66_SessionContinuesOnAnotherServer(t *testing.T) {
	e := newAzEnv(t, inStore)
	b := sharedPeer(t, e)
	r := e.login(e.authorize(codeReq("scope", "read")...), "alice", alicePass) // on A
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), PathConsent+"?request=") {
		t.Fatalf("login on A: %d %q, want 303 to the consent page", r.status, r.location())
	}
	page := e.at(b.URL, http.MethodGet, r.location(), nil) // the consent page, from B
	wantPage(t, page, http.StatusOK, "Allow access?", "Web App")
	csrf, rid := formValues(t, page.body)
	if csrf != csrfFor(e.cookie()) {
		t.Fatal("B's consent page carries another CSRF token than the session's")
	}
	r = e.at(b.URL, http.MethodPost, PathConsent, url.Values{"csrf_token": {csrfFor("another session")}, "request": {rid}, "decision": {"allow"}})
	wantPage(t, r, http.StatusForbidden, "does not belong to this browser session")
	r = e.at(b.URL, http.MethodPost, PathConsent, url.Values{"csrf_token": {csrf}, "request": {rid}, "decision": {"allow"}})
	code := e.code(t, r, azApp, "st-123")
	if res := e.redeem("web", azSecret, code, azApp, azVerifier); res.status != http.StatusOK {
		t.Fatalf("redeeming B's code on A: %d %s", res.status, res.body)
	}
	// B remembers A's sign-in and the consent given on B: a code at once.
	r = e.at(b.URL, http.MethodGet, "/authorize?"+azForm(codeReq("scope", "read", "state", "again")...).Encode(), nil)
	e.code(t, r, azApp, "again")
	// Logout on B ends the session on A.
	page = e.at(b.URL, http.MethodGet, PathLogout, nil)
	csrf, _ = formValues(t, page.body)
	e.at(b.URL, http.MethodPost, PathLogout, url.Values{"csrf_token": {csrf}})
	r = e.authorize(codeReq("scope", "read", "prompt", "none")...)
	e.wantRedirectError(t, r, azApp, "login_required", "st-123")
}

// docs/security.md rule 66: the store holds the hash of the session's
// identifier, never the identifier; the identifier of the anonymous
// session is dead after the sign-in (no fixation).
func TestRule66_StoreHoldsSessionHashOnly(t *testing.T) {
	e := newAzEnv(t, inStore)
	r := e.authorize(codeReq("scope", "read")...)
	before := e.cookie()
	if before == "" {
		t.Fatal("no session cookie after /authorize")
	}
	ctx := context.Background()
	if _, err := e.st.Sessions().Get(ctx, before, e.clock.now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the store found the session by its raw identifier: %v", err)
	}
	if _, err := e.st.Sessions().Get(ctx, e.srv.hasher.Hash(before), e.clock.now()); err != nil {
		t.Fatalf("the store has no session under the identifier's hash: %v", err)
	}
	e.login(r, "alice", alicePass)
	after := e.cookie()
	if after == before || after == "" {
		t.Fatalf("the session identifier did not change at sign-in")
	}
	if _, err := e.st.Sessions().Get(ctx, e.srv.hasher.Hash(before), e.clock.now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the anonymous session outlived the sign-in: %v", err)
	}
	got, err := e.st.Sessions().Get(ctx, e.srv.hasher.Hash(after), e.clock.now())
	if err != nil || got.Subject != "sub-alice" || got.SID == "" {
		t.Fatalf("signed-in session %+v, %v", got, err)
	}
}

// docs/security.md rule 66: anonymous sessions in the store end after
// pendingTTL without use, like in memory.
func TestRule66_AnonymousSessionExpires(t *testing.T) {
	e := newAzEnv(t, inStore)
	r := e.authorize(codeReq("scope", "read")...)
	e.clock.advance(pendingTTL)
	page := e.get(r.location())
	wantPage(t, page, http.StatusBadRequest, "No sign-in in progress")
}

// docs/security.md rule 69: password attempts are counted per server: the
// failures on A throttle A, not B, where the (username, source) has its own
// free attempts (an approximation: N servers allow N times the free
// attempts, each with its own growing delays).
func TestRule69_ThrottleCountsPerServer(t *testing.T) {
	e := newAzEnv(t, inStore)
	b := sharedPeer(t, e)
	r := e.authorize(codeReq("scope", "read")...)
	page := e.get(r.location())
	csrf, rid := formValues(t, page.body)
	wrong := url.Values{"csrf_token": {csrf}, "request": {rid}, "username": {"alice"}, "password": {"not-it"}}
	for i := range throttleFreeUser {
		if res := e.postForm(PathLogin, wrong); res.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d on A: %d, want 401", i+1, res.status)
		}
	}
	wantPage(t, e.postForm(PathLogin, wrong), http.StatusTooManyRequests, "Too many failed attempts")
	wantPage(t, e.at(b.URL, http.MethodPost, PathLogin, wrong), http.StatusUnauthorized, "Wrong username or password")
	right := url.Values{"csrf_token": {csrf}, "request": {rid}, "username": {"alice"}, "password": {alicePass}}
	if res := e.at(b.URL, http.MethodPost, PathLogin, right); res.status != http.StatusSeeOther {
		t.Fatalf("the right password on B: %d, want 303", res.status)
	}
}

// docs/security.md rule 66: a store that fails while a sign-in is in
// progress gives the login and consent pages a 503, not "no sign-in in
// progress"; once it is back the same request goes on.
func TestRule66_SessionStoreFailureIs503(t *testing.T) {
	e := newAzEnv(t, inStore)
	flaky := flakySessionStore{newFlakyStore(e.st)}
	b := peerOn(t, e, flaky)
	r := e.authorize(codeReq("scope", "read")...)
	for _, op := range []string{"Sessions.Get", "Sessions.GetPending"} {
		flaky.fail(op)
		page := e.at(b.URL, http.MethodGet, r.location(), nil)
		wantPage(t, page, http.StatusServiceUnavailable, "Server unavailable")
		flaky.heal()
	}
	page := e.at(b.URL, http.MethodGet, r.location(), nil)
	wantPage(t, page, http.StatusOK, "Sign in")
}
