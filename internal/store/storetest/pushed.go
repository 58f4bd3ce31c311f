package storetest

import (
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

func newPushed(hash string) store.PushedRequest {
	return store.PushedRequest{Hash: hash, ClientID: "web",
		Params:    "client_id=web&response_type=code&resource=https%3A%2F%2Fapi.example%2F",
		ExpiresAt: t0.Add(time.Minute)}
}

// testPushedRequests: a pushed authorization request (RFC 9126) is taken
// once, never after it expired, and exactly one of concurrent takes gets it.
func testPushedRequests(t *testing.T, open Opener) {
	t.Run("take returns the request once", func(t *testing.T) {
		s := fresh(t, open)
		p := s.PushedRequests()
		must(t, p.Put(ctx(t), newPushed("sha256:p1")))
		got, err := p.Take(ctx(t), "sha256:p1", t0.Add(59*time.Second))
		must(t, err)
		want := newPushed("sha256:p1")
		want.ExpiresAt = t0UTC.Add(time.Minute)
		wantEqual(t, "pushed request", got, want)
		_, err = p.Take(ctx(t), "sha256:p1", t0.Add(59*time.Second))
		wantErr(t, err, store.ErrNotFound)
	})
	t.Run("unknown hash", func(t *testing.T) {
		s := fresh(t, open)
		_, err := s.PushedRequests().Take(ctx(t), "sha256:nope", t0)
		wantErr(t, err, store.ErrNotFound)
	})
	t.Run("expired request is refused and gone", func(t *testing.T) {
		s := fresh(t, open)
		p := s.PushedRequests()
		must(t, p.Put(ctx(t), newPushed("sha256:p1")))
		got, err := p.Take(ctx(t), "sha256:p1", t0.Add(time.Minute))
		wantErr(t, err, store.ErrExpired)
		if got.ClientID != "web" {
			t.Fatalf("expired request returned %+v, want its record", got)
		}
		_, err = p.Take(ctx(t), "sha256:p1", t0)
		wantErr(t, err, store.ErrNotFound)
	})
	t.Run("put of an existing hash conflicts", func(t *testing.T) {
		s := fresh(t, open)
		p := s.PushedRequests()
		must(t, p.Put(ctx(t), newPushed("sha256:p1")))
		other := newPushed("sha256:p1")
		other.ClientID = "other"
		wantErr(t, p.Put(ctx(t), other), store.ErrConflict)
		got, err := p.Take(ctx(t), "sha256:p1", t0)
		must(t, err)
		if got.ClientID != "web" {
			t.Fatalf("conflicting put replaced the request: %+v", got)
		}
	})
	t.Run("incomplete request is invalid", func(t *testing.T) {
		s := fresh(t, open)
		p := s.PushedRequests()
		for _, bad := range []store.PushedRequest{
			{ClientID: "web", ExpiresAt: t0},
			{Hash: "sha256:p1", ExpiresAt: t0},
			{Hash: "sha256:p1", ClientID: "web"},
		} {
			wantErr(t, p.Put(ctx(t), bad), store.ErrInvalid)
		}
	})
	t.Run("purge deletes expired requests only", func(t *testing.T) {
		s := fresh(t, open)
		p := s.PushedRequests()
		must(t, p.Put(ctx(t), newPushed("sha256:old")))
		live := newPushed("sha256:live")
		live.ExpiresAt = t0.Add(time.Hour)
		must(t, p.Put(ctx(t), live))
		n, err := s.Purge(ctx(t), t0.Add(2*time.Minute), 100)
		must(t, err)
		if n != 1 {
			t.Fatalf("Purge deleted %d records, want 1", n)
		}
		_, err = p.Take(ctx(t), "sha256:old", t0)
		wantErr(t, err, store.ErrNotFound)
		_, err = p.Take(ctx(t), "sha256:live", t0.Add(3*time.Minute))
		must(t, err)
	})
	t.Run("count live per client", func(t *testing.T) {
		s := fresh(t, open)
		p := s.PushedRequests()
		must(t, p.Put(ctx(t), newPushed("sha256:a")))
		b := newPushed("sha256:b")
		b.ExpiresAt = t0.Add(time.Hour)
		must(t, p.Put(ctx(t), b))
		other := newPushed("sha256:c")
		other.ClientID = "other"
		must(t, p.Put(ctx(t), other))
		for _, tt := range []struct {
			at   time.Time
			want int
		}{{t0, 2}, {t0.Add(time.Minute), 1}, {t0.Add(time.Hour), 0}} {
			n, err := p.CountLive(ctx(t), "web", tt.at)
			must(t, err)
			if n != tt.want {
				t.Errorf("CountLive(web, %v) = %d, want %d", tt.at.Sub(t0), n, tt.want)
			}
		}
		_, err := p.Take(ctx(t), "sha256:b", t0)
		must(t, err)
		if n, _ := p.CountLive(ctx(t), "web", t0); n != 1 {
			t.Errorf("after a take: %d live, want 1", n)
		}
	})
	t.Run("concurrent takes: exactly one wins", func(t *testing.T) {
		s := fresh(t, open)
		must(t, s.PushedRequests().Put(ctx(t), newPushed("sha256:race")))
		errs := race(func(int) error {
			_, err := s.PushedRequests().Take(ctx(t), "sha256:race", t0)
			return err
		})
		wins, counts := tally(t, errs, store.ErrNotFound)
		if wins != 1 || counts[0] != Racers-1 {
			t.Fatalf("%d wins and %d ErrNotFound, want 1 and %d", wins, counts[0], Racers-1)
		}
	})
}
