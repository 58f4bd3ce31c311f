package postgres_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/postgres"
)

func pushedRequest(hash string) store.PushedRequest {
	return store.PushedRequest{Hash: hash, ClientID: "web",
		Params: "client_id=web&response_type=code&resource=https%3A%2F%2Fapi.example%2F", ExpiresAt: t0.Add(time.Minute)}
}

// TestPushedRequestsAcrossReplicas (docs/security.md rule 101 on
// PostgreSQL): a request pushed to one replica is taken by another; 50
// takes of one request_uri spread over two replicas with a pool each: one
// gets it, the others ErrNotFound, none ErrUnavailable; both then count it
// gone.
func TestPushedRequestsAcrossReplicas(t *testing.T) {
	a, dsn := fresh(t)
	b := open(t, dsn)
	replicas := []*postgres.DB{a, b}
	ctx := t.Context()
	must(t, a.PushedRequests().Put(ctx, pushedRequest("sha256:p1")))
	if n, err := b.PushedRequests().CountLive(ctx, "web", t0); err != nil || n != 1 {
		t.Fatalf("CountLive on the other replica = %d, %v; want 1", n, err)
	}
	got := make([]store.PushedRequest, racers)
	errs := race(func(i int) error {
		var err error
		got[i], err = replicas[i%2].PushedRequests().Take(ctx, "sha256:p1", t0.Add(time.Second))
		return err
	})
	if wins, losses := count(t, errs, store.ErrNotFound); wins != 1 || losses != racers-1 {
		t.Fatalf("takes: wins %d, ErrNotFound %d; want 1 and %d", wins, losses, racers-1)
	}
	for i, err := range errs {
		if err == nil && got[i].Params != pushedRequest("sha256:p1").Params {
			t.Fatalf("the winner got %+v", got[i])
		}
	}
	for i, db := range replicas {
		if n, err := db.PushedRequests().CountLive(ctx, "web", t0); err != nil || n != 0 {
			t.Fatalf("replica %d: CountLive after the take = %d, %v; want 0", i, n, err)
		}
	}
}

// TestPushedRequestRefusals: a hash PostgreSQL cannot keep in text names
// no request (ErrNotFound, not a failure of the server); params that
// cannot be stored are ErrInvalid and store nothing; an expired request is
// taken out with ErrExpired and its record.
func TestPushedRequestRefusals(t *testing.T) {
	db, _ := fresh(t)
	ctx := t.Context()
	for _, bad := range []string{"sha256:a\x00b", "sha256:\xff\xfe"} {
		if _, err := db.PushedRequests().Take(ctx, bad, t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Take(%q): %v, want ErrNotFound", bad, err)
		}
	}
	p := pushedRequest("sha256:nul")
	p.Params = "a=\x00"
	if err := db.PushedRequests().Put(ctx, p); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("Put with a NUL byte: %v, want ErrInvalid", err)
	}
	if n, err := db.PushedRequests().CountLive(ctx, "web", t0); err != nil || n != 0 {
		t.Fatalf("CountLive after the refused Put = %d, %v; want 0", n, err)
	}
	must(t, db.PushedRequests().Put(ctx, pushedRequest("sha256:old")))
	got, err := db.PushedRequests().Take(ctx, "sha256:old", t0.Add(time.Minute))
	if !errors.Is(err, store.ErrExpired) || got.Hash != "sha256:old" || !got.ExpiresAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Take at expiry = %+v, %v; want the record and ErrExpired", got, err)
	}
	if _, err := db.PushedRequests().Take(ctx, "sha256:old", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Take after the expired take: %v, want ErrNotFound", err)
	}
}

