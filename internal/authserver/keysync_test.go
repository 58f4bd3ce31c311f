package authserver

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func kids(ks *KeySet) []string {
	var out []string
	for _, k := range ks.JWKS().Keys {
		out = append(out, k.Kid)
	}
	return out
}

func activeKIDs(t *testing.T, st store.Store) []string {
	t.Helper()
	list, err := st.Keys().List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range list {
		if k.Active {
			out = append(out, k.KID)
		}
	}
	return out
}

// docs/security.md rule 67: replicas starting together on an empty store
// end with one active key, which all of them sign with.
func TestRule67_ReplicasStartingTogetherAgreeOnOneKey(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/store.db", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := &stepClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	const n = 4
	sets := make([]*KeySet, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ks, _, err := LoadKeySet(context.Background(), st.Keys(), clock.now, time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			sets[i] = ks
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, ks := range sets { // each one's reloader ticks
		if !ks.reload() {
			t.Fatal("reload failed")
		}
	}
	signers := map[string]bool{}
	for _, ks := range sets {
		signers[ks.Signer().KeyID()] = true
	}
	active := activeKIDs(t, st)
	if len(signers) != 1 || len(active) != 1 || !signers[active[0]] {
		t.Fatalf("signers %v, active keys in the store %v: want one key, the same", signers, active)
	}
}

// docs/security.md rule 67: a rotation and a retirement on one replica
// are served by another after the reload interval, and at once for a
// token signed with a kid it does not know yet.
func TestRule67_RotationReachesOtherReplica(t *testing.T) {
	st := memory.New()
	clock := &stepClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	a, genA, err := LoadKeySet(context.Background(), st.Keys(), clock.now, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	b, genB, err := LoadKeySet(context.Background(), st.Keys(), clock.now, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !genA || genB || a.Signer().KeyID() != b.Signer().KeyID() {
		t.Fatalf("generated %v/%v, signers %s/%s: want A to generate and B to load the same key", genA, genB,
			a.Signer().KeyID(), b.Signer().KeyID())
	}
	old := a.Signer().KeyID()
	k, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Rotate(k); err != nil {
		t.Fatal(err)
	}
	if got := activeKIDs(t, st); !slices.Equal(got, []string{k.KeyID()}) {
		t.Fatalf("active keys in the store after the rotation: %v, want only %s", got, k.KeyID())
	}
	if b.Signer().KeyID() != old || slices.Contains(kids(b), k.KeyID()) {
		t.Fatal("B saw the rotation before reloading")
	}
	// A token signed with the new key names a kid B does not know: B
	// reloads at once (clock moved past the floor only).
	tok, err := a.Sign(map[string]any{"sub": "x", "exp": clock.now().Add(time.Hour).Unix()}, "JWT")
	if err != nil {
		t.Fatal(err)
	}
	v := token.Verifier{Now: clock.now}
	if _, err := b.Verifier(v).Verify(tok); token.KindOf(err) != token.KindUnknownKey {
		t.Fatalf("before the reload: %v, want an unknown kid", err)
	}
	if !b.reloadForUnknownKID() {
		t.Fatal("an unknown kid did not reload the keys")
	}
	if _, err := b.Verifier(v).Verify(tok); err != nil {
		t.Fatalf("after the reload: %v", err)
	}
	if b.reloadForUnknownKID() {
		t.Fatal("a second unknown kid within the floor reloaded again")
	}
	if b.Signer().KeyID() != k.KeyID() || !slices.Contains(kids(b), old) {
		t.Fatalf("B signs with %s and publishes %v: want the new key signing and the old one still published", b.Signer().KeyID(), kids(b))
	}
	// Retire on B: gone from A after the interval.
	if err := b.Retire(old); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(kids(a), old) {
		t.Fatal("A dropped the retired key before reloading")
	}
	// A's reloader: the first tick comes after keyReloadFloor (A generated
	// the first key), the retirement is then gone from A's JWKS.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.RunReloader(ctx)
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Equal(kids(a), []string{k.KeyID()}) {
		if time.Now().After(deadline) {
			t.Fatalf("A publishes %v 5 s after its reloader started, want only %s", kids(a), k.KeyID())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A second unknown kid a floor later reloads again.
	clock.add(keyReloadFloor)
	if !b.reloadForUnknownKID() {
		t.Fatal("an unknown kid a floor after the last one did not reload")
	}
}

// Reading the keys costs the same whether they follow the store or come
// from files: one atomic load (the reloads run beside the requests).
func BenchmarkKeySetSigner(b *testing.B) {
	k, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		b.Fatal(err)
	}
	plain, err := NewKeySet(k)
	if err != nil {
		b.Fatal(err)
	}
	synced, _, err := LoadKeySet(context.Background(), memory.New().Keys(), time.Now, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ks   *KeySet
	}{{"files", plain}, {"store", synced}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if c.ks.Signer() == nil {
					b.Fatal("no signer")
				}
			}
		})
	}
}
