package postgres_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/postgres"
)

func device(hash, user string) store.DeviceCode {
	return store.DeviceCode{Hash: hash, UserCodeHash: user, ClientID: "tv", Scope: "openid",
		Interval: 5 * time.Second, CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}
}

func devicePoll(hash string, now time.Time, fam, refresh string) store.DevicePoll {
	p := store.DevicePoll{Hash: hash, ClientID: "tv", Now: now, SlowDown: 5 * time.Second, Family: store.Family{ID: fam}}
	if refresh != "" {
		p.First = store.RefreshToken{Hash: refresh, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	return p
}

// TestDeviceCodesAcrossReplicas (docs/security.md rules 78 and 80 on
// PostgreSQL): two stores on one database, with a pool each, are two
// `serve` replicas. 50 decisions of one user code spread over them: one
// counts. 50 polls of the approved code: one redeems it and creates one
// grant, the others get ErrAlreadyUsed, none ErrUnavailable. A poll on one
// replica and the next, too early, on the other: slow_down, and the grown
// interval is what both read.
func TestDeviceCodesAcrossReplicas(t *testing.T) {
	a, dsn := fresh(t)
	b := open(t, dsn)
	replicas := []*postgres.DB{a, b}
	ctx := t.Context()
	must(t, a.DeviceCodes().Create(ctx, device("sha256:d1", "sha256:u1")))

	errs := race(func(i int) error {
		_, err := replicas[i%2].DeviceCodes().Decide(ctx, "sha256:u1", store.DeviceDecision{Approve: i%3 != 0,
			Subject: fmt.Sprintf("sub-%02d", i), AuthTime: t0, Now: t0.Add(time.Second)})
		return err
	})
	if wins, losses := count(t, errs, store.ErrAlreadyUsed); wins != 1 || losses != racers-1 {
		t.Fatalf("decisions: wins %d, ErrAlreadyUsed %d; want 1 and %d", wins, losses, racers-1)
	}
	winner := -1
	for i, err := range errs {
		if err == nil {
			winner = i
		}
	}
	got, err := b.DeviceCodes().GetByUserCode(ctx, "sha256:u1")
	must(t, err)
	wantStatus, wantSubject := store.DeviceStatusApproved, fmt.Sprintf("sub-%02d", winner)
	if winner%3 == 0 {
		wantStatus, wantSubject = store.DeviceStatusDenied, ""
	}
	if got.Status != wantStatus || got.Subject != wantSubject {
		t.Fatalf("after the decisions: %+v, want the winner's (%s, %q)", got, wantStatus, wantSubject)
	}
	if winner%3 == 0 { // a denial won: decide the next code the other way
		must(t, a.DeviceCodes().Create(ctx, device("sha256:d2", "sha256:u2")))
		_, err := b.DeviceCodes().Decide(ctx, "sha256:u2", store.DeviceDecision{Approve: true, Subject: "sub-x", AuthTime: t0, Now: t0.Add(time.Second)})
		must(t, err)
		got, err = a.DeviceCodes().GetByUserCode(ctx, "sha256:u2")
		must(t, err)
	}
	hash := got.Hash

	poll := t0.Add(time.Minute)
	errs = race(func(i int) error {
		_, err := replicas[i%2].DeviceCodes().Poll(ctx, devicePoll(hash, poll, fmt.Sprintf("fam-%02d", i), fmt.Sprintf("sha256:r-%02d", i)))
		return err
	})
	if wins, losses := count(t, errs, store.ErrAlreadyUsed); wins != 1 || losses != racers-1 {
		t.Fatalf("polls: wins %d, ErrAlreadyUsed %d; want 1 and %d", wins, losses, racers-1)
	}
	var families, tokens int
	must(t, adminConn(t, dsn).QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM grant_families), (SELECT COUNT(*) FROM refresh_tokens)`).Scan(&families, &tokens))
	if families != 1 || tokens != 1 {
		t.Fatalf("%d grant families and %d refresh tokens after the polls, want 1 and 1", families, tokens)
	}
	redeemed, err := b.DeviceCodes().GetByUserCode(ctx, got.UserCodeHash)
	must(t, err)
	if redeemed.Status != store.DeviceStatusRedeemed || !strings.HasPrefix(redeemed.FamilyID, "fam-") {
		t.Fatalf("after the polls: %+v", redeemed)
	}
	tok, fam, err := a.RefreshTokens().Lookup(ctx, "sha256:r-"+strings.TrimPrefix(redeemed.FamilyID, "fam-"))
	must(t, err)
	if fam.ID != redeemed.FamilyID || fam.Subject != got.Subject || fam.ClientID != "tv" || tok.Status != store.StatusActive {
		t.Fatalf("the winner's grant: %+v, token %+v", fam, tok)
	}

	// slow_down is kept in the row: the replica that did not see the
	// first poll applies it.
	must(t, a.DeviceCodes().Create(ctx, device("sha256:d3", "sha256:u3")))
	_, err = a.DeviceCodes().Poll(ctx, devicePoll("sha256:d3", t0.Add(time.Second), "f3", ""))
	must(t, err)
	slow, err := b.DeviceCodes().Poll(ctx, devicePoll("sha256:d3", t0.Add(2*time.Second), "f3", ""))
	if !errors.Is(err, store.ErrSlowDown) || slow.Interval != 10*time.Second {
		t.Fatalf("an early poll on the other replica: %v, interval %v; want ErrSlowDown, 10s", err, slow.Interval)
	}
	stored, err := a.DeviceCodes().GetByUserCode(ctx, "sha256:u3")
	must(t, err)
	if stored.Interval != 10*time.Second || !stored.LastPolledAt.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("stored after slow_down: %+v", stored)
	}
}

// TestDeviceCodeLookupsPostgresCannotKeep: a device or user code hash
// PostgreSQL cannot keep in text names no record (ErrNotFound, as in the
// other stores), whichever method is given it; storing one is ErrInvalid.
func TestDeviceCodeLookupsPostgresCannotKeep(t *testing.T) {
	db, _ := fresh(t)
	ctx := t.Context()
	dc := db.DeviceCodes()
	for _, bad := range []string{"a\x00b", "\xff\xfe"} {
		_, err := dc.GetByUserCode(ctx, bad)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetByUserCode(%q): %v, want ErrNotFound", bad, err)
		}
		_, err = dc.Decide(ctx, bad, store.DeviceDecision{Now: t0})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Decide(%q): %v, want ErrNotFound", bad, err)
		}
		_, err = dc.Poll(ctx, devicePoll(bad, t0, "f", ""))
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Poll(%q): %v, want ErrNotFound", bad, err)
		}
		err = dc.Create(ctx, device("sha256:d", bad))
		if !errors.Is(err, store.ErrInvalid) || strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("Create with user code hash %q: %v, want ErrInvalid on one line", bad, err)
		}
	}
}

// TestDevicePurgeSkipsLockedRow: Purge does not wait for a device code
// another transaction holds (a poll or decision in progress): it deletes
// the other expired ones and leaves that one to a later round.
func TestDevicePurgeSkipsLockedRow(t *testing.T) {
	db, dsn := fresh(t)
	ctx := t.Context()
	for i := range 3 {
		must(t, db.DeviceCodes().Create(ctx, device(fmt.Sprintf("sha256:d%d", i), fmt.Sprintf("sha256:u%d", i))))
	}
	holder := adminConn(t, dsn)
	tx, err := holder.Begin(ctx)
	must(t, err)
	var h string
	must(t, tx.QueryRow(ctx, `SELECT hash FROM device_codes WHERE hash = 'sha256:d1' FOR UPDATE`).Scan(&h))
	n, err := db.Purge(ctx, t0.Add(time.Hour), 100)
	if err != nil || n != 2 {
		t.Fatalf("Purge with one row locked = %d, %v; want 2, nil", n, err)
	}
	must(t, tx.Rollback(ctx))
	n, err = db.Purge(ctx, t0.Add(time.Hour), 100)
	if err != nil || n != 1 {
		t.Fatalf("Purge after the lock = %d, %v; want 1, nil", n, err)
	}
}

// TestDeviceMigrationOnVersion3: a database at schema version 3 (before
// device codes) with records in it gains device_codes at Open, is recorded
// at version 5, and keeps its records.
func TestDeviceMigrationOnVersion3(t *testing.T) {
	db, dsn := fresh(t)
	ctx := t.Context()
	must(t, db.AccessTokens().Record(ctx, store.AccessToken{ID: "at-old", ClientID: "web", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	db.Close()
	admin := adminConn(t, dsn)
	must(t, pgx.BeginFunc(ctx, admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DROP TABLE device_codes`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM schema_migrations WHERE version = 5`)
		return err
	}))

	db = open(t, dsn)
	var versions string
	must(t, admin.QueryRow(ctx, `SELECT string_agg(version || ':' || name, ',' ORDER BY version) FROM schema_migrations`).Scan(&versions))
	if want := "1:0001_init.sql,2:0002_oidc.sql,3:0003_extensions.sql,4:0004_shared_state.sql,5:0005_device_codes.sql,6:0006_par_resources.sql"; versions != want {
		t.Fatalf("schema_migrations = %q, want %q", versions, want)
	}
	if _, err := db.AccessTokens().Get(ctx, "at-old"); err != nil {
		t.Fatalf("a record of version 3: %v", err)
	}
	must(t, db.DeviceCodes().Create(ctx, device("sha256:d1", "sha256:u1")))
	if _, err := db.DeviceCodes().GetByUserCode(ctx, "sha256:u1"); err != nil {
		t.Fatalf("device code after the migration: %v", err)
	}
}
