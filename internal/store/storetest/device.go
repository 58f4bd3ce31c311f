package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

const deviceLife = 10 * time.Minute

func newDevice(hash, userHash string) store.DeviceCode {
	return store.DeviceCode{Hash: hash, UserCodeHash: userHash, ClientID: "tv", Scope: "openid profile",
		Interval: 5 * time.Second, CreatedAt: t0, ExpiresAt: t0.Add(deviceLife)}
}

func devicePoll(hash string, now time.Time, fam, refresh string) store.DevicePoll {
	p := store.DevicePoll{Hash: hash, ClientID: "tv", Now: now, SlowDown: 5 * time.Second, Family: store.Family{ID: fam}}
	if refresh != "" {
		p.First = store.RefreshToken{Hash: refresh, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	return p
}

func approve(now time.Time) store.DeviceDecision {
	return store.DeviceDecision{Approve: true, Subject: "sub-alice", AuthTime: t0, SessionID: "sid-1", Now: now}
}

// testDeviceCodes: device authorizations (store.DeviceCodeStore, RFC 8628):
// both codes unique, one decision, slow_down kept in the store, a single
// redemption that creates the grant, and purge.
func testDeviceCodes(t *testing.T, open Opener) {
	t.Run("create and read back by user code", func(t *testing.T) {
		s := fresh(t, open)
		d := newDevice("sha256:d1", "sha256:u1")
		d.Status, d.Subject = store.DeviceStatusApproved, "intruder" // ignored by Create
		must(t, s.DeviceCodes().Create(ctx(t), d))
		got, err := s.DeviceCodes().GetByUserCode(ctx(t), "sha256:u1")
		must(t, err)
		want := store.DeviceCode{Hash: "sha256:d1", UserCodeHash: "sha256:u1", ClientID: "tv", Scope: "openid profile",
			Interval: 5 * time.Second, CreatedAt: t0UTC, ExpiresAt: t0UTC.Add(deviceLife), Status: store.DeviceStatusPending}
		if got != want {
			t.Fatalf("GetByUserCode:\n got %+v\nwant %+v", got, want)
		}
		_, err = s.DeviceCodes().GetByUserCode(ctx(t), "sha256:nope")
		wantErr(t, err, store.ErrNotFound)
	})
	t.Run("device code and user code are unique", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		wantErr(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u2")), store.ErrConflict)
		wantErr(t, dc.Create(ctx(t), newDevice("sha256:d2", "sha256:u1")), store.ErrConflict)
		// nothing of the refused ones was stored
		_, err := dc.GetByUserCode(ctx(t), "sha256:u2")
		wantErr(t, err, store.ErrNotFound)
		wantErr(t, dc.Create(ctx(t), store.DeviceCode{Hash: "sha256:d3", ClientID: "tv", ExpiresAt: t0, Interval: time.Second}), store.ErrInvalid)
	})
	t.Run("decide once", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		must(t, dc.Create(ctx(t), newDevice("sha256:d2", "sha256:u2")))
		wantErr(t, func() error { _, err := dc.Decide(ctx(t), "sha256:u1", store.DeviceDecision{Approve: true, Now: t0}); return err }(), store.ErrInvalid)
		got, err := dc.Decide(ctx(t), "sha256:u1", approve(t0.Add(time.Minute)))
		must(t, err)
		if got.Status != store.DeviceStatusApproved || got.Subject != "sub-alice" || got.SessionID != "sid-1" || !got.AuthTime.Equal(t0UTC) {
			t.Fatalf("after approve: %+v", got)
		}
		_, err = dc.Decide(ctx(t), "sha256:u1", store.DeviceDecision{Now: t0.Add(2 * time.Minute)})
		wantErr(t, err, store.ErrAlreadyUsed)
		again, err := dc.GetByUserCode(ctx(t), "sha256:u1")
		must(t, err)
		if again.Status != store.DeviceStatusApproved {
			t.Fatalf("a second decision changed the record: %+v", again)
		}
		denied, err := dc.Decide(ctx(t), "sha256:u2", store.DeviceDecision{Now: t0})
		must(t, err)
		if denied.Status != store.DeviceStatusDenied || denied.Subject != "" {
			t.Fatalf("after deny: %+v", denied)
		}
		_, err = dc.Decide(ctx(t), "sha256:nope", approve(t0))
		wantErr(t, err, store.ErrNotFound)
	})
	t.Run("no decision once expired", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		got, err := dc.Decide(ctx(t), "sha256:u1", approve(t0.Add(deviceLife)))
		wantErr(t, err, store.ErrExpired)
		if got.Status != store.DeviceStatusPending {
			t.Fatalf("expired record changed: %+v", got)
		}
	})
	t.Run("polling: pending, slow_down grows and keeps the interval", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		got, err := dc.Poll(ctx(t), devicePoll("sha256:d1", t0.Add(time.Second), "f1", ""))
		must(t, err)
		if got.Status != store.DeviceStatusPending || !got.LastPolledAt.Equal(t0UTC.Add(time.Second)) {
			t.Fatalf("first poll: %+v", got)
		}
		// 4 s later: too early for 5 s
		got, err = dc.Poll(ctx(t), devicePoll("sha256:d1", t0.Add(5*time.Second), "f1", ""))
		wantErr(t, err, store.ErrSlowDown)
		if got.Interval != 10*time.Second {
			t.Fatalf("interval after slow_down = %v, want 10s", got.Interval)
		}
		// 6 s later: fine for 5 s, too early for the 10 s now in force
		got, err = dc.Poll(ctx(t), devicePoll("sha256:d1", t0.Add(11*time.Second), "f1", ""))
		wantErr(t, err, store.ErrSlowDown)
		if got.Interval != 15*time.Second {
			t.Fatalf("interval after second slow_down = %v, want 15s", got.Interval)
		}
		got, err = dc.Poll(ctx(t), devicePoll("sha256:d1", t0.Add(26*time.Second), "f1", ""))
		must(t, err)
		if got.Interval != 15*time.Second || got.Status != store.DeviceStatusPending {
			t.Fatalf("poll after the interval: %+v", got)
		}
		stored, err := dc.GetByUserCode(ctx(t), "sha256:u1")
		must(t, err)
		if stored.Interval != 15*time.Second || !stored.LastPolledAt.Equal(t0UTC.Add(26*time.Second)) {
			t.Fatalf("stored after polls: %+v", stored)
		}
	})
	t.Run("another client's poll changes nothing", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		_, err := dc.Decide(ctx(t), "sha256:u1", approve(t0))
		must(t, err)
		p := devicePoll("sha256:d1", t0.Add(time.Second), "f1", "sha256:r1")
		p.ClientID = "other"
		_, err = dc.Poll(ctx(t), p)
		wantErr(t, err, store.ErrNotFound)
		stored, err := dc.GetByUserCode(ctx(t), "sha256:u1")
		must(t, err)
		if stored.Status != store.DeviceStatusApproved || !stored.LastPolledAt.IsZero() {
			t.Fatalf("after another client's poll: %+v", stored)
		}
		_, _, err = s.RefreshTokens().Lookup(ctx(t), "sha256:r1")
		wantErr(t, err, store.ErrNotFound)
		_, err = dc.Poll(ctx(t), devicePoll("sha256:nope", t0, "f1", ""))
		wantErr(t, err, store.ErrNotFound)
	})
	t.Run("approved: one redemption creates the grant", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		_, err := dc.Decide(ctx(t), "sha256:u1", approve(t0.Add(time.Minute)))
		must(t, err)
		got, err := dc.Poll(ctx(t), devicePoll("sha256:d1", t0.Add(2*time.Minute), "fam-d1", "sha256:r1"))
		must(t, err)
		if got.Status != store.DeviceStatusRedeemed || got.FamilyID != "fam-d1" {
			t.Fatalf("redeeming poll: %+v", got)
		}
		tok, fam, err := s.RefreshTokens().Lookup(ctx(t), "sha256:r1")
		must(t, err)
		want := store.Family{ID: "fam-d1", ClientID: "tv", Subject: "sub-alice", Scope: "openid profile",
			AuthTime: t0UTC, SessionID: "sid-1", CreatedAt: t0UTC.Add(2 * time.Minute)}
		if fam != want || tok.Status != store.StatusActive {
			t.Fatalf("grant of the device code:\n got %+v\nwant %+v (token %+v)", fam, want, tok)
		}
		_, err = dc.Poll(ctx(t), devicePoll("sha256:d1", t0.Add(3*time.Minute), "fam-d2", "sha256:r2"))
		wantErr(t, err, store.ErrAlreadyUsed)
		_, _, err = s.RefreshTokens().Lookup(ctx(t), "sha256:r2")
		wantErr(t, err, store.ErrNotFound)
		// a used code stays used after it expired: a replay is a replay
		_, err = dc.Poll(ctx(t), devicePoll("sha256:d1", t0.Add(deviceLife+time.Minute), "fam-d3", ""))
		wantErr(t, err, store.ErrAlreadyUsed)
	})
	t.Run("approved without refresh token: the grant alone", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		_, err := dc.Decide(ctx(t), "sha256:u1", approve(t0))
		must(t, err)
		_, err = dc.Poll(ctx(t), devicePoll("sha256:d1", t0.Add(time.Second), "fam-d1", ""))
		must(t, err)
		// the family exists: an access token can point to it
		must(t, s.AccessTokens().Record(ctx(t), store.AccessToken{ID: "at1", FamilyID: "fam-d1", ClientID: "tv", ExpiresAt: t0.Add(time.Hour)}))
	})
	t.Run("family conflict stores nothing", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, s.RefreshTokens().CreateFamily(ctx(t), store.Family{ID: "taken", ClientID: "tv"}, store.RefreshToken{}))
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		_, err := dc.Decide(ctx(t), "sha256:u1", approve(t0))
		must(t, err)
		_, err = dc.Poll(ctx(t), devicePoll("sha256:d1", t0.Add(time.Second), "taken", ""))
		wantErr(t, err, store.ErrConflict)
		stored, err := dc.GetByUserCode(ctx(t), "sha256:u1")
		must(t, err)
		if stored.Status != store.DeviceStatusApproved {
			t.Fatalf("after a conflicting poll: %+v", stored)
		}
	})
	t.Run("denied and expired", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		_, err := dc.Decide(ctx(t), "sha256:u1", store.DeviceDecision{Now: t0})
		must(t, err)
		got, err := dc.Poll(ctx(t), devicePoll("sha256:d1", t0.Add(time.Second), "f1", ""))
		must(t, err)
		if got.Status != store.DeviceStatusDenied {
			t.Fatalf("poll of a denied code: %+v", got)
		}
		must(t, dc.Create(ctx(t), newDevice("sha256:d2", "sha256:u2")))
		got, err = dc.Poll(ctx(t), devicePoll("sha256:d2", t0.Add(deviceLife), "f2", ""))
		wantErr(t, err, store.ErrExpired)
		if got.Hash != "sha256:d2" || !got.LastPolledAt.IsZero() {
			t.Fatalf("poll of an expired code: %+v", got)
		}
		wantErr(t, func() error { _, err := dc.Poll(ctx(t), devicePoll("sha256:d2", time.Time{}, "f2", "")); return err }(), store.ErrInvalid)
		wantErr(t, func() error { _, err := dc.Poll(ctx(t), devicePoll("sha256:d2", t0, "", "")); return err }(), store.ErrInvalid)
	})
	t.Run("count live", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		for i := range 3 {
			must(t, dc.Create(ctx(t), newDevice(fmt.Sprintf("sha256:d%d", i), fmt.Sprintf("sha256:u%d", i))))
		}
		_, err := dc.Decide(ctx(t), "sha256:u0", store.DeviceDecision{Now: t0})
		must(t, err)
		n, err := dc.CountLive(ctx(t), "tv", t0)
		must(t, err)
		if n != 2 {
			t.Fatalf("CountLive = %d, want 2 (one is decided)", n)
		}
		n, err = dc.CountLive(ctx(t), "tv", t0.Add(deviceLife))
		must(t, err)
		if n != 0 {
			t.Fatalf("CountLive after expiry = %d, want 0", n)
		}
	})
	t.Run("purge deletes expired device codes and frees the user code", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		live := newDevice("sha256:d2", "sha256:u2")
		live.ExpiresAt = t0.Add(time.Hour)
		must(t, dc.Create(ctx(t), live))
		n, err := s.Purge(ctx(t), t0.Add(deviceLife+time.Second), 100)
		must(t, err)
		if n != 1 {
			t.Fatalf("Purge deleted %d records, want 1", n)
		}
		_, err = dc.GetByUserCode(ctx(t), "sha256:u1")
		wantErr(t, err, store.ErrNotFound)
		must(t, dc.Create(ctx(t), newDevice("sha256:d3", "sha256:u1")))
		_, err = dc.GetByUserCode(ctx(t), "sha256:u2")
		must(t, err)
	})
	t.Run("concurrent polls of an approved code: exactly one redeems", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		_, err := dc.Decide(ctx(t), "sha256:u1", approve(t0))
		must(t, err)
		errs := race(func(i int) error {
			_, err := dc.Poll(ctx(t), devicePoll("sha256:d1", t0.Add(time.Minute), fmt.Sprintf("fam-%d", i), fmt.Sprintf("sha256:r%d", i)))
			return err
		})
		wins, counts := tally(t, errs, store.ErrAlreadyUsed)
		if wins != 1 || counts[0] != Racers-1 {
			t.Fatalf("%d redemptions and %d ErrAlreadyUsed, want 1 and %d", wins, counts[0], Racers-1)
		}
		grants := 0
		for i := range Racers {
			if _, _, err := s.RefreshTokens().Lookup(ctx(t), fmt.Sprintf("sha256:r%d", i)); err == nil {
				grants++
			}
		}
		if grants != 1 {
			t.Fatalf("%d grants created, want 1", grants)
		}
	})
	t.Run("concurrent decisions: exactly one counts", func(t *testing.T) {
		s := fresh(t, open)
		dc := s.DeviceCodes()
		must(t, dc.Create(ctx(t), newDevice("sha256:d1", "sha256:u1")))
		errs := race(func(i int) error {
			_, err := dc.Decide(ctx(t), "sha256:u1", store.DeviceDecision{Approve: i%2 == 0, Subject: fmt.Sprintf("sub-%d", i), Now: t0})
			return err
		})
		wins, counts := tally(t, errs, store.ErrAlreadyUsed)
		if wins != 1 || counts[0] != Racers-1 {
			t.Fatalf("%d decisions and %d ErrAlreadyUsed, want 1 and %d", wins, counts[0], Racers-1)
		}
	})
}
