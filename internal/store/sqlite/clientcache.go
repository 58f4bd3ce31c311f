package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

// Reading a client is the one store read of a client_credentials request.
// Its row is fourteen columns and four JSON lists; the clients change
// rarely. So the store keeps the clients it decoded, each valid for one
// value of the clients' generation: a counter that every transaction
// writing the clients table moves, through triggers in the file itself
// (migrations/0008_client_generation.sql), whichever process or tool
// writes it.
//
// Every Get still reads the store: the counter, by its key. A client
// changed or deleted by another process sharing the file, or by hand, is
// seen by the next request, and a store that can no longer be read fails
// it at once (docs/security.md rule 38), as before. What it saves is the
// row and its decoding.

// clientGenerationQuery reads the counter.
const clientGenerationQuery = `SELECT n FROM client_generation WHERE id = 1`

// maxCachedClients bounds the cache; when full it starts again empty.
const maxCachedClients = 1024

// clientCache holds decoded clients of one generation. Its values are
// never handed out: Get returns copies.
type clientCache struct {
	mu  sync.Mutex
	gen int64
	m   map[string]store.Client
}

func (c *clientCache) get(gen int64, id string) (store.Client, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return store.Client{}, false
	}
	cl, ok := c.m[id]
	return cl, ok
}

// put keeps cl, read after the counter read gen. A put of another
// generation than the cache's empties it first: the cache only ever
// answers for the generation the store reports now.
func (c *clientCache) put(gen int64, cl store.Client) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.gen != gen || len(c.m) >= maxCachedClients {
		c.m = map[string]store.Client{}
		c.gen = gen
	}
	c.m[cl.ID] = cl
}

func (cs clients) Get(ctx context.Context, id string) (store.Client, error) {
	// The counter is one row read by its key, done in microseconds; a
	// context that can be canceled would cost two goroutines (database/sql's
	// and the driver's, each watching it) for a read too short to cancel.
	var gen int64
	err := cs.d.readRow(context.WithoutCancel(ctx), "read the clients' generation", func(r *sql.Row) error { return r.Scan(&gen) }, clientGenerationQuery)
	if errors.Is(err, store.ErrNotFound) {
		// Only a hand-edited file lacks the row: that is the store's fault,
		// not an unknown client.
		err = fmt.Errorf("the row of the clients' generation is missing from the file: %w", store.ErrUnavailable)
	}
	if err != nil {
		return store.Client{}, fmt.Errorf("client %q: %w", id, err)
	}
	if c, ok := cs.d.cachedClients.get(gen, id); ok {
		return canon.Client(c)
	}
	// The row is read after the counter: if the counter still says gen
	// later, the row has not changed since.
	var c store.Client
	err = cs.d.readRow(ctx, fmt.Sprintf("client %q", id), func(r *sql.Row) error {
		c, err = canon.ScanClient(r)
		return err
	}, `SELECT `+canon.ClientColumns+` FROM clients WHERE id = ?`, id)
	if err != nil {
		return store.Client{}, err
	}
	cs.d.cachedClients.put(gen, c)
	return canon.Client(c)
}
