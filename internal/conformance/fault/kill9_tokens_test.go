package fault_test

import (
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tokenLog is what the clients of TestRule29Kill9DuringTokenLoad received
// before the kill.
type tokenLog struct {
	mu      sync.Mutex
	cc      []string        // client_credentials access tokens whose 200 arrived
	user    []string        // access tokens of code grants and refreshes whose 200 arrived
	revoked []string        // tokens whose revocation answered 200
	unsure  map[string]bool // tokens whose revocation was cut by the kill
	errs    []string        // answers other than 200 before the kill
}

func (l *tokenLog) add(list *[]string, v string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	*list = append(*list, v)
	return len(*list)
}

func (l *tokenLog) fail(what string, a answer, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.errs = append(l.errs, what+": "+err.Error())
	} else {
		l.errs = append(l.errs, what+": "+a.String())
	}
}

// TestRule29Kill9DuringTokenLoad: many clients at once get
// client_credentials tokens (their records share group commits and skip the
// fsync, docs/serve.md §9), one runs code grants and refreshes, and one
// revokes client_credentials tokens it was given, while the server gets
// SIGKILL. After a restart on the same store every access token whose 200
// arrived is active at /introspect and /protected, and every token whose
// revocation answered 200 is not (docs/security.md rule 29).
func TestRule29Kill9DuringTokenLoad(t *testing.T) {
	const issuers = 8
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	killAfter := 150 + rng.IntN(150)
	const wantRevoked = 10
	t.Logf("seed %d: SIGKILL after %d client_credentials tokens and %d revocations answered 200", seed, killAfter, wantRevoked)

	dir, db := serverDir(t)
	srv := startServer(t, dir, db)
	c := newClient(10*time.Second, issuers+4)
	log := &tokenLog{unsure: map[string]bool{}}
	var killed atomic.Bool
	enough := make(chan struct{})
	var ccCount, revCount atomic.Int64
	var once sync.Once
	check := func() {
		if ccCount.Load() >= int64(killAfter) && revCount.Load() >= wantRevoked {
			once.Do(func() { close(enough) })
		}
	}
	var wg sync.WaitGroup
	for range issuers {
		wg.Go(func() {
			for !killed.Load() {
				a, err := clientCredentials(c, srv.url)
				switch {
				case err != nil && killed.Load():
					return
				case err != nil || a.Status != http.StatusOK || a.str("access_token") == "":
					log.fail("client_credentials", a, err)
					return
				}
				ccCount.Store(int64(log.add(&log.cc, a.str("access_token"))))
				check()
			}
		})
	}
	wg.Go(func() { // code grants and refreshes
		for !killed.Load() {
			v := newVerifier()
			code, err := authorize(c, srv.url, v)
			if err != nil {
				if !killed.Load() {
					log.fail("authorize", answer{}, err)
				}
				return
			}
			a, err := redeem(c, srv.url, code, v)
			if err != nil || a.Status != http.StatusOK {
				if err == nil || !killed.Load() {
					log.fail("redeem", a, err)
				}
				return
			}
			log.add(&log.user, a.str("access_token"))
			a, err = refresh(c, srv.url, a.str("refresh_token"))
			if err != nil || a.Status != http.StatusOK {
				if err == nil || !killed.Load() {
					log.fail("refresh", a, err)
				}
				return
			}
			log.add(&log.user, a.str("access_token"))
		}
	})
	wg.Go(func() { // revokes the newest client_credentials token, again and again
		for !killed.Load() {
			log.mu.Lock()
			var tok string
			if n := len(log.cc); n > 0 {
				tok = log.cc[n-1]
				log.cc = log.cc[:n-1]
			}
			log.mu.Unlock()
			if tok == "" {
				time.Sleep(time.Millisecond)
				continue
			}
			a, err := postForm(c, srv.url, "/revoke", svcID, svcSecret, url.Values{"token": {tok}, "token_type_hint": {"access_token"}})
			switch {
			case err != nil && killed.Load():
				log.mu.Lock()
				log.unsure[tok] = true
				log.mu.Unlock()
				return
			case err != nil || a.Status != http.StatusOK:
				log.fail("revoke", a, err)
				return
			}
			revCount.Store(int64(log.add(&log.revoked, tok)))
			check()
		}
	})

	select {
	case <-enough:
	case <-time.After(60 * time.Second):
		t.Errorf("within 60 s only %d client_credentials tokens and %d revocations were answered 200", ccCount.Load(), revCount.Load())
	}
	killed.Store(true)
	srv.kill9(t)
	wg.Wait()
	for _, e := range log.errs {
		t.Errorf("before the kill: %s", e)
	}
	if t.Failed() {
		return
	}

	// The same address: the issuer, which the JWTs name, stays the same.
	srv = startServerAt(t, dir, db, strings.TrimPrefix(srv.url, "http://"))
	active := func(tok, id, secret string) (bool, string) {
		a, err := postForm(c, srv.url, "/introspect", id, secret, url.Values{"token": {tok}})
		if err != nil || a.Status != http.StatusOK {
			t.Fatalf("introspection after the restart: %v %v", a, err)
		}
		on, _ := a.Body["active"].(bool)
		return on, a.Raw
	}
	for i, tok := range log.cc {
		if on, raw := active(tok, svcID, svcSecret); !on {
			t.Errorf("client_credentials token %d of %d, answered 200 before SIGKILL: introspection %s, want active", i, len(log.cc), raw)
		}
	}
	for i, tok := range log.user {
		if on, raw := active(tok, appID, appSecret); !on {
			t.Errorf("user access token %d of %d, answered 200 before SIGKILL: introspection %s, want active", i, len(log.user), raw)
		}
	}
	for i, tok := range log.revoked {
		if on, raw := active(tok, svcID, svcSecret); on {
			t.Errorf("revocation %d of %d answered 200 before SIGKILL, but the token is active again: %s", i, len(log.revoked), raw)
		}
		if i == 0 {
			a, err := do(c, bearerRequest(t, srv.url, tok))
			if err != nil || a.Status != http.StatusUnauthorized {
				t.Errorf("/protected with a token revoked before SIGKILL: %v %v, want 401", a, err)
			}
		}
	}
	if len(log.cc) > 0 {
		a, err := do(c, bearerRequest(t, srv.url, log.cc[0]))
		if err != nil || a.Status != http.StatusOK {
			t.Errorf("/protected with a client_credentials token issued before SIGKILL: %v %v, want 200", a, err)
		}
	}
	t.Logf("checked after the restart: %d client_credentials tokens, %d user access tokens, %d revoked, %d revocations cut by the kill",
		len(log.cc), len(log.user), len(log.revoked), len(log.unsure))
}

// bearerRequest is GET /protected with tok as the Bearer token.
func bearerRequest(t *testing.T, base, tok string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/protected", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return req
}
