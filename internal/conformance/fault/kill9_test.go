package fault_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// family is one grant rotated in a loop by one goroutine: every refresh
// token whose 200 was received, oldest first.
type family struct {
	tokens []string
	// cut: the last refresh was in flight when the server died, so the
	// server may have committed a rotation whose answer never arrived.
	cut     bool
	err     string // an answer other than 200 before the kill
	settled bool   // stopped before the kill with its last answer received
}

// TestRule29Kill9DuringRefreshStream: several clients each rotate their
// own grant in a loop; the server gets SIGKILL in the middle of the stream
// and is restarted on the same store. Then the newest refresh token each
// client received works, and every one it received before that is refused
// with invalid_grant (docs/security.md rule 29, docs/serve.md §9).
//
// Half of the clients ("settled") stop just before the kill, after the
// answer to their last refresh arrived, so their newest token must work.
// The others are cut by the kill with a refresh in flight, which the server
// may or may not have committed: their newest received token works, or is
// refused because that unseen rotation was committed.
func TestRule29Kill9DuringRefreshStream(t *testing.T) {
	const families = 4
	seed := uint64(time.Now().UnixNano())
	killAfter := 20 + rand.New(rand.NewPCG(seed, 0)).IntN(60)
	t.Logf("seed %d: SIGKILL after %d refreshes answered 200", seed, killAfter)

	dir, db := serverDir(t)
	srv := startServer(t, dir, db)
	c := newClient(5*time.Second, families)
	fams := make([]*family, families)
	for i := range fams {
		fams[i] = &family{tokens: []string{codeGrant(t, c, srv.url)}}
	}

	var received atomic.Int64
	var killed atomic.Bool
	enough := make(chan struct{})
	var once sync.Once
	var settle atomic.Bool
	var wg, settledWG sync.WaitGroup
	for i, f := range fams {
		settles := i%2 == 0
		if settles {
			settledWG.Add(1)
		}
		wg.Go(func() {
			if settles {
				defer settledWG.Done()
			}
			for !settles || !settle.Load() {
				a, err := refresh(c, srv.url, f.tokens[len(f.tokens)-1])
				switch {
				case err != nil && killed.Load():
					f.cut = true
					return
				case err != nil:
					f.err = err.Error()
					return
				case a.Status == http.StatusOK && a.str("refresh_token") != "":
					f.tokens = append(f.tokens, a.str("refresh_token"))
					if received.Add(1) >= int64(killAfter) {
						once.Do(func() { close(enough) })
					}
				default:
					f.err = a.String()
					return
				}
			}
			f.settled = true
		})
	}
	select {
	case <-enough:
	case <-time.After(30 * time.Second):
		t.Errorf("only %d refreshes answered 200 within 30 s", received.Load())
	}
	settle.Store(true)
	settledWG.Wait()
	killed.Store(true)
	srv.kill9(t)
	wg.Wait()
	for i, f := range fams {
		if f.err != "" {
			t.Errorf("family %d: refresh %d before the kill: %s", i, len(f.tokens), f.err)
		}
	}
	if t.Failed() {
		return
	}

	srv = startServer(t, dir, db)
	for i, f := range fams {
		newest := f.tokens[len(f.tokens)-1]
		a, err := refresh(c, srv.url, newest)
		switch {
		case err == nil && a.Status == http.StatusOK:
		case err == nil && f.cut && !f.settled && a.Status == http.StatusBadRequest && a.str("error") == "invalid_grant":
			// The request cut by the kill was committed: its new token
			// never arrived, so the newest received one is rotated out.
			t.Logf("family %d: the refresh cut by SIGKILL had been committed", i)
		default:
			t.Errorf("family %d: the newest of %d received refresh tokens after the restart: %v %v, want 200",
				i, len(f.tokens), a, err)
		}
		// Newest first: a rotated-out token presented after the leeway
		// revokes the grant (rule 24).
		for j, rt := range f.tokens[:len(f.tokens)-1] {
			a, err := refresh(c, srv.url, rt)
			wantError(t, fmt.Sprintf("family %d: rotated-out token %d of %d after the restart", i, j, len(f.tokens)),
				a, err, http.StatusBadRequest, "invalid_grant")
		}
	}
	total, settledN := 0, 0
	for _, f := range fams {
		total += len(f.tokens)
		if f.settled {
			settledN++
		}
	}
	if settledN != families/2 {
		t.Errorf("%d families settled before the kill, want %d", settledN, families/2)
	}
	t.Logf("%d refresh tokens received in %d families before SIGKILL", total, families)
}
