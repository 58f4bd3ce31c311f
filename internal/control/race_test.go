package control

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestConcurrentControlAndTraffic runs control calls of every kind while
// clients ask for tokens (run with -race). Every token answer is one the
// queued behaviours allow, and the log counts every token request.
func TestConcurrentControlAndTraffic(t *testing.T) {
	e := newEnv(t, true)
	const workers, rounds = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	for w := range workers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range rounds {
				status, body := e.clientCredentials()
				switch {
				case status == http.StatusOK && body["access_token"] != nil:
				case status == http.StatusBadRequest && body["error"] == "invalid_grant":
				default:
					errs <- fmt.Errorf("token answer %d %v", status, body)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := range rounds {
				var err error
				switch (w + i) % 8 {
				case 0:
					_, err = e.client.Fail(ctx, FailRequest{Endpoint: "token", Error: "invalid_grant"})
				case 1:
					_, err = e.client.Claims(ctx, ClaimsRequest{ClientID: webID, Claims: map[string]any{"n": i}})
				case 2:
					_, err = e.client.SetClock(ctx, fmt.Sprintf("%ds", i))
				case 3:
					_, err = e.client.RotateKeys(ctx, "ES256")
				case 4:
					_, err = e.client.Requests(ctx, RequestQuery{Endpoint: "token"})
				case 5:
					_, err = e.client.State(ctx)
				case 6:
					_, err = e.client.Tamper(ctx, TamperRequest{Kind: "no_token_type"})
				case 7:
					err = e.client.Reset(ctx)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := e.client.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.clientCredentials()
	}
	recs, err := e.client.Requests(ctx, RequestQuery{Endpoint: "token"})
	if err != nil || len(recs) != 3 {
		t.Errorf("after reset and 3 token requests the log has %d (%v)", len(recs), err)
	}
}
