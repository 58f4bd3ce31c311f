package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/internal/canon"
)

type replays struct{ d *DB }

// Use inserts the key, or replaces a record that expired at now, in one
// statement: INSERT … ON CONFLICT DO UPDATE is atomic in PostgreSQL (a
// concurrent insert of the same key waits for the first and then takes the
// conflict path), and no row changed means a live record exists.
func (rs replays) Use(ctx context.Context, key string, now, expiresAt time.Time) error {
	if key == "" {
		return fmt.Errorf("replay key: %w", store.ErrInvalid)
	}
	n, err := rs.d.exec(ctx, "use replay key", `INSERT INTO replay_keys (key, expires_at) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
		WHERE replay_keys.expires_at <= $3`, storedKey(key), canon.Micros(expiresAt), canon.Micros(now))
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("replay key: %w", store.ErrReplayed)
	}
	return nil
}

// maxKeyBytes bounds a key stored as given; PostgreSQL's index on the key
// refuses rows past about 2,700 bytes.
const maxKeyBytes = 512

// storedKey is the key as the table holds it: as given, or, for one that
// PostgreSQL could not index or keep in text (longer than maxKeyBytes, a
// NUL byte, invalid UTF-8 — a JWT ID is outside input), "#sha256:" and its
// SHA-256 in hex. Callers prefix their keys ("dpop:", "assertion:"), so no
// key they give starts with "#".
func storedKey(key string) string {
	if len(key) <= maxKeyBytes && storableText(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "#sha256:" + hex.EncodeToString(sum[:])
}

// storableText reports whether PostgreSQL can keep s in a text column: no
// NUL byte, valid UTF-8. A lookup key that is not names no record.
func storableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
