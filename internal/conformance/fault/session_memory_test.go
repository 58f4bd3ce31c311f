package fault_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Rules 40 and 41 (docs/security.md): memory stays bounded under an
// anonymous flood of /authorize and under parallel wrong passwords.

// pagesConfig has a client that needs the login page (so /authorize keeps
// a waiting request in a browser session) and a password-grant client; the
// users' passwords are hashed with argon2id (64 MiB) at startup.
const pagesConfig = `scopes:
  read: Read your data
clients:
  - id: web
    secret: web-s3cret-0123456789
    redirect_uris: [https://web.example.test/cb]
    scopes: [read]
  - id: pw
    secret: pw-s3cret-0123456789
    grant_types: [password]
    scopes: [read]
users:
  - username: alice
    password: looking-glass-pw
  - username: bob
    password: builder-pw-12345
`

// newPagesServer starts a server with pagesConfig.
func newPagesServer(t *testing.T) *server {
	t.Helper()
	dir, db := serverDir(t)
	if err := os.WriteFile(filepath.Join(dir, "oauthkit.yaml"), []byte(pagesConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return startServer(t, dir, db)
}

// postAuthorize posts an authorization request of client web.
func postAuthorize(c *http.Client, base string, extra url.Values) (answer, error) {
	f := url.Values{"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {"https://web.example.test/cb"}, "scope": {"read"}}
	for k, v := range extra {
		f[k] = v
	}
	req, err := http.NewRequest(http.MethodPost, base+"/authorize", strings.NewReader(f.Encode()))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(c, req)
}

// TestRule40_AuthorizeFloodMemoryBounded floods POST /authorize for a
// bounded time from 8 workers: 60 KiB states (refused), and requests at
// the size limits, half without a cookie (a new anonymous session each),
// half reusing one browser's cookie. The server's resident memory grows by
// less than 64 MiB (before the limits it grew by ~1.7 GiB in 10 s).
func TestRule40_AuthorizeFloodMemoryBounded(t *testing.T) {
	const (
		workers  = 8
		duration = 8 * time.Second
		bound    = 64 << 10 // KiB
	)
	srv := newPagesServer(t)
	plain := newClient(10*time.Second, workers)
	if a, err := postAuthorize(plain, srv.url, nil); err != nil || a.Status != http.StatusSeeOther {
		t.Fatalf("warm-up: %v %v, want 303 to the login page", a, err)
	}
	before := srv.rssKiB(t)
	big := url.Values{"state": {strings.Repeat("s", 60<<10)}}
	atLimit := url.Values{"state": {strings.Repeat("s", 4096)}, "login_hint": {strings.Repeat("h", 1024)},
		"ui_locales": {strings.Repeat("u", 1024)}, "acr_values": {strings.Repeat("a", 1024)}, "nonce": {strings.Repeat("n", 512)}}
	var sent, refused, admitted, other atomic.Int64
	stop := time.Now().Add(duration)
	var wg sync.WaitGroup
	for w := range workers {
		c := plain
		if w%2 == 1 { // a browser: one cookie, many waiting requests
			jar, _ := cookiejar.New(nil)
			c = newClient(10*time.Second, 1)
			c.Jar = jar
		}
		wg.Go(func() {
			for i := 0; time.Now().Before(stop); i++ {
				extra := atLimit
				if i%2 == 0 {
					extra = big
				}
				a, err := postAuthorize(c, srv.url, extra)
				sent.Add(1)
				loc := a.Header.Get("Location")
				switch {
				case err != nil:
					t.Errorf("request %d: %v", i, err)
					return
				case a.Status == http.StatusSeeOther && strings.Contains(loc, "error=invalid_request"):
					refused.Add(1)
				case a.Status == http.StatusSeeOther && strings.HasPrefix(loc, "/authorize/login?"),
					a.Status == http.StatusServiceUnavailable:
					admitted.Add(1)
				default:
					other.Add(1)
				}
			}
		})
	}
	wg.Wait()
	after := srv.rssKiB(t)
	t.Logf("%d requests in %s (%d refused as oversized, %d admitted or 503): server VmRSS %d KiB before, %d KiB after",
		sent.Load(), duration, refused.Load(), admitted.Load(), before, after)
	if other.Load() > 0 {
		t.Errorf("%d answers were neither invalid_request, the login page nor 503", other.Load())
	}
	if refused.Load() == 0 || admitted.Load() == 0 {
		t.Errorf("the flood did not exercise both kinds of request")
	}
	if after-before > bound {
		t.Errorf("server VmRSS grew by %d KiB, want < %d KiB (docs/security.md rule 40)", after-before, bound)
	}
	if a, err := postAuthorize(plain, srv.url, nil); err != nil || a.Status != http.StatusSeeOther {
		t.Errorf("after the flood: %v %v, want 303 to the login page", a, err)
	}
}

// TestRule41_ParallelWrongPasswordsBounded sends 24 parallel wrong
// passwords for 24 usernames to the password grant, and again to the login
// page: password hashing is bounded by the CPUs (argon2id takes 64 MiB a
// hash), the overflow is answered 503 with Retry-After at once, peak memory
// stays within the CPUs' worth of hashes, and the memory is handed back
// afterwards (docs/security.md rule 41). Before: RSS 148 → 1,561 MiB.
func TestRule41_ParallelWrongPasswordsBounded(t *testing.T) {
	const (
		parallel = 24
		hashKiB  = 64 << 10
		settle   = 64 << 10 // KiB over the idle RSS allowed once the burst is over
		bound    = 2 * time.Minute
	)
	srv := newPagesServer(t)
	c := newClient(bound, parallel)
	if a, err := postForm(c, srv.url, "/token", "pw", "pw-s3cret-0123456789",
		url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"looking-glass-pw"}}); err != nil || a.Status != http.StatusOK {
		t.Fatalf("warm-up password grant: %v %v", a, err)
	}
	time.Sleep(1500 * time.Millisecond) // the server hands hashing memory back after 500 ms idle
	idle := srv.rssKiB(t)

	var peak atomic.Int64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if r := int64(srv.rssKiB(t)); r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	began := time.Now()
	for i := range parallel {
		wg.Go(func() {
			a, err := postForm(c, srv.url, "/token", "pw", "pw-s3cret-0123456789",
				url.Values{"grant_type": {"password"}, "username": {"user" + strings.Repeat("x", i)}, "password": {"wrong"}})
			if err != nil {
				t.Errorf("attempt %d: %v", i, err)
				return
			}
			if a.Status == http.StatusServiceUnavailable && (a.str("error") != "temporarily_unavailable" || a.Header.Get("Retry-After") == "") {
				t.Errorf("503 without temporarily_unavailable and Retry-After: %v", a)
			}
			mu.Lock()
			statuses[a.Status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	took := time.Since(began)
	time.Sleep(1500 * time.Millisecond) // as above: past the 500 ms idle hand-back
	close(done)
	<-sampled
	after := srv.rssKiB(t)
	maxHashes := runtime.NumCPU()
	t.Logf("%d parallel wrong passwords in %s: %v; VmRSS idle %d KiB, peak %d KiB, after %d KiB (%d CPUs)",
		parallel, took.Round(time.Millisecond), statuses, idle, peak.Load(), after, maxHashes)
	if statuses[http.StatusBadRequest]+statuses[http.StatusServiceUnavailable] != parallel {
		t.Errorf("answers %v, want only 400 invalid_grant and 503 temporarily_unavailable", statuses)
	}
	if statuses[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no attempt was turned away: hashing is not bounded")
	}
	if took > bound {
		t.Errorf("the burst took %s, want < %s", took, bound)
	}
	if grow := peak.Load() - int64(idle); grow > int64((maxHashes+2)*hashKiB) {
		t.Errorf("peak VmRSS grew by %d KiB, want < %d KiB (%d hashes of 64 MiB at once, plus slack)", grow, (maxHashes+2)*hashKiB, maxHashes)
	}
	if after-idle > settle {
		t.Errorf("VmRSS after the burst is %d KiB over idle, want < %d KiB: the hashing memory stayed resident", after-idle, settle)
	}
}
