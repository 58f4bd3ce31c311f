package conformance

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Rules 24–26: refresh tokens.

func (s *server) refresh(t *testing.T, as auth, rt string, extra ...string) answer {
	t.Helper()
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return s.token(t, as, f)
}

func TestRule24_RotationAndReuseDetection(t *testing.T) {
	s := shared(t)
	first := s.passwordTokens(t, "read")
	rt0 := first.str("refresh_token")
	second := mustTokens(t, s.refresh(t, asBasic, rt0), "refresh")
	rt1 := second.str("refresh_token")
	if rt1 == "" || rt1 == rt0 {
		t.Fatalf("refresh returned refresh token %q, want a new one", rt1)
	}
	wantNoStore(t, second)
	if s.active(t, rt0) {
		t.Error("the rotated-out refresh token is still active")
	}
	// Within the 2 s race leeway: refused, the grant lives.
	wantTokenError(t, s.refresh(t, asBasic, rt0), http.StatusBadRequest, "invalid_grant")
	if !s.active(t, rt1) {
		t.Fatal("a reuse within the race leeway killed the grant")
	}
	// After the leeway: a replay; the whole family dies.
	time.Sleep(2200 * time.Millisecond)
	wantTokenError(t, s.refresh(t, asBasic, rt0), http.StatusBadRequest, "invalid_grant")
	if s.active(t, rt1) {
		t.Error("the newest refresh token survived the replay of an old one")
	}
	if s.active(t, second.str("access_token")) {
		t.Error("the newest access token survived the replay")
	}
	if s.active(t, first.str("access_token")) {
		t.Error("the first access token survived the replay")
	}
	wantTokenError(t, s.refresh(t, asBasic, rt1), http.StatusBadRequest, "invalid_grant")
}

func TestRule25_RefreshBindingScopeAndExpiry(t *testing.T) {
	s := shared(t)
	t.Run("bound to its client", func(t *testing.T) {
		rt := s.passwordTokens(t, "read").str("refresh_token")
		wantTokenError(t, s.refresh(t, asOther, rt), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("scope narrows, never widens", func(t *testing.T) {
		rt := s.passwordTokens(t, "read write").str("refresh_token")
		wantTokenError(t, s.refresh(t, asBasic, rt, "scope", "read write openid"), http.StatusBadRequest, "invalid_scope")
		wantTokenError(t, s.refresh(t, asBasic, rt, "scope", "admin"), http.StatusBadRequest, "invalid_scope")
		narrow := mustTokens(t, s.refresh(t, asBasic, rt, "scope", "read"), "narrowing refresh")
		if narrow.str("scope") != "read" {
			t.Errorf("scope %q, want read", narrow.str("scope"))
		}
		_, c := jwtParts(t, narrow.str("access_token"))
		if c["scope"] != "read" {
			t.Errorf("access token scope %v, want read", c["scope"])
		}
		// Beyond the original grant stays refused after a narrowing. (Asking
		// again for the originally granted "read write" is allowed: RFC 6749
		// section 6 measures against the scope the owner granted.)
		wantTokenError(t, s.refresh(t, asBasic, narrow.str("refresh_token"), "scope", "read write email"), http.StatusBadRequest, "invalid_scope")
	})
	t.Run("expired", func(t *testing.T) {
		s2 := startServer(t, shortTTLConfig)
		rt := s2.passwordTokens(t, "read").str("refresh_token")
		time.Sleep(1500 * time.Millisecond)
		wantTokenError(t, s2.refresh(t, asBasic, rt), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("removed user and removed client", func(t *testing.T) {
		s2 := startServer(t, baseConfig)
		userRT := s2.passwordTokens(t, "read")
		otherRT := mustTokens(t, s2.token(t, asOther, url.Values{"grant_type": {"password"}, "username": {userName}, "password": {userPassword}}), "other").str("refresh_token")
		s2.kill()
		// Same store, new configuration: alice replaced by bob, other-client removed.
		cfg := strings.Replace(baseConfig, "username: alice\n    password: wonderland-pw", "username: bob\n    password: bob-pw", 1)
		cfg = strings.Replace(cfg, "  - id: other-client\n    secret: other-s3cret\n", "  - id: other-gone\n    secret: other-s3cret\n", 1)
		s3, err := launch(s2.dir, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s3.kill)
		wantTokenError(t, s3.refresh(t, asBasic, userRT.str("refresh_token")), http.StatusBadRequest, "invalid_grant")
		if s3.active(t, userRT.str("access_token")) {
			t.Error("a removed user's access token is active")
		}
		wantTokenError(t, s3.refresh(t, asOther, otherRT), http.StatusUnauthorized, "invalid_client")
	})
}

func TestRule26_ParallelRefreshOneWinner(t *testing.T) {
	s := shared(t)
	const n = 12
	rt := s.passwordTokens(t, "read").str("refresh_token")
	answers := make([]answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			answers[i] = s.refresh(t, asBasic, rt)
		}()
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, a := range answers {
		switch {
		case a.Status == http.StatusOK:
			wins++
		case a.Status == http.StatusBadRequest && a.str("error") == "invalid_grant":
		default:
			t.Errorf("parallel refresh answered %s, want 200 or 400 invalid_grant", a)
		}
	}
	if wins != 1 {
		t.Errorf("%d winners among %d parallel refreshes, want exactly 1", wins, n)
	}
	// The same for code redemption.
	g := s.getCode(t, basicID, appCB, "read", false)
	wins = 0
	var mu sync.Mutex
	start = make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			a := s.redeem(t, asBasic, g)
			mu.Lock()
			defer mu.Unlock()
			if a.Status == http.StatusOK {
				wins++
			} else if a.Status != http.StatusBadRequest || a.str("error") != "invalid_grant" {
				t.Errorf("parallel redemption answered %s", a)
			}
		}()
	}
	close(start)
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d winners among %d parallel code redemptions, want exactly 1", wins, n)
	}
}
