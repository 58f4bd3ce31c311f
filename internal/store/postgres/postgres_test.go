package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/postgres"
	"github.com/oauthkit/oauthkit/internal/store/storetest"
	"github.com/oauthkit/oauthkit/internal/testutil/pgtest"
)

var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// open opens a store on dsn, closed when the test ends.
func open(t testing.TB, dsn string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fresh is a store on a database of its own.
func fresh(t testing.TB) (*postgres.DB, string) {
	t.Helper()
	_, dsn := pgtest.Database(t)
	return open(t, dsn), dsn
}

// tables are the store's tables, emptied between storetest cases.
const tables = `clients, users, auth_codes, grant_families, refresh_tokens, access_tokens, signing_keys, replay_keys,
	browser_sessions, pending_requests, consents, device_codes, pushed_requests`

// TestStore runs the behaviour suite every store passes. One database for
// the run; each case starts from empty tables and a store opened anew
// (migrations found applied).
func TestStore(t *testing.T) {
	_, dsn := pgtest.Database(t)
	admin, err := pgx.Connect(t.Context(), dsn)
	must(t, err)
	defer admin.Close(context.Background())
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := postgres.Open(t.Context(), dsn)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if _, err := admin.Exec(t.Context(), `TRUNCATE `+tables); err != nil {
			db.Close()
			t.Fatal(err)
		}
		return db
	})
}

func family(id string) store.Family {
	return store.Family{ID: id, ClientID: "web", Subject: "sub", AuthTime: t0, CreatedAt: t0}
}

func refresh(hash string, issued time.Time) store.RefreshToken {
	return store.RefreshToken{Hash: hash, IssuedAt: issued, ExpiresAt: issued.Add(8 * time.Hour)}
}

const racers = 50

// race runs fn(i) in racers goroutines released together.
func race(fn func(i int) error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// count tallies nil errors and errors matching target; anything else fails.
func count(t *testing.T, errs []error, target error) (wins, losses int) {
	t.Helper()
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, target):
			losses++
		default:
			t.Errorf("racer %d: %v", i, err)
		}
	}
	return wins, losses
}

