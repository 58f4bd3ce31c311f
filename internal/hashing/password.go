package hashing

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Argon2id parameters of HashPassword: the second recommendation of
// RFC 9106 §4 (64 MiB, 3 passes, 4 lanes, 16-byte salt, 32-byte tag).
const (
	argonMemory  = 64 * 1024
	argonTime    = 3
	argonThreads = 4
	argonSaltLen = 16
	argonKeyLen  = 32

	// Bounds for hashes read from a config file, so that one login cannot
	// make the server allocate gigabytes or spin for minutes.
	maxArgonMemory = 1 << 20 // KiB: 1 GiB
	maxArgonTime   = 64
)

// HashPassword returns an argon2id hash of password in the PHC string format
// ($argon2id$v=19$m=65536,t=3,p=4$salt$hash) with a fresh random salt.
func HashPassword(password string) (string, error) {
	return hashArgon2id(password, argonMemory, argonTime, argonThreads)
}

func hashArgon2id(password string, memory, time uint32, threads uint8) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hashing password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, time, memory, threads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memory, time, threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches hash, a bcrypt hash
// ($2a$, $2b$, $2y$) or an argon2id PHC string. A wrong password is
// (false, nil); an error means the hash itself is unusable.
func VerifyPassword(hash, password string) (bool, error) {
	switch {
	case isBcrypt(hash):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("bcrypt hash: %w", err)
		}
		return true, nil
	case strings.HasPrefix(hash, "$argon2id$"):
		p, err := parseArgon2id(hash)
		if err != nil {
			return false, err
		}
		key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
		return subtle.ConstantTimeCompare(key, p.key) == 1, nil
	}
	return false, errors.New(`password hash is neither bcrypt ("$2a$…", "$2b$…") nor argon2id ("$argon2id$…")`)
}

// CheckPasswordHash validates the syntax of a bcrypt or argon2id hash.
func CheckPasswordHash(hash string) error {
	switch {
	case isBcrypt(hash):
		return checkBcrypt(hash)
	case strings.HasPrefix(hash, "$argon2id$"):
		_, err := parseArgon2id(hash)
		return err
	}
	return errors.New(`is neither bcrypt ("$2a$…", "$2b$…") nor argon2id ("$argon2id$v=19$m=…,t=…,p=…$salt$hash")`)
}

func isBcrypt(hash string) bool {
	return strings.HasPrefix(hash, "$2a$") || strings.HasPrefix(hash, "$2b$") || strings.HasPrefix(hash, "$2y$")
}

// checkBcrypt: "$2b$" + 2-digit cost + "$" + 53 characters of bcrypt's base64.
func checkBcrypt(hash string) error {
	const want = "bcrypt hash must be $2b$NN$ followed by 53 characters of [./A-Za-z0-9]"
	if len(hash) != 60 || hash[6] != '$' {
		return errors.New(want)
	}
	for _, c := range hash[7:] {
		if !(c == '.' || c == '/' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return errors.New(want)
		}
	}
	if _, err := bcrypt.Cost([]byte(hash)); err != nil {
		return fmt.Errorf("bcrypt hash: %s", strings.TrimPrefix(err.Error(), "crypto/bcrypt: "))
	}
	return nil
}

type argon2Hash struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parseArgon2id parses $argon2id$v=19$m=M,t=T,p=P$salt$hash (RawStd base64).
func parseArgon2id(s string) (*argon2Hash, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("argon2id hash: "+format+` (want "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>")`, a...)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return nil, bad("wrong number of $-separated fields")
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return nil, bad("version %q is not v=%d", parts[2], argon2.Version)
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return nil, bad("parameters %q are not m=…,t=…,p=…", parts[3])
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(params[i], name+"=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return nil, bad("parameters %q are not m=…,t=…,p=…", parts[3])
		}
		vals[i] = n
	}
	h := &argon2Hash{memory: uint32(vals[0]), time: uint32(vals[1])}
	switch {
	case vals[2] < 1 || vals[2] > 255:
		return nil, bad("p=%d is not between 1 and 255", vals[2])
	case vals[1] < 1 || vals[1] > maxArgonTime:
		return nil, bad("t=%d is not between 1 and %d", vals[1], maxArgonTime)
	case vals[0] < 8*vals[2] || vals[0] > maxArgonMemory:
		return nil, bad("m=%d is not between 8*p and %d KiB", vals[0], maxArgonMemory)
	}
	h.threads = uint8(vals[2])
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return nil, bad("the salt is not unpadded base64 of at least 8 bytes")
	}
	if h.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 128 {
		return nil, bad("the hash is not unpadded base64 of 16 to 128 bytes")
	}
	return h, nil
}
