package authserver

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// TestPushedRequestCap: a client with MaxLivePushed pushed requests waiting
// gets 503 temporarily_unavailable with Retry-After and nothing is stored;
// once they expire it may push again (docs/security.md rule 101).
func TestPushedRequestCap(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	for i := range MaxLivePushed {
		if err := e.store.PushedRequests().Put(t.Context(), store.PushedRequest{Hash: "sha256:p" + strconv.Itoa(i), ClientID: cliID,
			Params: "client_id=cli", ExpiresAt: now.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	ch := pkceChallenge(randomToken(32))
	push := func() resp {
		return e.post(PathPAR, form("response_type", "code", "redirect_uri", testRedirect, "scope", "read",
			"code_challenge", ch, "code_challenge_method", "S256"), cliAuth)
	}
	r := push()
	wantError(t, r, http.StatusServiceUnavailable, ErrTemporarilyUnavailable)
	if r.header.Get("Retry-After") != "61" {
		t.Errorf("Retry-After %q, want 61", r.header.Get("Retry-After"))
	}
	if n, _ := e.store.PushedRequests().CountLive(t.Context(), cliID, now); n != MaxLivePushed {
		t.Errorf("%d pushed requests stored, want %d (the refused push stored nothing)", n, MaxLivePushed)
	}
	e.clock.Advance(time.Minute)
	if r := push(); r.status != http.StatusCreated {
		t.Fatalf("after expiry: status %d %s, want 201", r.status, r.body)
	}
}
