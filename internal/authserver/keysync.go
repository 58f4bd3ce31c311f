package authserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/keys"
)

// Keys kept in the store, shared by every server on it (docs/security.md
// rule 67). The store is the truth: the newest active key (by CreatedAt,
// then KID) signs; every stored key is published. RunReloader loads the
// keys again every KeyReload (default 10 s; the first time after
// keyReloadFloor when this server has just generated the first key), and a
// token naming a kid the server does not know makes it load them at once
// (not more than once per keyReloadFloor), so a rotation on one replica is
// served by the others within KeyReload. Reading the keys on the request
// path costs one atomic load, as for key files. When several keys are active (two
// replicas generated one each as they started together, or a rotation
// stopped half-way), the reload deactivates all but the newest, so every
// replica signs with the same key and the store ends with one active key.
const (
	DefaultKeyReload = 10 * time.Second
	keyReloadFloor   = time.Second
	keyStoreTimeout  = 5 * time.Second
)

// keySync ties a KeySet to a store.KeyStore.
type keySync struct {
	st        store.KeyStore
	now       func() time.Time
	every     time.Duration
	forced    atomic.Int64 // unix nanoseconds of the last reload for an unknown kid
	busy      atomic.Bool  // a reload runs
	generated bool         // LoadKeySet stored a new key
}

// LoadKeySet builds a key set from the store's keys, generating and storing
// an RSA 2048 key when none is active, and keeps it in step with the store
// (reloaded every reload, DefaultKeyReload when 0). generated reports
// whether this call stored a new key.
func LoadKeySet(ctx context.Context, st store.KeyStore, now func() time.Time, reload time.Duration) (ks *KeySet, generated bool, err error) {
	if reload <= 0 {
		reload = DefaultKeyReload
	}
	sync := &keySync{st: st, now: now, every: reload}
	stored, err := st.List(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("reading the signing keys from the store: %w", err)
	}
	if !slices.ContainsFunc(stored, func(k store.Key) bool { return k.Active }) {
		k, err := keys.Generate(keys.Spec{Type: "rsa", Bits: 2048})
		if err != nil {
			return nil, false, err
		}
		if err := sync.add(ctx, k, stored); err != nil {
			return nil, false, fmt.Errorf("saving the new signing key: %w", err)
		}
		generated = true
	}
	st0, err := sync.load(ctx)
	if err != nil {
		return nil, false, err
	}
	sync.generated = generated
	ks = &KeySet{sync: sync}
	ks.cur.Store(st0)
	return ks, generated, nil
}

// add stores k as the active key, dated after every stored key so that it
// is the newest even when this server's clock is behind another's.
func (s *keySync) add(ctx context.Context, k *keys.Key, stored []store.Key) error {
	pemBytes, err := keys.EncodePKCS8(k.Private)
	if err != nil {
		return err
	}
	created := s.now().UTC().Truncate(time.Microsecond)
	for _, o := range stored {
		if !created.After(o.CreatedAt) {
			created = o.CreatedAt.Add(time.Microsecond)
		}
	}
	return s.st.Add(ctx, store.Key{KID: k.KeyID(), Alg: k.Algorithm(), PrivatePEM: pemBytes, CreatedAt: created, Active: true})
}

// load reads the store's keys and builds the state they make, deactivating
// in the store every active key but the newest.
func (s *keySync) load(ctx context.Context) (*keyState, error) {
	stored, err := s.st.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the signing keys from the store: %w", err)
	}
	slices.SortStableFunc(stored, func(a, b store.Key) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.KID, b.KID))
	})
	var signer *keys.Key
	var all []*keys.Key
	var signerKID string
	for i := len(stored) - 1; i >= 0; i-- {
		if stored[i].Active {
			signerKID = stored[i].KID
			break
		}
	}
	for _, sk := range stored {
		parsed, err := keys.Parse(sk.PrivatePEM)
		if err != nil {
			return nil, fmt.Errorf("stored key %s: %w", sk.KID, err)
		}
		k := parsed[0]
		k.KID, k.Alg = sk.KID, sk.Alg
		all = append(all, k)
		if sk.KID == signerKID {
			signer = k
		} else if sk.Active {
			if err := s.st.SetActive(ctx, sk.KID, false); err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, fmt.Errorf("deactivating the older signing key %s: %w", sk.KID, err)
			}
		}
	}
	if signer == nil {
		return nil, errors.New("the store holds no active signing key")
	}
	return buildKeyState(signer, all)
}

// reload loads the keys again into ks, unless another reload runs; a
// failed reload keeps the current keys. It reports whether it reloaded.
func (ks *KeySet) reload() bool {
	s := ks.sync
	if s == nil || !s.busy.CompareAndSwap(false, true) {
		return false
	}
	defer s.busy.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), keyStoreTimeout)
	defer cancel()
	ks.mu.Lock()
	defer ks.mu.Unlock()
	st, err := s.load(ctx)
	if err != nil {
		return false
	}
	ks.cur.Store(st)
	return true
}

// RunReloader loads the keys from the store every reload interval until
// ctx ends (the first time after keyReloadFloor when this server has just
// generated the first key: another one starting at the same moment may
// have generated one too). It returns at once for keys given as files.
func (ks *KeySet) RunReloader(ctx context.Context) {
	s := ks.sync
	if s == nil {
		return
	}
	wait := s.every
	if s.generated {
		wait = keyReloadFloor
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ks.reload()
		t.Reset(s.every)
	}
}

// reloadForUnknownKID reloads the keys when a token names a kid this
// server does not publish (another replica may have rotated), at most once
// per keyReloadFloor. It reports whether the keys changed.
func (ks *KeySet) reloadForUnknownKID() bool {
	s := ks.sync
	if s == nil {
		return false
	}
	now, last := s.now().UnixNano(), s.forced.Load()
	if time.Duration(now-last) < keyReloadFloor || !s.forced.CompareAndSwap(last, now) {
		return false
	}
	return ks.reload()
}

// storeRotate persists a rotation: k is stored as the newest active key and
// the others are deactivated, then the keys are reloaded; mu is held.
func (ks *KeySet) storeRotate(k *keys.Key) error {
	s := ks.sync
	ctx, cancel := context.WithTimeout(context.Background(), keyStoreTimeout)
	defer cancel()
	stored, err := s.st.List(ctx)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(stored, func(o store.Key) bool { return o.KID == k.KeyID() }) {
		return fmt.Errorf("key %s is already published", k.KeyID())
	}
	if err := s.add(ctx, k, stored); err != nil {
		return err
	}
	st, err := s.load(ctx)
	if err != nil {
		return err
	}
	ks.cur.Store(st)
	return nil
}

// storeRetire deletes a key from the store and reloads; mu is held and the
// key was checked to be published and not the signer.
func (ks *KeySet) storeRetire(kid string) error {
	s := ks.sync
	ctx, cancel := context.WithTimeout(context.Background(), keyStoreTimeout)
	defer cancel()
	if err := s.st.Delete(ctx, kid); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	st, err := s.load(ctx)
	if err != nil {
		return err
	}
	ks.cur.Store(st)
	return nil
}
