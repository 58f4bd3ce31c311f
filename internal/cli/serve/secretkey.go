package serve

import (
	"os"
	"path/filepath"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/store/backend"
)

// secretKeyPath is where the server's secret key (the HMAC key of client
// secrets) lives: --secret-key-file, else beside a SQLite file, else, for
// PostgreSQL, the state directory's
// secret-key; "" (a key in memory) for a memory store. Every replica on one
// store must read the same key, or a client secret one of them stored
// would not match on the others (docs/serve.md, "Several replicas").
func (p *prepared) secretKeyPath() (string, error) {
	if p.opts.SecretKeyFile != "" {
		return p.opts.SecretKeyFile, nil
	}
	if path := backend.SecretKeyPath(p.dsn); path != "" {
		return path, nil
	}
	d, err := backend.ParseDSN(p.dsn)
	if err != nil || d.Kind != backend.Postgres {
		return "", nil
	}
	dir := p.opts.StateDir
	if dir == "" {
		if dir, err = stateDir(p.f.Getenv); err != nil {
			return "", cmdutil.Failf("%v", err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", cmdutil.Failf("creating the state directory for the secret key: %v", err)
	}
	return filepath.Join(dir, "secret-key"), nil
}
