package serve

import (
	"context"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/keys"
)

// loadStoreKeys returns the store's keys, else a new RSA 2048 key saved in
// the store.
func loadStoreKeys(ctx context.Context, st store.Store, now time.Time) (*authserver.KeySet, string, error) {
	stored, err := st.Keys().List(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("reading the signing keys from the store: %w", err)
	}
	var signer *keys.Key
	var others []*keys.Key
	for _, sk := range stored {
		parsed, err := keys.Parse(sk.PrivatePEM)
		if err != nil {
			return nil, "", fmt.Errorf("stored key %s: %w", sk.KID, err)
		}
		k := parsed[0]
		k.KID, k.Alg = sk.KID, sk.Alg
		if sk.Active && signer == nil {
			signer = k
		} else {
			others = append(others, k)
		}
	}
	source := "store"
	if signer == nil {
		k, err := keys.Generate(keys.Spec{Type: "rsa", Bits: 2048})
		if err != nil {
			return nil, "", err
		}
		pemBytes, err := keys.EncodePKCS8(k.Private)
		if err != nil {
			return nil, "", err
		}
		kid := k.KeyID()
		k.KID, k.Alg = kid, k.Algorithm()
		if err := st.Keys().Add(ctx, store.Key{KID: kid, Alg: k.Alg, PrivatePEM: pemBytes, CreatedAt: now, Active: true}); err != nil {
			return nil, "", fmt.Errorf("saving the new signing key: %w", err)
		}
		signer, source = k, "store (new RSA 2048 key)"
	}
	set, err := authserver.NewKeySet(signer, others...)
	return set, source, err
}
