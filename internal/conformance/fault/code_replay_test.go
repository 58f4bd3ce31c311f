package fault_test

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// codeReplayTrials is how many codes TestRule44 redeems twice at once.
const codeReplayTrials = 100

// TestRule44_ReplayDuringRedemptionRevokes (issue 13 item 6): a code
// presented twice at the same moment, 100 times over a SQLite store. One
// redemption wins; the other is a replay, and after it every token the
// winner got (access and refresh) introspects as inactive — the grant is
// created in the redemption's transaction, so the replay can never slip in
// between and find nothing to revoke (RFC 6749 §4.1.2).
func TestRule44_ReplayDuringRedemptionRevokes(t *testing.T) {
	srv := newServer(t)
	c := newClient(20*time.Second, 8)
	inactive := func(tok string) bool {
		a, err := postForm(c, srv.url, "/introspect", appID, appSecret, url.Values{"token": {tok}})
		if err != nil || a.Status != http.StatusOK {
			t.Fatalf("introspection: %v %v", a, err)
		}
		return a.Raw == "{\"active\":false}\n"
	}
	leaks := 0
	began := time.Now()
	for trial := range codeReplayTrials {
		v := newVerifier()
		code, err := authorize(c, srv.url, v)
		if err != nil {
			t.Fatal(err)
		}
		var answers [2]answer
		var errs [2]error
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				<-start
				answers[i], errs[i] = redeem(c, srv.url, code, v)
			})
		}
		close(start)
		wg.Wait()
		var winner *answer
		for i, a := range answers {
			switch {
			case errs[i] != nil:
				t.Fatalf("trial %d: %v", trial, errs[i])
			case a.Status == http.StatusOK:
				if winner != nil {
					t.Fatalf("trial %d: both redemptions of one code succeeded", trial)
				}
				winner = &answers[i]
			case a.Status != http.StatusBadRequest || a.str("error") != "invalid_grant":
				t.Fatalf("trial %d: %s, want 200 or 400 invalid_grant", trial, a)
			}
		}
		if winner == nil {
			t.Fatalf("trial %d: no redemption succeeded: %s / %s", trial, answers[0], answers[1])
		}
		for _, tok := range []string{winner.str("access_token"), winner.str("refresh_token")} {
			if !inactive(tok) {
				leaks++
				t.Errorf("trial %d: a token of the replayed code is still active", trial)
			}
		}
	}
	t.Logf("%d trials in %s; %d tokens left active after a replay", codeReplayTrials, time.Since(began).Round(time.Millisecond), leaks)
}
