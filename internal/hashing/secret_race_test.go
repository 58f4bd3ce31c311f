package hashing

import (
	"path/filepath"
	"sync"
	"testing"
)

// Replicas starting together on one store create its secret key file at
// once: one writes it, every one of them reads the same key, none fails.
func TestLoadSecretKeyConcurrentCreate(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "secret-key")
		const n = 8
		keys := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				keys[i], errs[i] = LoadSecretKey(path)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d, loader %d: %v", round, i, errs[i])
			}
			if keys[i] != keys[0] || len(keys[i]) != SecretKeySize {
				t.Fatalf("round %d: loader %d read another key (%d bytes) than loader 0", round, i, len(keys[i]))
			}
		}
	}
}
