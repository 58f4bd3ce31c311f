package fault_test

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// raceWidth is how many clients present the same credential at once.
const raceWidth = 50

// race sends try raceWidth times at once and checks docs/security.md rule 26:
// exactly one 200 (whose body satisfies won), every other answer 400
// invalid_grant, no 5xx and no transport error. It returns the winner and
// how long the race took.
func race(t *testing.T, try func() (answer, error), won func(answer) bool) (answer, time.Duration) {
	t.Helper()
	answers := make([]answer, raceWidth)
	errs := make([]error, raceWidth)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range raceWidth {
		wg.Go(func() {
			<-start
			answers[i], errs[i] = try()
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(began)
	t.Logf("%d parallel requests answered in %s", raceWidth, took.Round(time.Millisecond))

	var winners []answer
	refused := 0
	for i, a := range answers {
		switch {
		case errs[i] != nil:
			t.Errorf("request %d: %v", i, errs[i])
		case a.Status == http.StatusOK && won(a):
			winners = append(winners, a)
		case a.Status == http.StatusBadRequest && a.str("error") == "invalid_grant" && a.str("access_token") == "":
			refused++
		default:
			t.Errorf("request %d: %s, want 200 or 400 invalid_grant", i, a)
		}
	}
	if len(winners) != 1 || refused != raceWidth-1 {
		t.Fatalf("%d successes and %d invalid_grant of %d parallel requests, want 1 and %d",
			len(winners), refused, raceWidth, raceWidth-1)
	}
	return winners[0], took
}

// TestRule26RefreshRace: 50 parallel refreshes of one refresh token over
// HTTP: exactly one 200, the rest 400 invalid_grant, no 5xx. The losers
// arrive within the 2 s race leeway, so the winner's token keeps working.
func TestRule26RefreshRace(t *testing.T) {
	srv := newServer(t)
	c := newClient(20*time.Second, raceWidth)
	rt := codeGrant(t, c, srv.url)

	winner, took := race(t, func() (answer, error) { return refresh(c, srv.url, rt) },
		func(a answer) bool { return a.str("refresh_token") != "" && a.str("refresh_token") != rt })

	if took > 1500*time.Millisecond {
		t.Logf("the race took %s, longer than the leeway allows to check the winner's token", took)
		return
	}
	next, err := refresh(c, srv.url, winner.str("refresh_token"))
	if err != nil || next.Status != http.StatusOK {
		t.Errorf("refreshing the winner's token after the race: %v %v, want 200", next, err)
	}
}

// TestRule26CodeRace: 50 parallel redemptions of one authorization code
// (PKCE, auto-approved): exactly one 200, the rest 400 invalid_grant, no
// 5xx; and the winner's grant is revoked by the losers.
func TestRule26CodeRace(t *testing.T) {
	srv := newServer(t)
	c := newClient(20*time.Second, raceWidth)
	v := newVerifier()
	code, err := authorize(c, srv.url, v)
	if err != nil {
		t.Fatal(err)
	}
	winner, _ := race(t, func() (answer, error) { return redeem(c, srv.url, code, v) },
		func(a answer) bool { return a.str("access_token") != "" && a.str("refresh_token") != "" })

	// Unlike refresh there is no race leeway for codes: every losing
	// redemption is a second use, which revokes what the first one
	// produced (rule 9, docs/serve.md §5 "The answer").
	a, err := refresh(c, srv.url, winner.str("refresh_token"))
	wantError(t, "the winner's refresh token after the code race", a, err, http.StatusBadRequest, "invalid_grant")
}
