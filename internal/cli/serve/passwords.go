package serve

import "github.com/oauthkit/oauthkit/internal/config"

// passwordHasher makes and checks the stored hashes of user passwords
// (argon2id: 64 MiB and a few hundred milliseconds each, docs/security.md
// rule 41). serve avoids calling it at start-up when the store already
// holds a matching hash; tests count the calls through Options.passwords.
type passwordHasher struct {
	hash   func(password string) (string, error)
	verify func(hash, password string) (bool, error)
}

// defaultPasswords is the configuration's argon2id (config.HashPassword).
var defaultPasswords = &passwordHasher{hash: config.HashPassword, verify: config.VerifyPassword}