// TestRule63_OneWinnerAcrossReplicas (docs/security.md rule 63): two stores on one database are two replicas with a
// pool each (several connections). 50 racers spread over them: exactly one
// redeems the code, one rotates the token, one uses the replay key; the
// others lose with the store's error, none with ErrUnavailable.
func TestRule63_OneWinnerAcrossReplicas(t *testing.T) {
	a, dsn := fresh(t)
	b := open(t, dsn)
	replicas := []*postgres.DB{a, b}
	ctx := t.Context()

	t.Run("redeem", func(t *testing.T) {
		must(t, a.Codes().Create(ctx, store.Code{Hash: "sha256:code", ClientID: "web", Subject: "sub", ExpiresAt: t0.Add(time.Minute)}))
		errs := race(func(i int) error {
			fam := family(fmt.Sprintf("fam-%02d", i))
			_, err := replicas[i%2].Codes().RedeemInto(ctx, "sha256:code", t0.Add(time.Duration(i)*time.Microsecond), fam, refresh(fmt.Sprintf("sha256:first-%02d", i), t0))
			return err
		})
		if wins, losses := count(t, errs, store.ErrAlreadyUsed); wins != 1 || losses != racers-1 {
			t.Fatalf("wins %d, ErrAlreadyUsed %d; want 1 and %d", wins, losses, racers-1)
		}
		// A replay on either replica names the winner's family.
		c, err := b.Codes().Redeem(ctx, "sha256:code", t0.Add(time.Second))
		if !errors.Is(err, store.ErrAlreadyUsed) || c.FamilyID == "" {
			t.Fatalf("replay: %v, family %q", err, c.FamilyID)
		}
		if _, _, err := a.RefreshTokens().Lookup(ctx, "sha256:first-"+strings.TrimPrefix(c.FamilyID, "fam-")); err != nil {
			t.Fatalf("the winner's first refresh token: %v", err)
		}
	})

	t.Run("rotate", func(t *testing.T) {
		must(t, a.RefreshTokens().CreateFamily(ctx, family("rot"), refresh("sha256:r0", t0)))
		now := t0.Add(time.Minute)
		errs := race(func(i int) error {
			_, err := replicas[i%2].RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:r0",
				Next: refresh(fmt.Sprintf("sha256:r1-%02d", i), now), Now: now, Leeway: time.Second})
			return err
		})
		if wins, losses := count(t, errs, store.ErrConcurrentUse); wins != 1 || losses != racers-1 {
			t.Fatalf("wins %d, ErrConcurrentUse %d; want 1 and %d", wins, losses, racers-1)
		}
		// Later, the rotated-out token is a reuse: the family is revoked
		// for both replicas.
		_, err := b.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:r0", Next: refresh("sha256:late", now), Now: now.Add(time.Minute), Leeway: time.Second})
		if !errors.Is(err, store.ErrReused) {
			t.Fatalf("reuse: %v", err)
		}
		_, f, err := a.RefreshTokens().Lookup(ctx, "sha256:r0")
		must(t, err)
		if !f.Revoked {
			t.Fatal("family not revoked after reuse")
		}
	})

	t.Run("replay key", func(t *testing.T) {
		errs := race(func(i int) error {
			return replicas[i%2].Replays().Use(ctx, "dpop:jti-1", t0, t0.Add(time.Minute))
		})
		if wins, losses := count(t, errs, store.ErrReplayed); wins != 1 || losses != racers-1 {
			t.Fatalf("wins %d, ErrReplayed %d; want 1 and %d", wins, losses, racers-1)
		}
	})

	// A reuse racing rotations of the same family on the other replica:
	// whatever the order, the family ends revoked and every refresh token
	// of it is revoked or rotated (none left active).
	t.Run("reuse against rotation", func(t *testing.T) {
		must(t, a.RefreshTokens().CreateFamily(ctx, family("mix"), refresh("sha256:m0", t0)))
		_, err := a.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:m0", Next: refresh("sha256:m1", t0), Now: t0.Add(time.Second)})
		must(t, err)
		later := t0.Add(time.Hour)
		errs := race(func(i int) error {
			if i%2 == 0 {
				_, err := a.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:m0", Next: refresh(fmt.Sprintf("sha256:x%02d", i), later), Now: later})
				return err
			}
			_, err := b.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:m1", Next: refresh(fmt.Sprintf("sha256:y%02d", i), later), Now: later})
			return err
		})
		for i, err := range errs {
			if errors.Is(err, store.ErrUnavailable) {
				t.Errorf("racer %d: %v", i, err)
			}
		}
		var active int
		must(t, pgx.BeginFunc(ctx, adminConn(t, dsn), func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM refresh_tokens WHERE family_id = 'mix' AND status = 'active'`).Scan(&active)
		}))
		if active != 0 {
			t.Fatalf("%d refresh tokens of the revoked family are still active", active)
		}
	})
}

func adminConn(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	must(t, err)
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// TestMigrationsRace: ten replicas opening one empty database at once all
// succeed, and each migration is recorded (so applied) exactly once.
func TestMigrationsRace(t *testing.T) {
	_, dsn := pgtest.Database(t)
	const n = 10
	errs := make([]error, n)
	dbs := make([]*postgres.DB, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			dbs[i], errs[i] = postgres.Open(context.Background(), dsn)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	rows, err := adminConn(t, dsn).Query(t.Context(), `SELECT version, COUNT(*) FROM schema_migrations GROUP BY version ORDER BY version`)
	must(t, err)
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var v, c int
		err := r.Scan(&v, &c)
		return fmt.Sprintf("%d×%d", v, c), err
	})
	must(t, err)
	if want := []string{"1×1", "2×1", "3×1", "4×1", "5×1", "6×1"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("schema_migrations = %v, want %v", got, want)
	}
	for i, db := range dbs {
		if err := db.Ping(t.Context()); err != nil {
			t.Errorf("replica %d: Ping: %v", i, err)
		}
	}
}

// TestNewerSchemaRefused: a database migrated by a newer oauthkit is not
// touched by this one.
func TestNewerSchemaRefused(t *testing.T) {
	db, dsn := fresh(t)
	db.Close()
	_, err := adminConn(t, dsn).Exec(t.Context(), `INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future.sql')`)
	must(t, err)
	_, err = postgres.Open(t.Context(), dsn)
	if err == nil || !strings.Contains(err.Error(), "its schema version 99 is newer than this oauthkit knows (6); upgrade oauthkit") {
		t.Fatalf("Open: %v", err)
	}
}

// TestOpenErrorsHidePassword: a server that refuses the connection is
// ErrUnavailable, and no message carries the password of the DSN.
func TestOpenErrorsHidePassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://oauthkit:s3cr3t-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		"postgres://oauthkit@127.0.0.1:1/db?sslmode=disable&password=s3cr3t-pw&connect_timeout=2",
		"postgres://oauthkit:s3cr3t-pw@127.0.0.1:5432/db?sslmode=disable&pool_max_conns=bogus",
	} {
		_, err := postgres.Open(t.Context(), dsn)
		if err == nil {
			t.Fatalf("Open(%s) succeeded", pgtest.Redact(dsn))
		}
		if strings.Contains(err.Error(), "s3cr3t-pw") || strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("Open error shows the password or spans lines: %q", err)
		}
		if strings.Contains(dsn, "127.0.0.1:1/") && !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("Open on a closed port: %v, want ErrUnavailable", err)
		}
	}
}

