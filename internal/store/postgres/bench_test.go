package postgres_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// The same benchmarks as store/sqlite's, on a database of their own on the
// local server (pgtest). Each write is a committed transaction, so the
// numbers include the server's WAL flush (synchronous_commit as the server
// is configured).

// BenchmarkRotate: one refresh-token rotation after another on one grant
// (lock the family, read, update, insert, commit).
func BenchmarkRotate(b *testing.B) {
	db, _ := fresh(b)
	ctx := b.Context()
	if err := db.RefreshTokens().CreateFamily(ctx, family("fam"), refresh("sha256:r0", t0)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
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
// GOMAXPROCS goroutines, on as many pooled connections.
func BenchmarkRotateParallel(b *testing.B) {
	db, _ := fresh(b)
	ctx := b.Context()
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		fam := fmt.Sprintf("fam-%d", next.Add(1))
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

// BenchmarkRecordAccessToken: access token records (one INSERT each, its
// own transaction) from 8 goroutines per core, as a loaded token endpoint
// makes them.
func BenchmarkRecordAccessToken(b *testing.B) {
	db, _ := fresh(b)
	ctx := b.Context()
	var next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
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

// BenchmarkRedeem: redeeming one authorization code (its creation is not
// timed).
func BenchmarkRedeem(b *testing.B) {
	db, _ := fresh(b)
	ctx := b.Context()
	b.ResetTimer()
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
