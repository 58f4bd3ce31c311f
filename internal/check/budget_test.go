package check

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// A check cannot send more than MaxRequestsPerCheck requests: the next one
// is refused before it leaves, and the server sees exactly the bound.
func TestRequestBoundPerCheck(t *testing.T) {
	var seen atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen.Add(1) }))
	defer ts.Close()
	e := newEnv(Config{Issuer: ts.URL})
	e.budget = true
	var refused error
	for i := 0; i < MaxRequestsPerCheck+5; i++ {
		if _, err := e.get(context.Background(), ts.URL); err != nil {
			refused = err
			break
		}
	}
	if !errors.Is(refused, errBudget) {
		t.Fatalf("after the bound: %v, want the budget error", refused)
	}
	if got := seen.Load(); got != MaxRequestsPerCheck {
		t.Fatalf("the server saw %d requests, want %d", got, MaxRequestsPerCheck)
	}
	// The next check starts with a fresh budget.
	e.requests = 0
	if _, err := e.get(context.Background(), ts.URL); err != nil {
		t.Fatalf("a fresh check: %v", err)
	}
}