// TestPushedPurgeSkipsLockedRow: Purge does not wait for a pushed request
// another transaction holds (a take in progress): it deletes the other
// expired ones and leaves that one to a later round.
func TestPushedPurgeSkipsLockedRow(t *testing.T) {
	db, dsn := fresh(t)
	ctx := t.Context()
	for i := range 3 {
		must(t, db.PushedRequests().Put(ctx, pushedRequest(fmt.Sprintf("sha256:p%d", i))))
	}
	holder := adminConn(t, dsn)
	tx, err := holder.Begin(ctx)
	must(t, err)
	var h string
	must(t, tx.QueryRow(ctx, `SELECT hash FROM pushed_requests WHERE hash = 'sha256:p1' FOR UPDATE`).Scan(&h))
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

// TestParMigrationOnVersion5: a database at schema version 5 (before
// pushed requests and resource indicators) with records in it gains
// pushed_requests and the resource and audience columns at Open, is
// recorded at version 6, keeps its records (their resources and audience
// read ""), and stores the new fields.
func TestParMigrationOnVersion5(t *testing.T) {
	db, dsn := fresh(t)
	ctx := t.Context()
	must(t, db.Codes().Create(ctx, store.Code{Hash: "sha256:c-old", ClientID: "web", Subject: "sub", ExpiresAt: t0.Add(time.Minute)}))
	must(t, db.RefreshTokens().CreateFamily(ctx, family("fam-old"), refresh("sha256:r-old", t0)))
	must(t, db.AccessTokens().Record(ctx, store.AccessToken{ID: "at-old", FamilyID: "fam-old", ClientID: "web", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	db.Close()
	admin := adminConn(t, dsn)
	must(t, pgx.BeginFunc(ctx, admin, func(tx pgx.Tx) error {
		for _, q := range []string{`DROP TABLE pushed_requests`, `ALTER TABLE auth_codes DROP COLUMN resource`,
			`ALTER TABLE grant_families DROP COLUMN resource`, `ALTER TABLE access_tokens DROP COLUMN audience`,
			`DELETE FROM schema_migrations WHERE version = 6`} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}))

	db = open(t, dsn)
	var versions string
	must(t, admin.QueryRow(ctx, `SELECT string_agg(version || ':' || name, ',' ORDER BY version) FROM schema_migrations`).Scan(&versions))
	if want := "1:0001_init.sql,2:0002_oidc.sql,3:0003_extensions.sql,4:0004_shared_state.sql,5:0005_device_codes.sql,6:0006_par_resources.sql"; versions != want {
		t.Fatalf("schema_migrations = %q, want %q", versions, want)
	}
	at, err := db.AccessTokens().Get(ctx, "at-old")
	if err != nil || at.Audience != "" {
		t.Fatalf("an access token of version 5 = %+v, %v; want Audience \"\"", at, err)
	}
	_, fam, err := db.RefreshTokens().Lookup(ctx, "sha256:r-old")
	if err != nil || fam.Resource != "" {
		t.Fatalf("a grant of version 5 = %+v, %v; want Resource \"\"", fam, err)
	}
	code, err := db.Codes().RedeemInto(ctx, "sha256:c-old", t0, store.Family{ID: "fam-code"}, store.RefreshToken{})
	if err != nil || code.Resource != "" {
		t.Fatalf("a code of version 5 = %+v, %v; want Resource \"\"", code, err)
	}

	must(t, db.Codes().Create(ctx, store.Code{Hash: "sha256:c-new", ClientID: "web", Subject: "sub",
		Resource: "https://api.example/", ExpiresAt: t0.Add(time.Minute)}))
	code, err = db.Codes().RedeemInto(ctx, "sha256:c-new", t0, store.Family{ID: "fam-new"}, refresh("sha256:r-new", t0))
	must(t, err)
	_, fam, err = db.RefreshTokens().Lookup(ctx, "sha256:r-new")
	if err != nil || code.Resource != "https://api.example/" || fam.Resource != "https://api.example/" {
		t.Fatalf("after the migration: code %+v, grant %+v, %v; want both with the resource", code, fam, err)
	}
	must(t, db.PushedRequests().Put(ctx, pushedRequest("sha256:p1")))
	if _, err := db.PushedRequests().Take(ctx, "sha256:p1", t0); err != nil {
		t.Fatalf("pushed request after the migration: %v", err)
	}
}
