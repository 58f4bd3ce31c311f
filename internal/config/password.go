package config

import "github.com/oauthkit/oauthkit/internal/hashing"

// The password hashing of users lives in internal/hashing; these keep the
// configuration's callers working.

// HashPassword returns an argon2id hash of password (hashing.HashPassword).
func HashPassword(password string) (string, error) { return hashing.HashPassword(password) }

// VerifyPassword checks password against a bcrypt or argon2id hash
// (hashing.VerifyPassword).
func VerifyPassword(hash, password string) (bool, error) {
	return hashing.VerifyPassword(hash, password)
}

// CheckPasswordHash validates a bcrypt or argon2id hash (hashing.CheckPasswordHash).
func CheckPasswordHash(hash string) error { return hashing.CheckPasswordHash(hash) }