// TestPurgeOneReplicaAtATime: while one connection holds the purge lock, a
// replica's Purge deletes nothing and says so with 0 (it skips its round);
// once released, it purges in batches of at most limit.
func TestPurgeOneReplicaAtATime(t *testing.T) {
	db, dsn := fresh(t)
	ctx := t.Context()
	for i := range 7 {
		must(t, db.AccessTokens().Record(ctx, store.AccessToken{ID: fmt.Sprintf("at-%d", i), ClientID: "web", IssuedAt: t0, ExpiresAt: t0.Add(time.Minute)}))
	}
	holder := adminConn(t, dsn)
	tx, err := holder.Begin(ctx)
	must(t, err)
	var got bool
	must(t, tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(`+postgres.PurgeLockKeyForTest+`)`).Scan(&got))
	if !got {
		t.Fatal("could not take the purge lock")
	}
	n, err := db.Purge(ctx, t0.Add(time.Hour), 5)
	if err != nil || n != 0 {
		t.Fatalf("Purge while another replica purges = %d, %v; want 0, nil", n, err)
	}
	must(t, tx.Rollback(ctx))
	for _, want := range []int{5, 2, 0} {
		n, err := db.Purge(ctx, t0.Add(time.Hour), 5)
		if err != nil || n != want {
			t.Fatalf("Purge = %d, %v; want %d", n, err, want)
		}
	}
}

// TestPurgeTwoReplicasAtOnce: two replicas purging in loops at the same
// time delete every expired record exactly once between them, without an
// error, and leave the live ones.
func TestPurgeTwoReplicasAtOnce(t *testing.T) {
	a, dsn := fresh(t)
	b := open(t, dsn)
	ctx := t.Context()
	const expired = 1200
	for i := range expired {
		must(t, a.AccessTokens().Record(ctx, store.AccessToken{ID: fmt.Sprintf("old-%d", i), ClientID: "web", IssuedAt: t0, ExpiresAt: t0.Add(time.Minute)}))
	}
	must(t, a.AccessTokens().Record(ctx, store.AccessToken{ID: "live", ClientID: "web", IssuedAt: t0, ExpiresAt: t0.Add(48 * time.Hour)}))
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	for _, db := range []*postgres.DB{a, b} {
		wg.Go(func() {
			for range 40 {
				n, err := db.Purge(ctx, t0.Add(time.Hour), 100)
				if err != nil {
					t.Errorf("Purge: %v", err)
					return
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// A replica that finds the other purging gets 0 at once, so on a busy
	// machine the loops can end with records left: purge what remains
	// from one replica, then the count must be exact.
	for {
		n, err := a.Purge(ctx, t0.Add(time.Hour), 100)
		must(t, err)
		if n == 0 {
			break
		}
		total += n
	}
	if total != expired {
		t.Fatalf("the replicas purged %d records in all, want %d", total, expired)
	}
	if _, err := a.AccessTokens().Get(ctx, "live"); err != nil {
		t.Fatalf("the live token: %v", err)
	}
}
