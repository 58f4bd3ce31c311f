package serve

import (
	"runtime"

	"github.com/oauthkit/oauthkit/internal/config"
)

// passwordHasher makes and checks the stored hashes of user passwords
// (argon2id: 64 MiB and a few hundred milliseconds each, docs/security.md
// rule 41). serve avoids calling it at start-up when the store already
// holds a matching hash; tests count the calls through Options.passwords.
type passwordHasher struct {
	hash   func(password string) (string, error)
	verify func(hash, password string) (bool, error)
}

// defaultPasswords is the configuration's argon2id (config.HashPassword).
// Each start-up hash is followed by a collection, so that the next one
// reuses its 64 MiB instead of the heap growing to twice that before the
// garbage collector runs (a configuration of two users peaked at 153 MB);
// authserver.New then hands the pages back to the operating system.
var defaultPasswords = &passwordHasher{
	hash: func(password string) (string, error) {
		defer runtime.GC()
		return config.HashPassword(password)
	},
	verify: func(hash, password string) (bool, error) {
		defer runtime.GC()
		return config.VerifyPassword(hash, password)
	},
}
