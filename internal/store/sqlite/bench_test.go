package sqlite_test

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
)

// BenchmarkRotate: one refresh-token rotation (a committed, fsynced write
// transaction) after another on one grant.
func BenchmarkRotate(b *testing.B) {
	db := openBench(b)
	ctx := b.Context()
	if err := db.RefreshTokens().CreateFamily(ctx, family("fam"), refresh("sha256:r0", t0)); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		now := t0.Add(time.Duration(i+1) * time.Millisecond)
		_, err := db.RefreshTokens().Rotate(ctx, store.Rotation{
			OldHash: fmt.Sprintf("sha256:r%d", i), Next: refresh(fmt.Sprintf("sha256:r%d", i+1), now), Now: now,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRotateParallel: rotations on independent grants from
// GOMAXPROCS goroutines (they queue on the single writer).
func BenchmarkRotateParallel(b *testing.B) {
	db := openBench(b)
	ctx := b.Context()
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		id := next.Add(1)
		fam := fmt.Sprintf("fam-%d", id)
		if err := db.RefreshTokens().CreateFamily(ctx, family(fam), refresh(fam+":0", t0)); err != nil {
			b.Error(err)
			return
		}
		for i := 0; pb.Next(); i++ {
			now := t0.Add(time.Duration(i+1) * time.Millisecond)
			_, err := db.RefreshTokens().Rotate(ctx, store.Rotation{
				OldHash: fmt.Sprintf("%s:%d", fam, i), Next: refresh(fmt.Sprintf("%s:%d", fam, i+1), now), Now: now,
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRedeem: redeeming one authorization code (its creation is not
// timed).
func BenchmarkRedeem(b *testing.B) {
	db := openBench(b)
	ctx := b.Context()
	for i := 0; i < b.N; i++ {
		hash := fmt.Sprintf("sha256:c%d", i)
		b.StopTimer()
		if err := db.Codes().Create(ctx, store.Code{Hash: hash, ClientID: "web", ExpiresAt: t0.Add(time.Minute)}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := db.Codes().Redeem(ctx, hash, t0); err != nil {
			b.Fatal(err)
		}
	}
}

func openBench(b *testing.B) *sqlite.DB {
	b.Helper()
	db, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkRecordAccessToken: access token records from 8 goroutines per
// core, as a loaded token endpoint makes them: they share commits (group
// commit) and wait for no fsync (synchronous=NORMAL, docs/serve.md §9).
func BenchmarkRecordAccessToken(b *testing.B) {
	db := openBench(b)
	ctx := b.Context()
	var next atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := db.AccessTokens().Record(ctx, store.AccessToken{ID: fmt.Sprintf("jti-%d", next.Add(1)),
				ClientID: "svc", Subject: "svc", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCreateFamily: new grants from 8 goroutines per core: they share
// commits, and each waits for the fsync of its batch.
func BenchmarkCreateFamily(b *testing.B) {
	db := openBench(b)
	ctx := b.Context()
	var next atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("fam-%d", next.Add(1))
			if err := db.RefreshTokens().CreateFamily(ctx, family(id), refresh("sha256:"+id, t0)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkClientGet: the client read of every token request, from 16
// goroutines as the load of make bench-peers (a client of the usual size:
// one redirect URI, three grant types, two scopes).
func BenchmarkClientGet(b *testing.B) {
	db := openBench(b)
	ctx := b.Context()
	c := store.Client{ID: "bench", SecretHash: "sha256:0123456789abcdef", Name: "Bench",
		RedirectURIs: []string{"http://127.0.0.1/callback"},
		GrantTypes:   []string{"client_credentials", "authorization_code", "refresh_token"},
		Scopes:       []string{"read", "write"}, AuthMethod: "client_secret_basic", CreatedAt: t0}
	if err := db.Clients().Put(ctx, c); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(8) // 16 goroutines on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.Clients().Get(ctx, "bench"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
