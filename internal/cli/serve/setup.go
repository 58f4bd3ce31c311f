package serve

import (
	"context"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/store"
)

// loadStoreKeys returns the store's keys, else a new RSA 2048 key saved in
// the store. The key set follows the store (authserver.LoadKeySet): a
// rotation by another server on the same store is served here within
// authserver.DefaultKeyReload.
func loadStoreKeys(ctx context.Context, st store.Store, now func() time.Time) (*authserver.KeySet, string, error) {
	set, generated, err := authserver.LoadKeySet(ctx, st.Keys(), now, 0)
	if err != nil {
		return nil, "", err
	}
	if generated {
		return set, "store (new RSA 2048 key)", nil
	}
	return set, "store", nil
}
