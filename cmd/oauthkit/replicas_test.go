package main

import (
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Several `serve` replicas on one store with one issuer (issue 20): what
// one replica issued, rotated, revoked or signed in, the others see.
// docs/security.md rules 66 and 67; docs/serve.md "Several replicas".

// refreshLeeway is the server's default RefreshRaceLeeway: a rotated-out
// refresh token presented later than this is a replay, not a lost race.
const refreshLeeway = 2 * time.Second

func TestReplicas(t *testing.T) {
	for _, st := range replicaStores {
		t.Run(st.name, func(t *testing.T) {
			t.Run("two started together", func(t *testing.T) {
				c := startCluster(t, st, 2, true)
				a, b := c.replicas[0], c.replicas[1]
				// Each may have generated a key: within the reload
				// interval both sign with one key, published by both.
				began := time.Now()
				for c.signingKID(a) != c.signingKID(b) || !slices.Equal(c.jwksKIDs(a), c.jwksKIDs(b)) {
					if time.Since(began) > 15*time.Second {
						t.Fatalf("15 s after the start A signs with %s, B with %s; JWKS %v and %v",
							c.signingKID(a), c.signingKID(b), c.jwksKIDs(a), c.jwksKIDs(b))
					}
					time.Sleep(250 * time.Millisecond)
				}
				t.Logf("A and B sign with one key %s after %s", c.signingKID(a), time.Since(began).Round(100*time.Millisecond))
				at := c.clientCredentials(a)
				if !c.active(b, at) {
					t.Fatal("a token issued by A is not active on B")
				}
				tok, shown := c.codeFlow(b, a, b) // login on B, consent on A
				if !shown {
					t.Fatal("the first authorization showed no consent page")
				}
				if !c.active(a, tok.str("access_token")) {
					t.Fatal("the access token of the code flow is not active on A")
				}
			})
			t.Run("three", func(t *testing.T) { testThreeReplicas(t, st) })
		})
	}
}

func testThreeReplicas(t *testing.T, st replicaStore) {
	c := startCluster(t, st, 3, false)
	a, b, r3 := c.replicas[0], c.replicas[1], c.replicas[2]

	t.Run("token from A introspects active on B and C", func(t *testing.T) {
		c := c.in(t)
		at := c.clientCredentials(a)
		if !c.active(b, at) || !c.active(r3, at) {
			t.Fatal("a client_credentials token of A is not active on B or C")
		}
	})

	t.Run("login on A, consent on B, code redeemed on C", func(t *testing.T) {
		c := c.in(t)
		tok, shown := c.codeFlow(a, b, r3)
		if !shown {
			t.Fatal("the first authorization showed no consent page")
		}
		// The consent given on B is remembered on A and C.
		for _, r := range []*replica{a, r3} {
			if _, shown := c.codeFlow(r, r, r); shown {
				t.Fatalf("%s asked again for the consent given on B", r.name)
			}
		}
		for _, r := range c.replicas {
			if !c.active(r, tok.str("access_token")) {
				t.Fatalf("the access token is not active on %s", r.name)
			}
		}
	})

	t.Run("refresh rotated on A and replayed on B revokes the family everywhere", func(t *testing.T) {
		c := c.in(t)
		tok, _ := c.codeFlow(a, a, a)
		rt := tok.str("refresh_token")
		next, err := c.refresh(a, rt)
		if err != nil || next.status != http.StatusOK {
			t.Fatalf("rotation on A: %v %v", next, err)
		}
		time.Sleep(refreshLeeway + 200*time.Millisecond) // past the race leeway: a replay
		replay, err := c.refresh(b, rt)
		if err != nil || replay.status != http.StatusBadRequest || replay.str("error") != "invalid_grant" {
			t.Fatalf("replay on B: %v %v, want 400 invalid_grant", replay, err)
		}
		again, err := c.refresh(r3, next.str("refresh_token"))
		if err != nil || again.status != http.StatusBadRequest || again.str("error") != "invalid_grant" {
			t.Fatalf("the successor of the replayed token on C: %v %v, want 400 invalid_grant (family revoked)", again, err)
		}
		for _, r := range c.replicas {
			if c.active(r, next.str("access_token")) || c.active(r, tok.str("access_token")) {
				t.Fatalf("an access token of the revoked family is still active on %s", r.name)
			}
		}
	})

	t.Run("50 concurrent refreshes of one token over the replicas: one 200, 49 invalid_grant", func(t *testing.T) {
		c := c.in(t)
		tok, _ := c.codeFlow(b, r3, a)
		rt := tok.str("refresh_token")
		const n = 50
		answers := make([]answer, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				answers[i], errs[i] = c.refresh(c.replicas[i%len(c.replicas)], rt)
			})
		}
		close(start)
		wg.Wait()
		var ok, invalid int
		var winner answer
		for i, x := range answers {
			switch {
			case errs[i] != nil:
				t.Fatalf("request %d: %v", i, errs[i])
			case x.status == http.StatusOK:
				ok++
				winner = x
			case x.status == http.StatusBadRequest && x.str("error") == "invalid_grant":
				invalid++
			default:
				t.Errorf("request %d on %s: %v", i, c.replicas[i%len(c.replicas)].name, x)
			}
		}
		if ok != 1 || invalid != n-1 {
			t.Fatalf("%d × 200 and %d × invalid_grant, want 1 and %d", ok, invalid, n-1)
		}
		// The losers lost a race (within the leeway): the winner's grant lives.
		if !c.active(b, winner.str("access_token")) {
			t.Fatal("the winner's access token is not active")
		}
		if x, err := c.refresh(r3, winner.str("refresh_token")); err != nil || x.status != http.StatusOK {
			t.Fatalf("the winner's refresh token: %v %v", x, err)
		}
	})

	t.Run("key rotation on A is served in B's JWKS", func(t *testing.T) {
		c := c.in(t)
		before := c.jwksKIDs(b)
		kid := c.rotateKeys(a, "ES256")
		if slices.Contains(before, kid) {
			t.Fatalf("the new kid %s was published before the rotation", kid)
		}
		// A token signed with the new key is active on B at once: an
		// unknown kid makes B reload the keys.
		at := c.clientCredentials(a)
		if !c.active(b, at) {
			t.Fatal("a token signed with A's new key is not active on B")
		}
		began := time.Now()
		for !slices.Contains(c.jwksKIDs(r3), kid) {
			if time.Since(began) > 15*time.Second {
				t.Fatalf("C's JWKS lacks the new kid %s 15 s after the rotation", kid)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if !slices.Contains(c.jwksKIDs(b), kid) {
			t.Fatalf("B's JWKS lacks the new kid %s", kid)
		}
		t.Logf("C published the new key %s after %s", kid, time.Since(began).Round(100*time.Millisecond))
		// Every replica now signs with the new key: their tokens verify
		// on the others.
		for _, r := range c.replicas {
			if !c.active(a, c.clientCredentials(r)) {
				t.Fatalf("a token of %s after the rotation is not active on A", r.name)
			}
		}
	})

	t.Run("kill -9 of a replica in a refresh stream loses nothing answered 200", func(t *testing.T) {
		c := c.in(t)
		const streams = 6
		type stream struct {
			rt       string   // the last refresh token answered 200
			access   []string // every access token answered 200
			cut      bool     // a request got no answer (the victim died)
			answered int
		}
		ss := make([]*stream, streams)
		for i := range ss {
			tok, _ := c.codeFlow(a, a, a)
			ss[i] = &stream{rt: tok.str("refresh_token"), access: []string{tok.str("access_token")}}
		}
		victim := b
		var killed atomic.Bool
		stop := time.Now().Add(3 * time.Second)
		var wg sync.WaitGroup
		for i, s := range ss {
			wg.Go(func() {
				for k := i; time.Now().Before(stop); k++ {
					r := c.replicas[k%len(c.replicas)]
					if r == victim && killed.Load() {
						continue // the proxy took it out of rotation
					}
					x, err := c.refresh(r, s.rt)
					switch {
					case err != nil && r == victim:
						s.cut = true // the rotation may or may not have committed: stop here
						return
					case err != nil:
						t.Errorf("stream %d on %s: %v", i, r.name, err)
						return
					case x.status != http.StatusOK:
						t.Errorf("stream %d on %s: %v", i, r.name, x)
						return
					}
					s.rt = x.str("refresh_token")
					s.access = append(s.access, x.str("access_token"))
					s.answered++
				}
			})
		}
		time.Sleep(time.Second)
		victim.Kill() // SIGKILL
		killed.Store(true)
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		total := 0
		for i, s := range ss {
			total += s.answered
			for _, at := range s.access[1:] {
				if !c.active(a, at) || !c.active(r3, at) {
					t.Fatalf("stream %d: an access token answered 200 is not active after the kill", i)
				}
			}
			if s.cut {
				continue
			}
			if x, err := c.refresh(r3, s.rt); err != nil || x.status != http.StatusOK {
				t.Fatalf("stream %d: the last refresh token answered 200 does not refresh on C: %v %v", i, x, err)
			}
		}
		if total < 3*streams {
			t.Fatalf("only %d refreshes answered 200 in the stream", total)
		}
		t.Logf("%d refreshes answered 200 over %d streams; B killed after 1 s", total, streams)
	})
}
