package authserver

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// docs/security.md rule 52 (issue 13 item 14): an auto-approved client with
// MaxLiveCodes unredeemed codes gets no new one (temporarily_unavailable
// back to its redirect URI) until some expire; other clients are not
// affected.
func TestLiveCodeCap(t *testing.T) {
	e := newAzEnv(t)
	_ = e.st.Users().Delete(t.Context(), "bob") // one user: the one auto-approve picks
	const redirect = "http://127.0.0.1:53124/callback"
	now := e.clock.now()
	for i := range MaxLiveCodes {
		if err := e.st.Codes().Create(t.Context(), store.Code{Hash: fmt.Sprintf("sha256:flood%04d", i), ClientID: "ci",
			ExpiresAt: now.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	ask := func(state string) azResp {
		return e.authorize("response_type", "code", "client_id", "ci", "redirect_uri", redirect, "state", state,
			"scope", "read", "code_challenge", azChallenge(azVerifier), "code_challenge_method", "S256")
	}
	e.wantRedirectError(t, ask("full"), redirect, ErrTemporarilyUnavailable, "full")
	if n, err := e.st.Codes().CountLive(t.Context(), "ci", now); err != nil || n != MaxLiveCodes {
		t.Fatalf("live codes %d (%v), want %d: the refused request wrote a row", n, err, MaxLiveCodes)
	}
	e.clock.advance(2 * time.Minute)
	r := ask("later")
	if r.status != http.StatusFound {
		t.Fatalf("after the codes expired: %d", r.status)
	}
	e.code(t, r, redirect, "later")
}
